"""Provides the plain-data wire format between a sandboxed child and the tutor.

The grading child sends length-prefixed JSON frames; the training child sends JSON lines. Either
way every byte is untrusted input: frames are size-bounded while they are read (`FrameReader`),
decoded in linear time with bounded depth and number size (`decode`), and checked against a schema
(`validate_frame`). Arrays travel as dtype + shape + base64 bytes and are rebuilt with
`np.frombuffer` from a small allow-list of dtypes: nothing is ever unpickled, and anything that
does not fit is a `ProtocolError` (evidence of tampering, never a result).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import struct
from typing import Any

import numpy as np

MAX_FRAME = 64 * 1024 * 1024
MAX_TOTAL = 256 * 1024 * 1024
MAX_STRING = 2000
MAX_TEXT = 8000
"""A trace or message in a frame (the child cuts traces at 4000 characters)."""
MAX_NAME = 200
MAX_DEPTH = 32
"""Nesting of lists and objects in one frame; outputs are at most ~20 deep (`to_plain`)."""
MAX_INT_DIGITS = 1000
"""Beyond 10**400 (a wrong answer, still compared), short of Python's 4300-digit str limit."""
MAX_NUMBER_CHARS = 1100
MAX_DIMS = 32
MAX_DIM = 1 << 40
ALLOWED_DTYPES = {
    "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool",
}
KINDS = {
    "ready": {}, "done": {},
    "case": {"index": "index", "outputs": "any"},
    "case-error": {"index": "index", "error": "name", "trace": "text"},
    "import-error": {"trace": "text"},
    "missing": {"names": "names"},
}
"""Each frame kind the grading child sends, with its fields and their types."""


class ProtocolError(ValueError):
    """Bytes a child sent are not plain data of the expected form."""


# -- decoding -----------------------------------------------------------------------------------
# A JSON string, consumed possessively (no backtracking) up to its closing quote or the end of
# the text: linear time even on an unterminated string full of escaped quotes.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = np.zeros(256, dtype=np.int64)
_DEPTH_STEP[[ord("["), ord("{")]] = 1
_DEPTH_STEP[[ord("]"), ord("}")]] = -1


def _check_depth(text: str) -> None:
    """Refuses nesting deeper than MAX_DEPTH before `json.loads` would recurse into it."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return  # the common case: too few brackets to nest that deep
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if brackets and int(np.cumsum(_DEPTH_STEP[np.frombuffer(brackets.encode(), np.uint8)]).max()) > MAX_DEPTH:
        raise ProtocolError(f"nested more than {MAX_DEPTH} deep")


def _int(text: str) -> int:
    if len(text) - text.startswith("-") > MAX_INT_DIGITS:
        raise ProtocolError(f"a number with more than {MAX_INT_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    value = float(text) if len(text) <= MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value):
        raise ProtocolError("a number out of range")
    return value


def _constant(text: str) -> None:
    raise ProtocolError(f"{text} is not JSON")


_DECODER = json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_constant)


def decode(body: bytes) -> Any:
    """Parses one JSON document from a child: UTF-8, depth and numbers bounded.

    Raises:
        ProtocolError: with a short reason, for anything else.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("not UTF-8 text") from None
    _check_depth(text)
    try:
        return _DECODER.decode(text)
    except ProtocolError:
        raise
    except (ValueError, RecursionError):
        raise ProtocolError("not JSON") from None


class FrameReader:
    """Splits a child's byte stream into frames as it arrives; bounded and linear time.

    Each frame is a 4-byte little-endian length and that many bytes of JSON holding an object.
    """

    def __init__(self, max_frame: int = MAX_FRAME, max_total: int = MAX_TOTAL,
                 max_frames: int | None = None):
        """Args:
            max_frame: the largest frame body, refused as soon as its header arrives.
            max_total: all bytes of the stream together.
            max_frames: how many frames the stream may hold at most (None: any number).
        """
        self.max_frame, self.max_total, self.max_frames = max_frame, max_total, max_frames
        self.total = 0
        self.count = 0
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        """Bytes of a frame that has not fully arrived yet."""
        return len(self._buffer)

    def feed(self, chunk: bytes) -> list[dict]:
        """Adds `chunk` and returns the frames it completed.

        Raises:
            ProtocolError: a limit was passed or a frame does not decode to an object.
        """
        self.total += len(chunk)
        if self.total > self.max_total:
            raise ProtocolError(f"more than {self.max_total} bytes in all")
        buffer = self._buffer
        buffer += chunk
        frames, pos, end = [], 0, len(buffer)
        try:
            while end - pos >= 4:
                (size,) = struct.unpack_from("<I", buffer, pos)
                if size > self.max_frame:
                    raise ProtocolError(f"a frame of {size} bytes (at most {self.max_frame})")
                if end - pos - 4 < size:
                    break
                message = decode(bytes(buffer[pos + 4 : pos + 4 + size]))
                pos += 4 + size
                if not isinstance(message, dict):
                    raise ProtocolError("a frame that is not an object")
                self.count += 1
                if self.max_frames is not None and self.count > self.max_frames:
                    raise ProtocolError(f"more than {self.max_frames} frames")
                frames.append(message)
        finally:
            del buffer[:pos]  # once per feed, not per frame: linear in the bytes read
        return frames

    def finish(self) -> None:
        """Call at the end of the stream. Raises ProtocolError if it ended inside a frame."""
        if self._buffer:
            raise ProtocolError("the stream ended mid-frame")


