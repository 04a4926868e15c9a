"""Test helpers: grade a learner file written from source, and read a verdict's failures."""

from __future__ import annotations

import textwrap

from tutor.course.loader import load_course
from tutor.grader.grade import grade

# The ways into autograd each manual-backprop exercise's tests try: a body that sets
# g = ∂{f}/∂{x} through autograd, and what the failure message must name.
AUTOGRAD_WAYS = {
    "backward": ("l = {x}\n    loss = {f}\n    loss.backward()\n    g = l.grad", "Tensor.backward()"),
    "autograd_grad": ("l = {x}\n    g = torch.autograd.grad({f}, l)[0]", "torch.autograd.grad()"),
    "func_grad": ("g = torch.func.grad(lambda l: {f})({x})", "torch.func.grad()"),
    "requires_grad_": ("l = {x}.detach().clone().requires_grad_()\n    {f}.backward()\n    g = l.grad",
                       "Tensor.requires_grad_()"),
    "enable_grad": ("with torch.enable_grad():\n        l = {x}.detach().clone().requires_grad_()\n"
                    "        {f}.backward()\n    g = l.grad", "torch.enable_grad()"),
}


def grade_source(tmp_path, exercise_id: str, source: str, seed: int = 7, manual_backprop: bool | None = None,
                 siblings: dict[str, str] | None = None):
    """Writes `source` where a workspace keeps the exercise's file and grades it with `seed`.

    Args:
        manual_backprop: when given, the exercise must be (or not be) a manual-backprop one.
        siblings: other files to write beside it, {file name: source} (the learner's own modules,
            e.g. the value.py that mlp.py imports).
    """
    ex = load_course().exercise(exercise_id)
    assert ex is not None
    if manual_backprop is not None:
        assert ex.manual_backprop == manual_backprop
    path = tmp_path / ex.file  # exercises/<lesson>/<name>.py, as in a workspace
    path.parent.mkdir(parents=True, exist_ok=True)
    for name, text in (siblings or {}).items():
        (path.parent / name).write_text(textwrap.dedent(text))
    path.write_text(textwrap.dedent(source))
    return grade(ex, path, seed=seed)


def failure_text(verdict) -> str:
    """The verdict's error and every failing check as `name: message`, one per line."""
    return "\n".join([verdict.error or ""] + [f"{c.name}: {c.message}" for c in verdict.checks if not c.passed])


def fails_with(verdict, *phrases) -> None:
    assert not verdict.passed
    text = failure_text(verdict)
    for phrase in phrases:
        assert phrase in text, text
