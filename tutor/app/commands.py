"""Provides `commands`: the command palette's entries, one per key binding in reach and per lesson."""

from __future__ import annotations

from functools import partial
from typing import Iterable

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen


def commands(app, screen: Screen) -> Iterable[SystemCommand]:
    """Every binding of `screen` and of the app (by description, once), then open/train per lesson.

    Args:
        app: The `ZeroHeroApp`.
        screen: The screen the palette was opened from; its actions run there.
    """
    seen = set()
    for binding in [*getattr(screen, "BINDINGS", []), *app.BINDINGS]:
        if not isinstance(binding, Binding) or not binding.description or binding.description in seen:
            continue
        seen.add(binding.description)
        key = binding.key_display or binding.key.split(",")[0]
        target = app if binding in app.BINDINGS else screen
        yield SystemCommand(binding.description, f"key: {key}", partial(target.run_action, binding.action))
    if app.session is None:
        return
    for lesson in app.course.lessons:
        yield SystemCommand(f"Open lesson {lesson.number}: {lesson.title}", lesson.summary,
                            partial(app.goto_lesson, lesson))
        if lesson.runs:
            yield SystemCommand(f"Train lesson {lesson.number}: {lesson.runs[0].title}",
                                "the live training view", partial(app.goto_training, lesson))
