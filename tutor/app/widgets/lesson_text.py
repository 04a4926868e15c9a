"""Provides `LessonText`: the lesson's Markdown (code highlighted), its lecture link, or a 'not written yet' note."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from tutor.course.model import Lesson


def lesson_markdown(lesson: Lesson) -> str:
    """The text to show: lesson.md, or a note for a lesson not written yet (never an exception)."""
    try:
        return lesson.text_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    lines = [f"# {lesson.title}", "", lesson.summary, "",
             "*The text of this lesson is not written yet.*", ""]
    if lesson.exercises:
        lines += ["Its exercises already work: pick one on the left (or press 2), and watch the lecture "
                  "for the ideas behind them.", ""]
    else:
        lines += ["Watch the lecture meanwhile; this lesson's exercises arrive with its text.", ""]
    return "\n".join(lines)


class LessonText(VerticalScroll, can_focus=True):
    """The lesson to read, with the lecture's video link on top."""

    DEFAULT_CSS = """
    LessonText { padding: 0 1; }
    LessonText > #video { color: $text-muted; margin: 1 0 0 0; }
    LessonText > Markdown { margin: 0; padding: 0; max-width: 104; }
    """

    def __init__(self, lesson: Lesson, **kw) -> None:
        super().__init__(**kw)
        self.lesson = lesson

    def compose(self):
        from rich.text import Text

        video = self.lesson.video
        yield Static(Text.assemble("▶ The lecture: ", (video, f"underline link {video}")), id="video")
        yield Markdown(lesson_markdown(self.lesson), id="markdown")
