"""The wire format from a child: frames round-trip; anything malformed is a clean ProtocolError."""

from __future__ import annotations

import json
import math
import struct
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.grader import protocol
from tutor.grader.protocol import FrameReader, ProtocolError, decode, from_plain, pack, to_plain, validate_frame

settings.register_profile("protocol", deadline=None, max_examples=150)
settings.load_profile("protocol")


def _frames(*messages: dict) -> bytes:
    return b"".join(pack(m) for m in messages)


def _raw(body: bytes) -> bytes:
    return struct.pack("<I", len(body)) + body


def _read(data: bytes, chunk: int = 7, **limits) -> list[dict]:
    reader, out = FrameReader(**limits), []
    for i in range(0, len(data), chunk):
        out += reader.feed(data[i:i + chunk])
    reader.finish()
    return out


# -- round trips ---------------------------------------------------------------------------------
def test_frames_round_trip_whatever_the_chunking():
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)
    messages = [{"kind": "ready"},
                {"kind": "case", "index": 0, "outputs": to_plain({"y": arr, "n": 3, "f": math.inf})},
                {"kind": "done"}]
    data = _frames(*messages)
    for chunk in (1, 3, 64, len(data)):
        got = _read(data, chunk)
        assert [m["kind"] for m in got] == ["ready", "case", "done"]
        out = from_plain(got[1]["outputs"])
        assert out["n"] == 3 and out["f"] == math.inf
        assert out["y"].dtype == np.float32 and np.array_equal(out["y"], arr)


plain = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30)
    | st.floats(allow_nan=False, width=64) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(plain)
def test_random_plain_data_round_trips(value):
    data = _frames({"kind": "case", "index": 0, "outputs": to_plain(value)})
    (frame,) = _read(data, chunk=5)
    assert from_plain(frame["outputs"]) == value


@given(st.sampled_from(sorted(protocol.ALLOWED_DTYPES)),
       st.lists(st.integers(0, 4), max_size=3))
def test_arrays_round_trip(dtype, shape):
    arr = (np.arange(math.prod(shape)) % 3).astype(dtype).reshape(shape)
    (frame,) = _read(_frames({"kind": "case", "index": 0, "outputs": to_plain(arr)}))
    back = from_plain(frame["outputs"])
    assert back.dtype == arr.dtype and back.shape == arr.shape and np.array_equal(back, arr)


def test_unpack_stream_still_splits_off_the_rest():
    data = _frames({"kind": "ready"}, {"kind": "done"})
    frames, rest = protocol.unpack_stream(data[:-3])
    assert frames == [{"kind": "ready"}] and rest == data[len(pack({"kind": "ready"})):-3]


