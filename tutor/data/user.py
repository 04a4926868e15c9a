"""Provides `add`/`remove` of a learner's own data file and `compare`, which says how it differs."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from tutor.data import registry, store
from tutor.data.model import DataError, Dataset
from tutor.data.registry import Spec
from tutor.data.resolve import cached, locate

MAX_BYTES = 200 * 1024 * 1024  # far above any text a lesson can train on in a terminal
SAMPLES = 5


def _read(file: Path) -> tuple[bytes, str]:
    try:
        data = file.read_bytes()
    except OSError as e:
        raise DataError(f"cannot read {file}: {e.strerror or e}") from None
    if not data.strip():
        raise DataError(f"{file} is empty")
    try:
        return data, data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DataError(f"{file} is not UTF-8 text (byte {e.start}); save it as UTF-8 and add it again") from None


def canonical_text(spec: Spec, data_dir: Path | str | None = None) -> str | None:
    """The canonical file's text, if a verified copy is already on disk (nothing is fetched)."""
    folder = store.data_dir(data_dir)
    candidates = [folder / f for f in (spec.file, *spec.aliases)] if folder else []
    for path in [*candidates, store.canonical_path(spec)]:
        if path.is_file() and store.matches(path, spec.sha256, spec.bytes):
            return path.read_text("utf-8")
    return None


def _stats(text: str) -> dict:
    return {"lines": len(text.splitlines()), "chars": len(text), "bytes": len(text.encode("utf-8")),
            "vocab": len(set(text))}


def compare(spec: Spec, text: str, reference: str | None) -> dict:
    """How `text` differs from the canonical data set.

    Args:
        spec: The data set.
        text: The learner's file.
        reference: The canonical text, or None to compare with the manifest's figures only.

    Returns:
        A JSON-ready dict: `yours` and `canonical` stats (lines, chars, bytes, vocab), the
        characters only in one of them, and, when the canonical text is at hand, how many distinct
        lines (names, for names.txt) are only in one of them, with a few of each in file order.
    """
    yours = _stats(text)
    out: dict = {"identical": reference == text if reference is not None else None, "yours": yours, "notes": []}
    if reference is None:
        out["canonical"] = {"lines": spec.lines, "chars": None, "bytes": spec.bytes, "vocab": spec.vocab}
        out["notes"].append("the canonical file is not on this computer, so only its size is compared")
        return out
    out["canonical"] = _stats(reference)
    out["chars_only_yours"] = "".join(sorted(set(text) - set(reference)))
    out["chars_only_canonical"] = "".join(sorted(set(reference) - set(text)))
    mine, theirs = text.splitlines(), reference.splitlines()
    mine_set, theirs_set = set(mine), set(theirs)
    only_yours = [line for line in dict.fromkeys(mine) if line not in theirs_set]
    only_canonical = [line for line in dict.fromkeys(theirs) if line not in mine_set]
    out["lines_only_yours"], out["lines_only_canonical"] = len(only_yours), len(only_canonical)
    out["samples_only_yours"], out["samples_only_canonical"] = only_yours[:SAMPLES], only_canonical[:SAMPLES]
    return out


def add(name: str, file: Path, *, data_dir: Path | str | None = None) -> tuple[Dataset, dict]:
    """Stores the learner's own file as data set `name`; it wins over the cache's canonical copy.

    Returns:
        The new `Dataset` (source `user`) and `compare`'s report against the canonical file.

    Raises:
        DataError: the file is missing, empty, too large, not UTF-8 text, or holds a character
            the lessons reserve (e.g. '.' in names.txt).
        UnknownDataset: no such data set.
    """
    spec = registry.spec(name)
    file = Path(file).expanduser()
    if not file.is_file():
        raise DataError(f"{file} is not a file")
    if file.stat().st_size > MAX_BYTES:
        raise DataError(f"{file} is larger than {MAX_BYTES // 2**20} MB; a lesson could not train on it here")
    data, text = _read(file)
    problem = spec.problem(text)
    if problem:
        raise DataError(f"{file} cannot be used for {spec.title}: {problem}")
    report = compare(spec, text, canonical_text(spec, data_dir))
    dest = store.user_path(spec)
    store.write_atomic(dest, data)  # the bytes compared are the bytes kept
    sha, size = hashlib.sha256(data).hexdigest(), len(data)
    origin = f"added from {file.resolve()}"
    store.write_meta(dest, {"origin": origin, "sha256": sha, "bytes": size, "at": time.time()})
    found = cached(spec, dest, sha, size, "user", [])
    if found is None:
        raise DataError(f"{file} was added, but the copy failed its check; add it again")
    first = locate(name, data_dir)
    if first is not None and first.source == "data-dir":
        report["notes"].append(f"{first.path} in your data directory comes first while that setting is on")
    return found, report


def remove(name: str) -> bool:
    """Forgets the learner's file for `name`; returns whether there was one."""
    path = store.user_path(registry.spec(name))
    existed = path.is_file()
    store.discard(path)
    return existed
