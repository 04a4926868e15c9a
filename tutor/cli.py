"""Provides `main`: the `zerohero` command. Subcommands mirror the app's keys.

Exit codes, for every command: 0 success; 1 the thing asked for failed or was refused; 2 usage
error, unknown id or no workspace. With --json, stdout holds exactly one JSON object.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from pathlib import Path

from tutor import __version__
from tutor.course import rules

OK, FAILED, USAGE = 0, 1, 2


class CliError(Exception):
    """A usage problem (exit 2) or a refusal (exit 1), with the message to show."""

    def __init__(self, message: str, code: int = USAGE):
        super().__init__(message)
        self.code = code


# -- output ---------------------------------------------------------------------------------
def emit(args, obj: dict, text: str = "") -> None:
    """Prints the JSON object with --json, else the human text."""
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")
    elif text:
        print(text)


def fail(args, message: str, code: int) -> int:
    if getattr(args, "json", False):
        emit(args, {"error": message, "exit_code": code})
    else:
        print(f"zerohero: {message}", file=sys.stderr)
    return code


# -- shared look-ups ------------------------------------------------------------------------
def course():
    from tutor.course.loader import load_course

    return load_course()


def workspace(args):
    from tutor.course.workspace import NoWorkspace, find

    try:
        return find(getattr(args, "workspace", None))
    except NoWorkspace as e:
        raise CliError(str(e)) from None


def progress(ws):
    from tutor.course.progress import Progress

    p = Progress(ws.state_dir)
    if p.notice:
        print(f"zerohero: {p.notice}", file=sys.stderr)
    return p


def exercise(c, exercise_id: str):
    ex = c.exercise(exercise_id)
    if ex is None:
        ids = [e.id for e in c.exercises]
        close = difflib.get_close_matches(exercise_id, ids, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else " `zerohero list` shows them all."
        raise CliError(f"unknown exercise {exercise_id!r}.{hint}")
    return ex


def lesson(c, lesson_id: str):
    found = c.lesson(lesson_id)
    if found is None:
        raise CliError(f"unknown lesson {lesson_id!r}; lessons: {', '.join(l.id for l in c.lessons)}")
    return found


# -- commands -------------------------------------------------------------------------------
def cmd_init(args) -> int:
    from tutor.course.workspace import init

    ws, added = init(course(), Path(args.dir) if args.dir else None)
    text = f"Workspace ready at {ws.root}" + (f" ({len(added)} exercise files added)." if added else " (nothing new to add).")
    text += f"\nNext: cd {ws.root} && zerohero tutor   (or: zerohero check)"
    emit(args, {"workspace": str(ws.root), "added": added}, text)
    return OK


def cmd_list(args) -> int:
    c, ws = course(), workspace(args)
    statuses = progress(ws).statuses()
    lessons = []
    lines = []
    for l in c.lessons:
        exs = [{"id": e.id, "title": e.title, "file": e.file, "status": rules.status(statuses, e),
                "challenge": e.challenge} for e in l.exercises]
        lessons.append({"id": l.id, "number": l.number, "title": l.title, "ready": l.ready,
                        "exercises": exs, "runs": [r.name for r in l.runs]})
        done = sum(e["status"] == "passed" for e in exs)
        tag = "" if l.ready else "  (text coming)"
        lines.append(f"{l.number}. {l.id:<10} {l.title}  [{done}/{len(exs)}]{tag}")
        for e in exs:
            lines.append(f"     {rules.mark(e['status'])} {e['id']:<28} {e['title']}")
    emit(args, {"workspace": str(ws.root), "lessons": lessons}, "\n".join(lines))
    return OK


def cmd_check(args) -> int:
    from tutor.grader.sandbox import isolation_report

    c, ws = course(), workspace(args)
    prog = progress(ws)
    if args.id:
        ex = exercise(c, args.id)
    else:
        ex = rules.next_exercise(c, prog.statuses())
        if ex is None:
            emit(args, {"exercise": None, "passed": True, "message": "every exercise passes"},
                 "Every exercise passes. Well done!")
            return OK
    ok, how = isolation_report()
    if not ok:
        return fail(args, f"cannot grade safely here: {how}", FAILED)
    from tutor.grader.grade import grade
    from tutor.grader.render import render_verdict

    verdict = grade(ex, ws.file(ex), seed=args.seed)
    prog.record_attempt(ex.id, verdict.passed, verdict.seed, verdict.summary, verdict.duration_s)
    emit(args, verdict.to_dict(), render_verdict(verdict, ex, color=sys.stdout.isatty()))
    return OK if verdict.passed else FAILED


def cmd_hint(args) -> int:
    c, ws = course(), workspace(args)
    ex = exercise(c, args.id)
    prog = progress(ws)
    # With every tier seen, a plain `hint` shows them all again.
    tier = args.tier or rules.next_hint_tier(ex, prog.hints_seen(ex.id)) or len(ex.hints)
    if not 1 <= tier <= len(ex.hints):
        raise CliError(f"{ex.id} has hint tiers 1 to {len(ex.hints)}")
    for t in rules.tiers_shown(tier):
        prog.record_hint(ex.id, t)
    shown = [{"tier": t, "text": ex.hints[t - 1]} for t in rules.tiers_shown(tier)]
    text = "\n\n".join(f"Hint {h['tier']}/{len(ex.hints)}: {h['text']}" for h in shown)
    if tier < len(ex.hints):
        text += f"\n\n(More: zerohero hint {ex.id} --tier {tier + 1})"
    emit(args, {"exercise": ex.id, "tiers": len(ex.hints), "hints": shown}, text)
    return OK


def cmd_solution(args) -> int:
    c, ws = course(), workspace(args)
    ex = exercise(c, args.id)
    if not rules.solution_open(progress(ws).statuses(), ex):
        return fail(args, f"the solution to {ex.id} opens after your code passes "
                          f"(zerohero check {ex.id}); try `zerohero hint {ex.id}` meanwhile.", FAILED)
    path = rules.solution_path(c, ex)
    source = path.read_text()
    emit(args, {"exercise": ex.id, "path": str(path), "solution": source},
         f"# Reference solution for {ex.id} ({path.name})\n\n{source}")
    return OK


def cmd_reset(args) -> int:
    from tutor.course.workspace import reset

    c, ws = course(), workspace(args)
    ex = exercise(c, args.id)
    backup = reset(ws, ex)
    progress(ws).record_reset(ex.id)
    text = f"Restored the stub of {ex.id} at {ws.file(ex)}."
    if backup:
        text += f"\nYour version is kept at {backup}."
    emit(args, {"exercise": ex.id, "file": str(ws.file(ex)), "backup": str(backup) if backup else None}, text)
    return OK


def cmd_train(args) -> int:
    from tutor.training.headless import train

    return train(args)


def cmd_runs(args) -> int:
    from tutor.training.kept import runs

    return runs(args)


def cmd_sample(args) -> int:
    from tutor.training.kept import sample

    return sample(args)


def cmd_tutor(args) -> int:
    from tutor.app.app import run_app

    return run_app(args)


# -- parser ---------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", type=Path, default=argparse.SUPPRESS,
                        help="the learner's workspace (default: $ZEROHERO_WORKSPACE, or found from here)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print exactly one JSON object on stdout")
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help="where the lecture data sets are (default: $ZEROHERO_DATA, then the cache)")
    p = argparse.ArgumentParser(prog="zerohero", parents=[common],
                                description="Learn Neural Networks: Zero to Hero by doing.")
    p.add_argument("--version", action="version", version=f"zerohero {__version__}")
    p.set_defaults(workspace=None, json=False, data_dir=None, func=None)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def add(name, func, help_):
        sp = sub.add_parser(name, parents=[common], help=help_, description=help_)
        sp.set_defaults(func=func)
        return sp

    sp = add("init", cmd_init, "create or update a workspace with the exercise stubs")
    sp.add_argument("dir", nargs="?", help="where (default: ./zerohero)")
    add("list", cmd_list, "lessons, exercises and their status")
    sp = add("check", cmd_check, "grade an exercise (default: the next unsolved one)")
    sp.add_argument("id", nargs="?")
    sp.add_argument("--seed", type=int, default=None, help="replay the checks with this seed")
    sp = add("hint", cmd_hint, "show hints, tier by tier")
    sp.add_argument("id")
    sp.add_argument("--tier", type=int, default=None)
    sp = add("solution", cmd_solution, "show the reference solution (after a pass)")
    sp.add_argument("id")
    sp = add("reset", cmd_reset, "restore an exercise's stub, keeping your version as a backup")
    sp.add_argument("id")
    sp = add("train", cmd_train, "run a lesson's training headless")
    sp.add_argument("lesson")
    sp.add_argument("run", nargs="?")
    sp.add_argument("--steps", type=int, default=None)
    sp.add_argument("--seed", type=int, default=None)
    sp.add_argument("--device", default=None, help="cpu or cuda (default: cuda when present)")
    sp.add_argument("--reference", action="store_true", help="use the reference code, not yours")
    sp.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a run option")
    sp = add("runs", cmd_runs, "past training runs, their figures beside the lecture's, and kept models")
    sp.add_argument("lesson", nargs="?")
    sp.add_argument("--limit", type=int, default=50, help="at most this many, newest first (default 50)")
    sp = add("sample", cmd_sample, "sample from (or inspect) a kept model, without training again")
    sp.add_argument("lesson")
    sp.add_argument("run", nargs="?")
    sp.add_argument("--file", type=Path, default=None, metavar="NPZ", help="this kept model file, not the newest")
    sp.add_argument("-n", type=int, default=10, help="how many samples (default 10)")
    sp.add_argument("--seed", type=int, default=None, help="default: the lesson's (the lecture's seed)")
    sp = add("tutor", cmd_tutor, "open the tutor app")
    try:
        from tutor.data.cli import add_parser as add_data
    except ImportError:
        add_data = None
    if add_data is not None:
        add_data(sub, parents=[common])
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    try:
        args = p.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    if args.func is None:
        p.print_help()
        return USAGE
    if args.data_dir is not None:
        os.environ["ZEROHERO_DATA"] = str(args.data_dir)
    try:
        from tutor.course.loader import CourseError

        try:
            return int(args.func(args) or 0)
        except CourseError as e:
            return fail(args, f"the course files are broken: {e}", FAILED)
    except CliError as e:
        return fail(args, str(e), e.code)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `zerohero list | head`: the reader left; that is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK


if __name__ == "__main__":
    # Run the importable module's main, so `python -m tutor.cli` shares classes with lazy imports.
    from tutor.cli import main as _main

    sys.exit(_main())
