"""Provides `download`: HTTP(S) with a timeout, progress, resume or restart, and a sha256 gate."""

from __future__ import annotations

import http.client
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tutor.data.model import DownloadError
from tutor.data.store import CHUNK, digest

Progress = Callable[[int, "int | None"], None]
"""Called as progress(bytes_done, bytes_total_or_None) while a download runs."""

DEFAULT_TIMEOUT_S = 30.0


def default_timeout() -> float:
    """Seconds to wait for the network: `ZEROHERO_TIMEOUT`, else 30."""
    try:
        return float(os.environ.get("ZEROHERO_TIMEOUT", DEFAULT_TIMEOUT_S))
    except ValueError:
        return DEFAULT_TIMEOUT_S


def download(url: str, dest: Path, *, sha256: str, size: int, timeout: float | None = None,
             progress: Progress | None = None) -> None:
    """Downloads `url` to `dest`, which appears only once its bytes have the expected hash.

    The bytes go to `dest.part` first. An interrupted download leaves that file behind, and the
    next call asks the server for the rest (HTTP Range); a server that ignores the range sends the
    whole file again and the part is overwritten. A resumed file whose hash is wrong is fetched
    once more from the start, in case the part was stale.

    Args:
        url: Where to fetch from (http, https or file).
        dest: The final path; its folder is created.
        sha256: The expected hash (hex); a file with another hash is rejected and deleted.
        size: The expected size in bytes, used to stop an oversized answer early (0: unknown).
        timeout: Seconds to wait for a connection or for the next bytes; default 30.
        progress: Called with (bytes done, total or None) after each chunk.

    Raises:
        DownloadError: with a one-line message saying what failed and what to do.
    """
    timeout = default_timeout() if timeout is None else timeout
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    resumed = _fetch(url, part, size, timeout, progress)
    got = digest(part)[0]
    if got != sha256 and resumed:
        part.unlink(missing_ok=True)
        _fetch(url, part, size, timeout, progress)
        got = digest(part)[0]
    if got != sha256:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{url} sent a file whose sha256 is {got[:12]}…, not the expected "
                            f"{sha256[:12]}…; it was rejected and nothing was saved")
    os.replace(part, dest)


def _fetch(url: str, part: Path, size: int, timeout: float, progress: Progress | None) -> bool:
    """Fills `part` with the whole file, resuming what is there; returns whether it resumed."""
    start = part.stat().st_size if part.exists() else 0
    if size and start >= size:
        return True  # already complete (or oversized): the hash decides
    host = urllib.parse.urlsplit(url).netloc or url
    request = urllib.request.Request(url, headers={"User-Agent": "zerohero", "Accept-Encoding": "identity"})
    if start:
        request.add_header("Range", f"bytes={start}-")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            resumed = start > 0 and response.status == 206 and _range_start(response) == start
            if response.status == 206 and not resumed:
                part.unlink(missing_ok=True)  # a range we did not ask for: ask for the whole file
                return _fetch(url, part, size, timeout, progress)
            if not resumed:
                start = 0  # the server sent the whole file: restart
            length = response.headers.get("Content-Length")
            total = start + int(length) if length and length.isdigit() else (size or None)
            _stream(response, part, start, size, total, url, progress)
            return resumed
    except urllib.error.HTTPError as e:
        if e.code == 416 and start:
            part.unlink(missing_ok=True)  # our part is longer than the file: start again
            return _fetch(url, part, size, timeout, progress)
        raise DownloadError(f"downloading {url} failed: the server answered HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        if isinstance(e.reason, (TimeoutError, socket.timeout)):
            raise DownloadError(f"no answer from {host} within {timeout:g} s; is this computer offline?") from None
        raise DownloadError(f"cannot reach {host} ({e.reason}); is this computer offline?") from None
    except (TimeoutError, socket.timeout):
        raise DownloadError(f"the download from {host} stalled for {timeout:g} s; "
                            "run the same command again to resume it") from None
    except (OSError, http.client.HTTPException) as e:
        raise DownloadError(f"the download from {host} broke off ({e}); "
                            "run the same command again to resume it") from None
    except ValueError as e:
        raise DownloadError(f"not a URL that can be downloaded: {url} ({e})") from None


def _range_start(response) -> int | None:
    # "Content-Range: bytes 100-999/1000" -> 100
    value = response.headers.get("Content-Range", "")
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None


def _stream(response, part: Path, start: int, size: int, total: int | None, url: str,
            progress: Progress | None) -> None:
    done = start
    with part.open("ab" if start else "wb") as f:
        if progress:
            progress(done, total)
        while chunk := response.read(CHUNK):
            done += len(chunk)
            if size and done > size:
                f.close()
                part.unlink(missing_ok=True)
                raise DownloadError(f"{url} sent more than the expected {size:,} bytes; it was rejected")
            f.write(chunk)
            if progress:
                progress(done, total)
        f.flush()
        os.fsync(f.fileno())
    if total is not None and done < total:
        raise DownloadError(f"the download of {url} ended early ({done:,} of {total:,} bytes); "
                            "run the same command again to resume it")
