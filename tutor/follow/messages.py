"""Provides `parse_message`: a line from the follow-along kernel child, read as untrusted input.

The child runs learner code, and a cell can reach the kernel's own channel (same process), so a
line may be anything. It is decoded with the grader protocol's bounded decoder and checked here:
known kinds with known keys only, strings bounded, panels through tutor.training.events' panel
validation (what the app draws). Anything else is an `EventError`, and the kernel is ended.

Kinds: "ready" {layers}, "stdout"/"stderr"/"value" {text}, "panel" {title, panel},
"error" {text, type, name}, "done" {elapsed_s}.
"""

from __future__ import annotations

from tutor.grader import protocol
from tutor.training.events import EventError, _panels

MAX_LINE = 4 * 1024 * 1024
MAX_TEXT = 64 * 1024
"""Characters of text one cell shows (its child cuts there too; the parent does not trust it to)."""


def _text(value, where: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise EventError(f"{where}: not a string of at most {limit:,} characters")
    return value


def parse_message(line: bytes) -> dict:
    """One line from the child as a checked message.

    Raises:
        EventError: for anything that is not one of the kinds above, with its keys and bounds.
    """
    try:
        m = protocol.decode(line)
    except protocol.ProtocolError as e:
        raise EventError(f"not a message ({e})") from None
    if not isinstance(m, dict) or not isinstance(m.get("kind"), str):
        raise EventError("not a message")
    kind = m["kind"]
    keys = {"stdout": {"text"}, "stderr": {"text"}, "value": {"text"}, "panel": {"title", "panel"},
            "error": {"text", "type", "name"}, "done": {"elapsed_s"}, "ready": {"layers"}}.get(kind)
    if keys is None or set(m) - keys - {"kind"}:
        raise EventError(f"unknown message {kind[:40]!r} or key")
    out = {"kind": kind}
    if "text" in keys:
        out["text"] = _text(m.get("text", ""), kind, MAX_TEXT + 100)
    if kind == "panel":
        title = _text(m.get("title"), "panel title", 200)
        out["panel"] = {**_panels({title: m.get("panel")})[title], "title": title}
    elif kind == "error":
        out["type"] = _text(m.get("type", ""), "error type", 100)
        out["name"] = None if m.get("name") is None else _text(m["name"], "error name", 200)
    elif kind == "done":
        s = m.get("elapsed_s")
        if type(s) not in (int, float) or not 0 <= s < 1e9:
            raise EventError("done: elapsed_s is not a time")
        out["elapsed_s"] = float(s)
    elif kind == "ready":
        layers = m.get("layers")
        if not isinstance(layers, list) or len(layers) > 32:
            raise EventError("ready: layers is not a list")
        out["layers"] = [_text(x, "layer", 200) for x in layers]
    return out