# -- malformed streams ---------------------------------------------------------------------------
@pytest.mark.parametrize("body, reason", [
    (b"{not json", "not JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[1, 2]", "not an object"),
    (b'{"kind": NaN}', "NaN is not JSON"),
    (b'{"x": 1e999}', "out of range"),
    (b'{"x": ' + b"7" * 5000 + b"}", "more than 1000 digits"),
    (b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested more than 32 deep"),
    (b'{"x": ' + b"[" * 40 + b'"' + b'\\"' * 200_000, "nested more than 32 deep"),
])
def test_garbled_frames_are_protocol_errors(body, reason):
    with pytest.raises(ProtocolError, match=reason):
        FrameReader().feed(_raw(body))


def test_a_huge_frame_is_refused_from_its_header_alone():
    with pytest.raises(ProtocolError, match="a frame of"):
        FrameReader(max_frame=1000).feed(struct.pack("<I", 1001))


def test_the_total_is_bounded_while_reading():
    reader = FrameReader(max_total=100)
    assert reader.feed(struct.pack("<I", 1000) + b" " * 56) == []  # a frame still arriving...
    with pytest.raises(ProtocolError, match="more than 100 bytes"):
        reader.feed(b" " * 60)  # ...is cut off at the cap, not after it arrived


def test_the_frame_count_can_be_bounded():
    with pytest.raises(ProtocolError, match="more than 2 frames"):
        FrameReader(max_frames=2).feed(_frames(*[{"kind": "ready"}] * 3))


def test_a_truncated_stream_is_an_error_at_the_end():
    reader = FrameReader()
    assert reader.feed(pack({"kind": "done"})[:-1]) == []
    assert reader.pending > 0
    with pytest.raises(ProtocolError, match="mid-frame"):
        reader.finish()


def test_many_tiny_frames_take_linear_time():
    """32 MB of tiny valid frames once took an hour (the buffer was re-sliced per frame)."""
    frame = pack({"kind": "ready"})

    def seconds(n: int) -> float:
        data, reader = frame * n, FrameReader()
        start = time.perf_counter()
        count = sum(len(reader.feed(data[i:i + 65536])) for i in range(0, len(data), 65536))
        assert count == n
        return time.perf_counter() - start

    small, big = seconds(20_000), seconds(160_000)
    assert big < 8 * small * 2.5 + 0.5, (small, big)  # 8× the frames, not 64× the time


# -- the schema ----------------------------------------------------------------------------------
@pytest.mark.parametrize("frame, reason", [
    ({"kind": "launch"}, "unknown frame kind"),
    ({"kind": ["case"]}, "unknown frame kind"),
    ({"kind": "case", "index": [0], "outputs": {}}, "case index"),
    ({"kind": "case", "index": 5, "outputs": {}}, "case index"),
    ({"kind": "case", "index": True, "outputs": {}}, "case index"),
    ({"kind": "case", "index": -1, "outputs": {}}, "case index"),
    ({"kind": "case", "outputs": {}}, "without 'index'"),
    ({"kind": "case", "index": 0, "outputs": {}, "passed": True}, "unknown key 'passed'"),
    ({"kind": "case-error", "index": 0, "error": "E" * 201, "trace": ""}, "'error' is not a string"),
    ({"kind": "case-error", "index": 0, "error": "E", "trace": 7}, "'trace' is not a string"),
    ({"kind": "missing", "names": "scale"}, "short list of names"),
    ({"kind": "missing", "names": [["scale"]]}, "short list of names"),
    ("done", "not an object"),
])
def test_frames_outside_the_schema_are_refused(frame, reason):
    with pytest.raises(ProtocolError, match=reason):
        validate_frame(frame, n_cases=3)


def test_valid_frames_pass_the_schema_cleaned():
    assert validate_frame({"kind": "case", "index": 2, "outputs": {"y": 1}}, 3)["index"] == 2
    frame = validate_frame({"kind": "missing", "names": ["a\ud800"]}, 3)
    frame["names"][0].encode("utf-8")  # a lone surrogate would crash the terminal later


# -- from_plain never raises anything else ------------------------------------------------------
keys = st.sampled_from(["__array__", "__float__", "shape", "b64", "x"]) | st.text(max_size=5)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
    | st.sampled_from(sorted(protocol.ALLOWED_DTYPES) + ["nan", "inf", "object", "AAAA", "=="]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=25,
)


@given(json_value)
def test_from_plain_raises_only_protocol_errors(value):
    try:
        from_plain(value)
    except ProtocolError:
        pass


DEEP: list = [1]
for _ in range(30):
    DEEP = [DEEP]


@pytest.mark.parametrize("value", [
    {"__array__": ["float32"], "shape": [1], "b64": ""},
    {"__array__": "float32", "shape": [2], "b64": 5},
    {"__array__": "float32", "shape": [2], "b64": "***"},
    {"__array__": "float32", "shape": [0, 2**40, 2**40], "b64": ""},
    {"__array__": "float32", "shape": [1] * 40, "b64": "AAAAAA=="},
    {"__array__": "object", "shape": [1], "b64": "AA=="},
    {"__float__": ["nan"]},
    {"__float__": "1e5"},
    DEEP,
    float("nan"),
])
def test_hostile_plain_values_are_protocol_errors(value):
    with pytest.raises(ProtocolError):
        from_plain(value)


def test_decoded_json_feeds_from_plain():
    value = decode(json.dumps({"big": 10**400, "x": [1.5, None]}).encode())
    assert from_plain(value) == {"big": 10**400, "x": [1.5, None]}
