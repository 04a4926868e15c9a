"""Provides the training commands: train (headless, a progress bar on a TTY), runs, sample."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from tutor.cli.base import FAILED, OK, CliError, emit, fail
from tutor.cli.lookup import course, lesson, progress, run, workspace
from tutor.grader.graph_render import graph_text
from tutor.grader.render import escape


def cmd_train(args) -> int:
    from tutor.training.config import OptionError, parse_pairs
    from tutor.training.headless import summary, train
    from tutor.training.runner import config_for, default_device

    c, ws = course(), workspace(args)
    les = lesson(c, args.lesson)
    r = run(les, args.run)
    try:
        cfg = config_for(les, r, steps=args.steps, seed=args.seed, device=args.device or default_device(),
                         options=parse_pairs(args.set))
    except OptionError as e:
        raise CliError(str(e)) from None
    from tutor.course import rules

    prog = progress(ws)
    stale = rules.stale_note(r, prog.statuses(), prog.latest()) if not args.reference else ""
    if stale and not args.json:  # said before the run, as the training screen says it
        sys.stderr.write(escape(f"note: {stale}") + "\n")
    tty = sys.stderr.isatty() and not args.json
    bar = _Bar() if tty else None
    graphs: dict = {}  # a run's graph panels, drawn after its summary

    def on_step(event: dict) -> None:
        graphs.update({t: p for t, p in (event.get("panels") or {}).items() if p.get("kind") == "graph"})
        if bar is not None:
            bar(event)

    training = train(les, r, cfg, workspace=ws.root, progress=prog, force_reference=args.reference,
                     data_dir=args.data_dir, on_step=on_step)
    if bar is not None:
        sys.stderr.write("\n")
    result, payload = training.result, summary(training)
    payload["latest_fails"] = rules.stale_uses(r, prog.statuses(), prog.latest()) if not args.reference else []
    if result.status == "crashed":
        if args.json:
            emit(args, payload)
            return FAILED
        return fail(args, f"the run crashed ({result.implementation} code): {result.error}\n{result.trace}".rstrip(), FAILED)
    drawings = [f"\n{escape(t)}:\n{graph_text(p, shutil.get_terminal_size().columns, escape, sys.stdout.isatty(), '  ')}"
                for t, p in graphs.items()]
    emit(args, payload, escape(_summary_text(payload, r)) + "".join(drawings))
    return OK if result.status == "finished" else FAILED


def _summary_text(p: dict, run) -> str:
    used = ", ".join(f"{k}: {v}" for k, v in p["used"].items()) or "reference"
    lines = [f"{p['lesson']}/{p['run']}: {p['status']} after {p['steps']} steps in {p['elapsed_s']:.1f}s "
             f"— {p['implementation']} implementation ({used})"]
    lines += [f"  data: {d}" for d in p["datasets"]]
    for key, value in p["metrics"].items():
        lines.append(f"  {key:<14} {value}{_versus(p, key)}")
    for key, value in p["reported"].items():
        if key not in p["metrics"]:  # what the run's code said, which our code could not measure
            lines.append(f"  {key:<14} {value}   (reported by the run, not measured on the kept model)")
    if p["samples"]:
        lines.append("  samples: " + " ".join(p["samples"]))
    return "\n".join(lines)


def _versus(p: dict, key: str) -> str:
    """The figure a metric is shown beside: the lecture's or the tutor's exact one, with a verdict only
    where the run's settings are the ones that figure belongs to ("lecture, at 100 steps" otherwise)."""
    whose, figure = ("lecture", p["lecture"].get(key)) if key in p["lecture"] else \
        ("the tutor's exact figure", p.get("exact", {}).get(key))
    if figure is None:
        return ""
    at = p.get("lecture_at", {}).get(key)
    if at:
        return f"   ({whose}, at {at}: {figure})"
    mark = {True: " ✓ reproduced", False: " ✗ differs", None: ""}[p["lecture_match"].get(key)]
    return f"   ({whose}: {figure}{mark})"


class _Bar:
    """Draws step events as one progress line on stderr, at most ten times a second."""

    def __init__(self, width: int = 30):
        self.width, self.last = width, 0.0

    def __call__(self, event: dict) -> None:
        if time.monotonic() - self.last <= 0.1:
            return
        self.last = time.monotonic()
        step, total = event.get("step", 0), event.get("total") or 1
        filled = int(self.width * min(step, total) / total)
        metrics = "  ".join(f"{k} {v:.4f}" for k, v in (event.get("metrics") or {}).items()
                            if isinstance(v, (int, float)))
        eta = event.get("eta_s")
        eta_text = f"  ~{eta:.0f}s left" if eta is not None else ""
        line = f"[{'█' * filled}{'·' * (self.width - filled)}] {step}/{total}  {metrics}  " \
               f"{event.get('steps_per_s', 0):.1f} steps/s{eta_text}"
        sys.stderr.write("\r" + escape(line) + "\033[K")
        sys.stderr.flush()