def unpack_stream(buffer: bytes) -> tuple[list[dict], bytes]:
    """Splits complete frames off the front of `buffer`; returns them and the rest."""
    reader = FrameReader()
    frames = reader.feed(buffer)
    return frames, bytes(reader._buffer)


def validate_frame(frame: Any, n_cases: int) -> dict:
    """Checks one decoded frame of the grading child against `KINDS`; returns a cleaned copy.

    Raises:
        ProtocolError: an unknown kind or key, an index that is not an int in range, a string that
            is too long, names that are not a short list of strings.
    """
    if not isinstance(frame, dict):
        raise ProtocolError("a frame that is not an object")
    kind = frame.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise ProtocolError(f"unknown frame kind {str(kind)[:40]!r}")
    fields, frame = KINDS[kind], dict(frame)
    unknown = set(frame) - set(fields) - {"kind"}
    if unknown:
        raise ProtocolError(f"unknown key {sorted(unknown)[0][:40]!r} in a {kind} frame")
    for key, form in fields.items():
        if key not in frame:
            raise ProtocolError(f"a {kind} frame without {key!r}")
        value = frame[key]
        if form == "index":
            if type(value) is not int or not 0 <= value < n_cases:
                raise ProtocolError(f"case index {str(value)[:40]} is not one of 0..{n_cases - 1}")
        elif form in ("name", "text"):
            limit = MAX_NAME if form == "name" else MAX_TEXT
            if not isinstance(value, str) or len(value) > limit:
                raise ProtocolError(f"{key!r} is not a string of at most {limit} characters")
            frame[key] = _text(value, limit)
        elif form == "names":
            if (not isinstance(value, list) or len(value) > 100
                    or not all(isinstance(n, str) and len(n) <= MAX_NAME for n in value)):
                raise ProtocolError(f"{key!r} is not a short list of names")
            frame[key] = [_text(n, MAX_NAME) for n in value]
    return frame


# -- plain data ---------------------------------------------------------------------------------
def _text(value: str, limit: int = MAX_STRING) -> str:
    """`value` cut to `limit`, with lone surrogates (valid JSON, unprintable) replaced."""
    value = value[:limit]
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def to_plain(value: Any, depth: int = 0) -> Any:
    """Converts a probe's output into JSON-safe plain data (runs in the child)."""
    if depth > 20:
        raise TypeError("output nested too deeply")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**MAX_INT_DIGITS:
        raise TypeError(f"cannot send an integer of more than {MAX_INT_DIGITS} digits")
    if value is None or isinstance(value, (bool, int, str)):
        return value[:MAX_STRING] if isinstance(value, str) else value
    if isinstance(value, float):
        return {"__float__": repr(value)} if not math.isfinite(value) else value
    if isinstance(value, np.generic):
        return to_plain(value.item(), depth + 1)
    if type(value).__module__.startswith("torch"):
        value = value.detach().cpu().numpy() if hasattr(value, "detach") else value
    if isinstance(value, np.ndarray):
        dtype = str(value.dtype)
        if dtype not in ALLOWED_DTYPES:
            raise TypeError(f"cannot send an array of dtype {dtype}")
        data = np.ascontiguousarray(value).tobytes()
        return {"__array__": dtype, "shape": list(value.shape), "b64": base64.b64encode(data).decode()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v, depth + 1) for k, v in value.items()}
    raise TypeError(f"cannot send a value of type {type(value).__name__}")


def _array(value: dict) -> np.ndarray:
    dtype, shape, b64 = value.get("__array__"), value.get("shape"), value.get("b64", "")
    if not isinstance(dtype, str) or dtype not in ALLOWED_DTYPES:
        raise ProtocolError(f"bad array dtype {str(dtype)[:40]!r}")
    if not isinstance(shape, list) or len(shape) > MAX_DIMS or not all(
            type(n) is int and 0 <= n <= MAX_DIM for n in shape):
        raise ProtocolError("bad array shape")
    if not isinstance(b64, str):
        raise ProtocolError("bad array data")
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise ProtocolError("array data is not base64") from None
    if len(raw) != math.prod(shape) * np.dtype(dtype).itemsize:
        raise ProtocolError("array size does not match its shape")
    try:
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    except ValueError:
        raise ProtocolError("bad array shape") from None


def from_plain(value: Any, depth: int = 0) -> Any:
    """Rebuilds plain data from a decoded frame (runs in the tutor); strict about its form.

    Raises:
        ProtocolError: and nothing else, whatever JSON value it is given.
    """
    if depth > 22:
        raise ProtocolError("nested too deeply")
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):  # `to_plain` sends these as {"__float__": ...}
            raise ProtocolError("a bare non-finite number")
        return value
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, list):
        return [from_plain(v, depth + 1) for v in value]
    if isinstance(value, dict):
        if "__array__" in value:
            return _array(value)
        if "__float__" in value:
            text = value["__float__"]
            if not isinstance(text, str) or text not in ("nan", "inf", "-inf"):
                raise ProtocolError("bad float")
            return float(text)
        return {_text(str(k)): from_plain(v, depth + 1) for k, v in value.items()}
    raise ProtocolError(f"unexpected {type(value).__name__}")


def pack(message: dict) -> bytes:
    body = json.dumps(message, allow_nan=False).encode()
    return struct.pack("<I", len(body)) + body
