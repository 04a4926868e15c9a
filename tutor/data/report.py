"""Provides the plain-text views of the `zerohero data` commands and a stderr progress bar."""

from __future__ import annotations

import sys
import time

from tutor.data.model import Dataset


def size(n: int | None) -> str:
    return "?" if n is None else f"{n:,} bytes"


def dataset_lines(ds: Dataset) -> list[str]:
    """Where a data set comes from, its size and hash, and whether the lecture's numbers hold."""
    hold = "hold" if ds.lecture_numbers_hold else "do NOT hold exactly (see the label)"
    return [
        f"  in use:   {ds.label}",
        f"  source:   {ds.source}" + (f" ({ds.origin})" if ds.origin else ""),
        f"  file:     {ds.path}",
        f"  size:     {size(ds.bytes)}, sha256 {ds.sha256}",
        f"  lecture's numbers: {hold}",
    ]


def status_text(report: dict) -> str:
    """The text of `zerohero data status` from the same dict that `--json` prints."""
    out = [f"cache: {report['cache_dir']}", f"data directory: {report['data_dir'] or '(none set)'}", ""]
    for entry in report["datasets"]:
        out.append(f"{entry['name']}: {entry['title']} ({entry['file']}), for {', '.join(entry['lessons'])}")
        ds = entry.get("dataset")
        if ds is None:
            out.append("  in use:   MISSING")
        else:
            out += dataset_lines(Dataset(**ds))
        build = entry["offline_build"]
        if build:
            state = f"{build['package']} {build['installed']} installed" if build["installed"] else \
                f"needs {build['package']}=={build['version']} (pip install 'zerohero[offline]')"
            out.append(f"  offline build: {build['gives']}; {state}")
        out += [f"  note:     {n}" for n in entry["notes"]]
        if ds is None:
            out += ["  to get it, run one of:"] + [f"    {c}" for c in entry["fix"]]
        elif not ds["canonical"]:
            out += ["  for the canonical file, run:"] + [f"    {c}" for c in entry["canonical_fix"]]
        out.append("")
    return "\n".join(out).rstrip()


def compare_text(name: str, report: dict) -> str:
    """The text of `zerohero data add`: how the learner's file differs from the canonical one."""
    yours, canon = report["yours"], report["canonical"]
    if report["identical"]:
        return f"It is byte-for-byte the canonical {name} file: the lecture's numbers hold."
    out = ["How it differs from the canonical file (yours vs canonical):"]
    for key in ("lines", "chars", "bytes", "vocab"):
        theirs = canon.get(key)
        out.append(f"  {key:<6} {yours[key]:>10,}  vs {theirs:>10,}" if theirs is not None else
                   f"  {key:<6} {yours[key]:>10,}")
    if report.get("chars_only_yours"):
        out.append(f"  characters only in yours: {report['chars_only_yours']!r}")
    if report.get("chars_only_canonical"):
        out.append(f"  characters only in the canonical file: {report['chars_only_canonical']!r}")
    if "lines_only_yours" in report:
        unit = "names" if name == "names" else "distinct lines"
        for side, where in (("yours", "yours"), ("canonical", "the canonical file")):
            samples = report[f"samples_only_{side}"]
            out.append(f"  {unit} only in {where}: {report[f'lines_only_{side}']:,}"
                       + (f", e.g. {', '.join(samples)}" if samples else ""))
    out += [f"  note: {n}" for n in report["notes"]]
    out.append("The lecture's numbers will differ on your file; the tutor labels every figure with it.")
    return "\n".join(out)


class Bar:
    """A one-line download progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, title: str, stream=None):
        self.title, self.stream = title, stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.last = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.1 and done != total):
            return  # redrawing on every 64 kB chunk would cost more than the download
        self.last = now
        if total:
            filled = int(30 * done / total)
            bar = "#" * filled + "." * (30 - filled)
            line = f"{self.title} [{bar}] {100 * done / total:5.1f}%  {done / 1e3:,.0f} kB"
        else:
            line = f"{self.title} {done / 1e3:,.0f} kB"
        self.stream.write("\r" + line)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.last:
            self.stream.write("\n")
            self.stream.flush()
