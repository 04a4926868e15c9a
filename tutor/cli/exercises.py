"""Provides the exercise commands: init, list, check, hint, solution, reset (the app's keys)."""

from __future__ import annotations

import sys
from pathlib import Path

from tutor.cli.base import FAILED, OK, CliError, emit, fail
from tutor.cli.lookup import course, exercise, progress, workspace
from tutor.course import rules


def cmd_init(args) -> int:
    from tutor.course.workspace import init

    ws, added = init(course(), Path(args.dir) if args.dir else None)
    text = f"Workspace ready at {ws.root}" + (f" ({len(added)} exercise files added)." if added else " (nothing new to add).")
    text += f"\nNext: cd {ws.root} && zerohero tutor   (or: zerohero check)"
    emit(args, {"workspace": str(ws.root), "added": added}, text)
    return OK


def cmd_list(args) -> int:
    """Every lesson's exercises with their status, drills marked; `--hunts`: the bug hunts alone,
    in course order (the same JSON shape, holding only the lessons that have one)."""
    c, ws = course(), workspace(args)
    prog = progress(ws)
    statuses, latest = prog.statuses(), prog.latest()
    hunts = getattr(args, "hunts", False)
    lessons, lines = [], ["Bug hunts: run each broken, find the bug, fix it (zerohero train LESSON RUN, "
                          "zerohero check ID)"] if hunts else []
    for l in c.lessons:
        shown = [e for e in rules.lesson_order(l) if e.drill] if hunts else list(l.exercises)
        if hunts and not shown:
            continue
        exs = [{"id": e.id, "title": e.title, "file": e.file, "status": rules.status(statuses, e),
                "latest_fails": rules.latest_fails(statuses, latest, e), "challenge": e.challenge,
                "drill": e.drill} for e in shown]
        lessons.append({"id": l.id, "number": l.number, "title": l.title, "ready": l.ready,
                        "exercises": exs, "runs": [r.name for r in l.runs]})
        done = sum(e["status"] == rules.PASSED for e in exs)
        tag = "" if l.ready else "  (text coming)"
        lines.append(f"{l.number}. {l.id:<10} {l.title}  [{done}/{len(exs)}]{tag}")
        for e, x in zip(shown, exs):
            stale = f"   ({rules.STALE})" if x["latest_fails"] else ""
            title = f"{rules.symptom(e)}   [{rules.DRILL}]" if e.drill else e.title
            lines.append(f"     {rules.mark(x['status'])} {e.id:<28} {title}{stale}")
    if hunts and not lessons:
        lines.append("  (no bug hunts in this course yet)")
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
            emit(args, {"exercise": None, "passed": True, "message": "every exercise of the written lessons passes"},
                 "Every exercise of the lessons written so far passes. Well done! (zerohero check ID "
                 "grades any other exercise.)")
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
    if not ex.hints:
        return fail(args, f"{ex.id} has no hints", FAILED)
    prog = progress(ws)
    # With every tier seen, a plain `hint` shows them all again.
    tier = args.tier if args.tier is not None else rules.next_hint_tier(ex, prog.hints_seen(ex.id)) or len(ex.hints)
    if not 1 <= tier <= len(ex.hints):
        raise CliError(f"--tier takes 1 to {len(ex.hints)} for {ex.id}, got {tier}")
    if not prog.read_only:  # a read-only workspace shows the hints without recording them
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
    if args.follow_along:
        return _reset_follow(args, c, ws)
    ex = exercise(c, args.id)
    backup = reset(ws, ex)
    progress(ws).record_reset(ex.id)
    text = f"Restored the stub of {ex.id} at {ws.file(ex)}."
    if backup:
        text += f"\nYour version is kept at {backup}."
    emit(args, {"exercise": ex.id, "file": str(ws.file(ex)), "backup": str(backup) if backup else None}, text)
    return OK


def _reset_follow(args, c, ws) -> int:
    """`reset LESSON --follow-along`: the lesson's follow-along file as shipped (yours kept as a backup)."""
    from tutor.cli.lookup import lesson
    from tutor.course.workspace import follow_file, reset_follow

    les = lesson(c, args.id)
    try:
        backup = reset_follow(ws, les.id)
    except FileNotFoundError as e:
        return fail(args, str(e), FAILED)
    target = ws.root / follow_file(les.id)
    text = f"Restored {les.id}'s follow-along file at {target}." + (f"\nYour version is kept at {backup}." if backup else "")
    emit(args, {"lesson": les.id, "file": str(target), "backup": str(backup) if backup else None}, text)
    return OK


def add_commands(add) -> None:
    """Adds this group's commands through `add(name, func, help) -> subparser`."""
    sp = add("init", cmd_init, "create or update a workspace with the exercise stubs")
    sp.add_argument("dir", nargs="?", help="where (default: ./zerohero)")
    sp = add("list", cmd_list, "lessons, exercises and their status (bug hunts marked)")
    sp.add_argument("--hunts", action="store_true", help="list only the bug hunts (drills), in course order")
    sp = add("check", cmd_check, "grade an exercise (default: the next unsolved one)")
    sp.add_argument("id", nargs="?")
    sp.add_argument("--seed", type=int, default=None, help="replay the checks with this seed (0 to 2**32 - 1)")
    sp = add("hint", cmd_hint, "show hints, tier by tier")
    sp.add_argument("id")
    sp.add_argument("--tier", type=int, default=None, help="show hints up to this tier")
    sp = add("solution", cmd_solution, "show the reference solution (after a pass)")
    sp.add_argument("id")
    sp = add("reset", cmd_reset, "restore an exercise's stub, keeping your version as a backup")
    sp.add_argument("id", help="an exercise id, or with --follow-along a lesson id")
    sp.add_argument("--follow-along", action="store_true", help="restore the lesson's follow-along file instead")
