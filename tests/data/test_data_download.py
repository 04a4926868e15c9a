"""Tests the download: verified, atomic, resumable, and a clear one-line failure without a network."""

from __future__ import annotations

import hashlib
import time

import pytest

from tutor.data.download import download
from tutor.data.model import DownloadError

BODY = bytes(range(256)) * 1000  # 256 kB: several chunks, so resume and progress have work to do
SHA = hashlib.sha256(BODY).hexdigest()


def test_download_writes_the_verified_file_and_reports_progress(server, tmp_path):
    server.files["/f"] = BODY
    seen = []
    dest = tmp_path / "out" / "f.txt"
    download(server.url("/f"), dest, sha256=SHA, size=len(BODY), progress=lambda d, t: seen.append((d, t)))
    assert dest.read_bytes() == BODY
    assert not dest.with_name("f.txt.part").exists()
    assert seen[-1] == (len(BODY), len(BODY))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_corrupted_file_is_rejected_and_nothing_is_kept(server, tmp_path):
    bad = bytearray(BODY)
    bad[1234] ^= 0xFF
    server.files["/f"] = bytes(bad)
    dest = tmp_path / "f.txt"
    with pytest.raises(DownloadError, match="sha256.*rejected"):
        download(server.url("/f"), dest, sha256=SHA, size=len(BODY))
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []


def test_an_oversized_answer_is_stopped(server, tmp_path):
    server.files["/f"] = BODY + b"x" * 100_000
    with pytest.raises(DownloadError, match="more than the expected"):
        download(server.url("/f"), tmp_path / "f.txt", sha256=SHA, size=len(BODY))
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_download_resumes_with_a_range_request(server, tmp_path):
    server.files["/f"] = BODY
    server.mode["/f"] = "cut"
    dest = tmp_path / "f.txt"
    with pytest.raises(DownloadError, match="again to resume"):
        download(server.url("/f"), dest, sha256=SHA, size=len(BODY))
    part = tmp_path / "f.txt.part"
    assert not dest.exists() and 0 < part.stat().st_size < len(BODY)
    download(server.url("/f"), dest, sha256=SHA, size=len(BODY))
    assert dest.read_bytes() == BODY
    assert server.requests[-1][1] == f"bytes={len(BODY) // 2}-"


def test_a_server_that_ignores_range_restarts_cleanly(server, tmp_path):
    server.files["/f"] = BODY
    server.mode["/f"] = "ignore-range"
    (tmp_path / "f.txt.part").write_bytes(BODY[:5000])
    download(server.url("/f"), tmp_path / "f.txt", sha256=SHA, size=len(BODY))
    assert (tmp_path / "f.txt").read_bytes() == BODY


def test_a_stale_part_is_fetched_again_from_the_start(server, tmp_path):
    server.files["/f"] = BODY
    (tmp_path / "f.txt.part").write_bytes(b"\0" * 5000)  # not the start of this file
    download(server.url("/f"), tmp_path / "f.txt", sha256=SHA, size=len(BODY))
    assert (tmp_path / "f.txt").read_bytes() == BODY
    assert [r for _, r in server.requests] == ["bytes=5000-", None]


def test_a_part_longer_than_the_file_restarts(server, tmp_path):
    server.files["/f"] = BODY[:1000]
    (tmp_path / "f.txt.part").write_bytes(b"y" * 2000)
    sha = hashlib.sha256(BODY[:1000]).hexdigest()
    download(server.url("/f"), tmp_path / "f.txt", sha256=sha, size=0)
    assert (tmp_path / "f.txt").read_bytes() == BODY[:1000]


def test_http_errors_are_one_line(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404") as e:
        download(server.url("/nothing"), tmp_path / "f.txt", sha256=SHA, size=len(BODY))
    assert "\n" not in str(e.value)


def test_no_network_fails_fast_and_clearly(closed_port, tmp_path):
    with pytest.raises(DownloadError, match="cannot reach 127.0.0.1.*offline") as e:
        download(closed_port, tmp_path / "f.txt", sha256=SHA, size=len(BODY), timeout=2)
    assert "\n" not in str(e.value)


def test_a_silent_network_times_out(silent_port, tmp_path):
    t0 = time.monotonic()
    with pytest.raises(DownloadError, match=r"within 0\.5 s|stalled for 0\.5 s"):
        download(silent_port, tmp_path / "f.txt", sha256=SHA, size=len(BODY), timeout=0.5)
    assert time.monotonic() - t0 < 5
    assert not (tmp_path / "f.txt").exists()


def test_the_timeout_comes_from_the_environment(silent_port, tmp_path, monkeypatch):
    monkeypatch.setenv("ZEROHERO_TIMEOUT", "0.3")
    with pytest.raises(DownloadError, match=r"0\.3 s"):
        download(silent_port, tmp_path / "f.txt", sha256=SHA, size=len(BODY))
