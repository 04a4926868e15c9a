"""Provides the plain-data wire format between the sandboxed child and the grader.

The child sends length-prefixed JSON frames. Arrays travel as dtype + shape + base64 bytes and are
rebuilt with `np.frombuffer` from a small allow-list of dtypes: nothing is ever unpickled, and a
frame that does not parse is evidence of tampering, never a result.
"""

from __future__ import annotations

import base64
import json
import math
import struct
from typing import Any

import numpy as np

MAX_FRAME = 64 * 1024 * 1024
MAX_STRING = 2000
ALLOWED_DTYPES = {
    "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool",
}


class ProtocolError(ValueError):
    """A frame the child sent is not plain data of the expected form."""


def to_plain(value: Any, depth: int = 0) -> Any:
    """Converts a probe's output into JSON-safe plain data (runs in the child)."""
    if depth > 20:
        raise TypeError("output nested too deeply")
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


def from_plain(value: Any, depth: int = 0) -> Any:
    """Rebuilds plain data from a decoded frame (runs in the grader); strict about its form."""
    if depth > 22:
        raise ProtocolError("nested too deeply")
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return value[:MAX_STRING]
    if isinstance(value, list):
        return [from_plain(v, depth + 1) for v in value]
    if isinstance(value, dict):
        if "__array__" in value:
            dtype, shape = value.get("__array__"), value.get("shape")
            if dtype not in ALLOWED_DTYPES or not isinstance(shape, list):
                raise ProtocolError(f"bad array header {dtype!r}")
            if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
                raise ProtocolError("bad array shape")
            raw = base64.b64decode(value.get("b64", ""), validate=True)
            count = math.prod(shape)
            if len(raw) != count * np.dtype(dtype).itemsize:
                raise ProtocolError("array size does not match its shape")
            return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        if "__float__" in value:
            text = value["__float__"]
            if text not in ("nan", "inf", "-inf"):
                raise ProtocolError("bad float")
            return float(text)
        return {str(k): from_plain(v, depth + 1) for k, v in value.items()}
    raise ProtocolError(f"unexpected {type(value).__name__}")


def pack(message: dict) -> bytes:
    body = json.dumps(message, allow_nan=False).encode()
    return struct.pack("<I", len(body)) + body


def unpack_stream(buffer: bytes) -> tuple[list[dict], bytes]:
    """Splits complete frames off the front of `buffer`; returns them and the rest."""
    frames = []
    while len(buffer) >= 4:
        (size,) = struct.unpack("<I", buffer[:4])
        if size > MAX_FRAME:
            raise ProtocolError("frame too large")
        if len(buffer) < 4 + size:
            break
        body, buffer = buffer[4 : 4 + size], buffer[4 + size :]
        try:
            message = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ProtocolError("frame is not JSON") from None
        if not isinstance(message, dict):
            raise ProtocolError("frame is not an object")
        frames.append(message)
    return frames, buffer
