"""Provides the data sets listed in data/manifest.toml, as frozen `Spec` records looked up by name."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tutor.data.model import DataError, UnknownDataset
from tutor.paths import data_manifest_dir

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomli is the same parser under its old name
    import tomli as tomllib  # type: ignore[no-redef]

FORMAT_VERSION = 1


@dataclass(frozen=True)
class BuildSpec:
    """How an installed registry package gives the file without web access."""

    kind: str
    """Which builder in tutor/data/build.py runs."""
    package: str
    version: str
    canonical: bool
    """True when the build is byte-identical to the canonical file."""
    file: str
    """File name in the cache; a near copy gets its own so it is never taken for the real one."""
    sha256: str
    bytes: int
    requires_python: str = ""
    note: str = ""
    label: str = ""

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class Spec:
    """One data set of the course, as the manifest describes it."""

    name: str
    file: str
    aliases: tuple[str, ...]
    """Other file names accepted in a data directory (e.g. the lecture's `input.txt`)."""
    title: str
    description: str
    url: str
    sha256: str
    bytes: int
    lines: int
    vocab: int
    lessons: tuple[str, ...]
    lecture_numbers_hold: bool
    build: BuildSpec | None
    reserved: str = ""
    """Characters the lessons use as tokens of their own, so a file may not hold them (makemore's '.')."""

    def problem(self, text: str) -> str | None:
        """Why `text` cannot be this data set for any lesson (no text, a reserved character), or None."""
        if not text.strip():
            return "it is empty" if not text else "it holds only blank lines"
        for number, line in enumerate(text.splitlines(), 1):
            for ch in self.reserved:
                if ch in line:
                    return (f"line {number} ({line[:40]!r}) holds {ch!r}, which the lessons reserve as a token "
                            "of their own (makemore marks where a name starts and ends with it)")
        return None

    def problem_with(self, path: Path) -> str | None:
        """`problem` of a file's text, or why it cannot be read as UTF-8 text."""
        try:
            data = path.read_bytes()
        except OSError as e:
            return f"it cannot be read ({e.strerror or e})"
        try:
            return self.problem(data.decode("utf-8"))
        except UnicodeDecodeError as e:
            return f"it is not UTF-8 text (byte {e.start})"

    @property
    def download_url(self) -> str:
        """The public home, unless `ZEROHERO_DATA_URL_<NAME>` points elsewhere (tests, mirrors)."""
        return os.environ.get(f"ZEROHERO_DATA_URL_{self.name.upper()}") or self.url


def _spec(entry: dict, where: str) -> Spec:
    try:
        build = entry.get("build")
        if build is not None:
            canonical = bool(build["canonical"])
            build = BuildSpec(
                kind=build["kind"], package=build["package"], version=build["version"],
                canonical=canonical,
                file=build.get("file", entry["file"]),
                sha256=build.get("sha256", entry["sha256"] if canonical else ""),
                bytes=int(build.get("bytes", entry["bytes"] if canonical else 0)),
                requires_python=build.get("requires_python", ""),
                note=build.get("note", ""), label=build.get("label", ""),
            )
        return Spec(
            name=entry["name"], file=entry["file"], aliases=tuple(entry.get("aliases", ())),
            title=entry["title"], description=entry["description"], url=entry["url"],
            sha256=entry["sha256"].lower(), bytes=int(entry["bytes"]), lines=int(entry["lines"]),
            vocab=int(entry["vocab"]), lessons=tuple(entry["lessons"]),
            lecture_numbers_hold=bool(entry["lecture_numbers_hold"]), build=build,
            reserved=str(entry.get("reserved", "")),
        )
    except KeyError as e:
        raise DataError(f"{where}: missing key {e}") from None


@lru_cache(maxsize=4)
def load_manifest(path: Path | None = None) -> dict[str, Spec]:
    """Reads the manifest once.

    Args:
        path: A manifest file; by default `manifest.toml` in `tutor.paths.data_manifest_dir()`.

    Returns:
        The data sets by name, in manifest order.
    """
    path = path or data_manifest_dir() / "manifest.toml"
    try:
        with path.open("rb") as f:
            doc = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise DataError(f"cannot read the data manifest {path}: {e}") from None
    if doc.get("format_version") != FORMAT_VERSION:
        raise DataError(f"{path}: format_version must be {FORMAT_VERSION}")
    specs = [_spec(e, f"{path}: datasets[{i}]") for i, e in enumerate(doc.get("datasets", []))]
    return {s.name: s for s in specs}


def names() -> list[str]:
    """The data set names, in manifest order."""
    return list(load_manifest())


def spec(name: str) -> Spec:
    """The manifest entry for `name`; raises `UnknownDataset` naming the valid ones."""
    specs = load_manifest()
    if name not in specs:
        raise UnknownDataset(f"no data set called {name!r}; the data sets are: {', '.join(specs)}")
    return specs[name]