def cmd_runs(args) -> int:
    """`zerohero runs [LESSON]`: every recorded run, newest first, with its kept model file."""
    from tutor.training.kept import figures, run_rows

    c, ws = course(), workspace(args)
    lesson_id = lesson(c, args.lesson).id if args.lesson else None
    rows = run_rows(progress(ws), lesson_id, limit=args.limit)
    lines = []
    for row in rows:
        code = {"learner": "your code", "reference": "reference"}.get(row["implementation"], row["implementation"])
        lines.append(f"{row['when'][:16]}  {row['lesson']}/{row['run']}  {row['status']}  "
                     f"{row['steps'] or 0:,} steps  {code}")
        if figures(row["metrics"], row["lecture"]):
            lines.append(f"    {figures(row['metrics'], row['lecture'])}   (lecture in brackets)")
        kept = row["model"] or ("file gone: " + row["state_path"] if row["model_missing"] else "not kept")
        lines.append(f"    model: {kept}")
    if not rows:
        where = f" of lesson {lesson_id}" if lesson_id else ""
        lines = [f"No runs{where} yet: zerohero train {lesson_id or 'LESSON'}"]
    elif any(r["model"] for r in rows):
        lines.append("\nzerohero sample LESSON [RUN] samples from (or inspects) the newest kept model.")
    emit(args, {"workspace": str(ws.root), "lesson": lesson_id, "runs": rows}, escape("\n".join(lines)))
    return OK


def cmd_sample(args) -> int:
    """`zerohero sample LESSON [RUN] [--file NPZ]`: the lesson hook's output for a kept model."""
    from tutor.training import kept

    les = lesson(course(), args.lesson)
    if args.run is not None:
        run(les, args.run)
    if not kept.has_hook(les):
        return fail(args, f"lesson {les.id} has no way to sample or inspect a kept model yet", FAILED)
    record = None
    if args.file is not None:
        path = Path(args.file).expanduser()
        if not path.is_file():
            raise CliError(f"--file takes a kept model file; there is no model file at {path}")
        run_name = args.run or kept.run_from_file(path, les) or ""
    else:
        prog = progress(workspace(args))
        record = kept.latest(prog, les.id, args.run)
        if record is None:
            return fail(args, kept.no_model(prog, les, args.run), FAILED)
        path, run_name = kept.model_file(record), record["run"]
    try:
        result = kept.inspect_model(les.id, run_name, path, n=args.n, seed=args.seed, data_dir=args.data_dir)
    except kept.InspectError as e:
        return fail(args, str(e), FAILED)
    meta = {"lesson": les.id, "run": run_name, "model": str(path), "n": args.n, "seed": args.seed}
    head = f"{les.id}/{run_name}: kept model {path.name}"
    if record is not None:
        meta.update(trained=time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record["time"])),
                    implementation=record["implementation"], steps=record["steps"])
        head += f" ({meta['trained'][:16]}, {record['steps'] or 0:,} steps, {record['implementation']} code)"
    emit(args, {**result, **meta}, escape(head + "\n\n" + kept.result_text(result)))
    return OK


def add_commands(add) -> None:
    """Adds this group's commands through `add(name, func, help) -> subparser`."""
    sp = add("train", cmd_train, "run a lesson's training headless")
    sp.add_argument("lesson")
    sp.add_argument("run", nargs="?")
    sp.add_argument("--steps", type=int, default=None, help="how many steps (1 to 1,000,000; default: the run's)")
    sp.add_argument("--seed", type=int, default=None, help="0 to 2**32 - 1 (default: the lecture's)")
    sp.add_argument("--device", default=None, help="cpu, cuda, cuda:N or mps (default: cuda when present)")
    sp.add_argument("--reference", action="store_true", help="use the reference code, not yours")
    sp.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a run option, typed like its default in lesson.toml")
    sp = add("runs", cmd_runs, "past training runs, their figures beside the lecture's, and kept models")
    sp.add_argument("lesson", nargs="?")
    sp.add_argument("--limit", type=int, default=50, help="at most this many, newest first (default 50)")
    sp = add("sample", cmd_sample, "sample from (or inspect) a kept model, without training again")
    sp.add_argument("lesson")
    sp.add_argument("run", nargs="?")
    sp.add_argument("--file", type=Path, default=None, metavar="NPZ", help="this kept model file, not the newest")
    sp.add_argument("-n", type=int, default=10, help="how many samples (1 to 1000, default 10)")
    sp.add_argument("--seed", type=int, default=None, help="0 to 2**32 - 1 (default: the lesson's, the lecture's)")
