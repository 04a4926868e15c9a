"""Provides the inspect child: `python -m tutor.training.inspect` runs a lesson's `inspect` hook, prints one JSON line.

The hook is trusted course code, but it imports torch and may take seconds, so it never runs in the
app's process. The kept model is read with `np.load(allow_pickle=False)`: an .npz holds arrays only,
never code. The child is confined like the training child (no writes, no network, dies with its
parent) since the file it reads may have come from anywhere (`zerohero sample --file`).
"""

from __future__ import annotations

import json
import sys
import traceback

MAX_SAMPLES = 1000
MAX_TEXT = 20_000


def _plain(value):
    """numpy scalars and arrays as JSON numbers and lists (hooks return plain data, mostly)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot send a value of type {type(value).__name__}")


def _emit(obj: dict) -> None:
    sys.__stdout__.write(json.dumps(obj, default=_plain, allow_nan=True) + "\n")
    sys.__stdout__.flush()


def run(request: dict) -> dict:
    """The hook's output for the request's kept model; raises on any failure."""
    import numpy as np

    from tutor.grader.grade import lesson_module

    with np.load(request["path"], allow_pickle=False) as npz:
        state = {k: npz[k] for k in npz.files}
    hook = getattr(lesson_module(request["lesson"], "model"), "inspect", None)
    if hook is None:
        raise LookupError(f"lesson {request['lesson']} has no inspect hook")
    out = hook(state, request["run"], int(request.get("n") or 10), request.get("seed"))
    if not isinstance(out, dict):
        raise TypeError(f"the inspect hook returned {type(out).__name__}, not a dict")
    if "samples" in out:
        out["samples"] = [str(s) for s in list(out["samples"])[:MAX_SAMPLES]]
    if "text" in out:
        out["text"] = str(out["text"])[:MAX_TEXT]
    return out


def main() -> int:
    request = json.loads(sys.stdin.readline())
    sys.stdout = sys.stderr  # a stray print must not break our one line
    if request.get("confine", True):
        from tutor.training.child import confine

        confine()
    try:
        _emit({"ok": True, "result": run(request)})
        return 0
    except BaseException as exc:  # noqa: BLE001 - any failure is one line the caller shows
        _emit({"ok": False, "error": f"{type(exc).__name__}: {exc}",
               "trace": traceback.format_exc(limit=6)[-3000:]})
        return 1


if __name__ == "__main__":
    sys.exit(main())
