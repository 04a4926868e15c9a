"""Provides the data and cache folders, sha256 checks, and atomic writes with a provenance sidecar."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from tutor.data.registry import Spec

CHUNK = 1 << 16


def data_dir(arg: Path | str | None = None) -> Path | None:
    """The learner's data directory: the `--data-dir` argument, else `ZEROHERO_DATA`, else None."""
    value = arg if arg not in (None, "") else os.environ.get("ZEROHERO_DATA")
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    """Where fetched, built and added files live: `ZEROHERO_CACHE`, else the user cache + /data."""
    override = os.environ.get("ZEROHERO_CACHE")
    if override:
        return Path(override).expanduser()
    import platformdirs  # only here: most callers never need the user cache path

    return Path(platformdirs.user_cache_dir("zerohero")) / "data"


def canonical_path(spec: Spec) -> Path:
    return cache_dir() / spec.file


def near_path(spec: Spec) -> Path | None:
    """The cache file of a near-copy build, or None when the build is canonical (or absent)."""
    if spec.build is None or spec.build.canonical:
        return None
    return cache_dir() / spec.build.file


def user_path(spec: Spec) -> Path:
    return cache_dir() / "user" / spec.file


def digest(path: Path) -> tuple[str, int]:
    """The sha256 (hex) and size in bytes of a file, read in chunks."""
    h, n = hashlib.sha256(), 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def matches(path: Path, sha256: str, size: int) -> bool:
    """Whether the file has exactly this size and hash; the size is checked first, as it is free."""
    try:
        if size and path.stat().st_size != size:
            return False
        return digest(path)[0] == sha256
    except OSError:
        return False


def write_atomic(dest: Path, data: bytes) -> None:
    """Writes `data` to `dest` through a temporary file and a rename, so dest is never half written."""
    # Same folder as dest, so os.replace is a rename within one file system, which is atomic.
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def write_meta(path: Path, meta: dict) -> None:
    """Records how `path` got into the cache (origin, hash), beside it."""
    write_atomic(meta_path(path), json.dumps(meta, indent=2).encode())


def read_meta(path: Path) -> dict:
    """The sidecar of `path`, or {} when it is missing or unreadable (it is only provenance)."""
    try:
        meta = json.loads(meta_path(path).read_text("utf-8"))
        return meta if isinstance(meta, dict) else {}
    except (OSError, ValueError):
        return {}


def discard(path: Path) -> None:
    """Removes a file that failed its check, and its sidecar, so it can never be used."""
    path.unlink(missing_ok=True)
    meta_path(path).unlink(missing_ok=True)
