"""What the kernel child sends is checked like the training child's events: known kinds only."""

from __future__ import annotations

import json

import pytest

from tutor.follow.messages import MAX_TEXT, parse_message
from tutor.training.events import EventError


def _line(message) -> bytes:
    return json.dumps(message).encode()


def test_well_formed_messages_pass():
    assert parse_message(_line({"kind": "stdout", "text": "hi\n"})) == {"kind": "stdout", "text": "hi\n"}
    panel = parse_message(_line({"kind": "panel", "title": "N", "panel": {"kind": "heatmap", "values": [[1, 2]]}}))
    assert panel["panel"] == {"kind": "heatmap", "values": [[1, 2]], "title": "N"}
    assert parse_message(_line({"kind": "error", "text": "x", "type": "NameError", "name": "x"}))["name"] == "x"
    assert parse_message(_line({"kind": "done", "elapsed_s": 0.5}))["elapsed_s"] == 0.5


@pytest.mark.parametrize("message, why", [
    ({"kind": "restarted", "text": "x"}, "unknown message"),
    ({"kind": "stdout", "text": "x", "extra": 1}, "unknown message"),
    ({"kind": "stdout", "text": "x" * (MAX_TEXT + 200)}, "not a string"),
    ({"kind": "stdout", "text": 5}, "not a string"),
    ({"kind": "done", "elapsed_s": True}, "not a time"),
    ({"kind": "done", "elapsed_s": -1}, "not a time"),
    ({"kind": "panel", "title": "t", "panel": {"kind": "video"}}, "unknown panel kind"),
    ({"kind": "panel", "title": "t", "panel": {"kind": "heatmap", "values": [[1], [2, 3]]}}, "rectangular"),
    ({"kind": "ready", "layers": "all"}, "not a list"),
    (["kind", "stdout"], "not a message"),
])
def test_anything_else_is_refused(message, why):
    with pytest.raises(EventError, match=why):
        parse_message(_line(message))
    with pytest.raises(EventError, match="not a message"):
        parse_message(b'{"kind": "stdout", "text": "unterminated')
