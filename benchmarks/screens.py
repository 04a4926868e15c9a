"""Renders the README's screenshots (docs/screens/*.svg) from the real course, real grader and real training.

Run: python benchmarks/screens.py [--out docs/screens]
A fresh workspace is made in a temporary folder; the learner's files are the reference solutions,
one of them with a typical slip, so the feedback shown is the grader's own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZE = (140, 42)
SLIP = ("            self.grad += other.data * out.grad\n", "            self.grad += out.grad\n")
"""The slip shown in the feedback: the product rule forgotten in Value.__mul__'s backward."""


async def until(pilot, predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        await pilot.pause(0.1)


async def shoot(out: Path) -> None:
    from tutor.app.app import make_app
    from tutor.app.screens.help import HelpScreen
    from tutor.app.screens.lesson import LessonScreen
    from tutor.app.screens.train import TrainScreen
    from tutor.course.loader import load_course
    from tutor.course.workspace import init

    course = load_course()
    lesson = course.lessons[0]
    ws, _ = init(course, Path(tempfile.mkdtemp(prefix="zh-screens-")) / "zerohero")
    for ex in lesson.exercises:
        shutil.copyfile(lesson.path / ex.solution_file, ws.file(ex))
    data = os.environ.get("ZEROHERO_DATA")
    app = make_app(course, ws, watch=False, data_dir=Path(data) if data else None)
    out.mkdir(parents=True, exist_ok=True)
    async with app.run_test(size=SIZE) as pilot:
        for ex in lesson.exercises:  # every exercise passes, so the run trains the learner's code
            app.request_grade(ex, "manual")
            await until(pilot, lambda: ex.id in app.session.last_verdicts)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.press("1")
        await pilot.pause(1.0)
        app.save_screenshot("lesson.svg", str(out))
        value = lesson.exercise("value")
        path = ws.file(value)
        path.write_text(path.read_text().replace(*SLIP))
        app.screen._show(value)
        app.request_grade(value, "saved")
        await until(pilot, lambda: not app.session.last_verdicts[value.id].passed)
        await pilot.press("2", "h")
        await pilot.pause(0.3)
        app.screen.query_one("#feedback").scroll_home(animate=False)
        await pilot.pause(0.5)
        app.save_screenshot("feedback.svg", str(out))
        shutil.copyfile(lesson.path / value.solution_file, path)
        app.request_grade(value, "saved")
        await until(pilot, lambda: app.session.last_verdicts[value.id].passed)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TrainScreen))
        await pilot.press("s")
        await until(pilot, lambda: app.live and app.live.latest.get("step", 0) >= 40 and app.live.panels)
        await pilot.press("space")
        await pilot.pause(0.5)
        app.save_screenshot("train.svg", str(out))
        await pilot.press("x")
        await until(pilot, lambda: not app.live.active)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause(0.3)
        app.save_screenshot("help.svg", str(out))
        await pilot.press("question_mark", "escape", "escape")
        await pilot.pause(0.5)
        app.save_screenshot("home.svg", str(out))
        await follow_along(app, pilot, course, ws, out)
    shutil.rmtree(ws.root.parent, ignore_errors=True)


FOLLOW = {  # cells of bigram's follow-along file, typed along with the lecture
    "# %% 1. The data set\n": "# %% 1. The data set\nlen(words), words[:5]\n",
    "N = torch.zeros((27, 27), dtype=torch.int32)\n": "N = torch.zeros((27, 27), dtype=torch.int32)\n"
    "for w in words:\n    chs = ['.'] + list(w) + ['.']\n    for ch1, ch2 in zip(chs, chs[1:]):\n"
    "        N[stoi[ch1], stoi[ch2]] += 1\n",
}


async def follow_along(app, pilot, course, ws, out: Path) -> None:
    """Bigram's follow-along tab: the data set and the counting cells run in the jailed kernel,
    the count matrix drawn by show(N)."""
    from tutor.app.screens.lesson import LessonScreen
    from tutor.app.widgets.follow_view import FollowPane

    lesson = course.lesson("bigram")
    path = ws.root / "exercises" / "bigram" / "follow_along.py"
    text = path.read_text()
    for old, new in FOLLOW.items():
        text = text.replace(old, new, 1)
    path.write_text(text)
    app.open_lesson(lesson)
    await until(pilot, lambda: isinstance(app.screen, LessonScreen))
    await pilot.press("3")
    await until(pilot, lambda: app.screen.query(FollowPane))
    pane = app.screen.query_one(FollowPane)
    pane.reload()
    counting = next(i for i, c in enumerate(pane.book.cells) if "Counting" in c.cell.title)
    pane.move(counting - pane.current)
    pane.action_run(through=True)
    await pilot.pause(1.0)
    await until(pilot, lambda: not pane.book.busy, timeout=300)
    await pilot.pause(1.0)
    app.save_screenshot("follow.svg", str(out))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screens")
    args = ap.parse_args()
    asyncio.run(shoot(args.out))
    print("\n".join(str(p) for p in sorted(args.out.glob("*.svg"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
