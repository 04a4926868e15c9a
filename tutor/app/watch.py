"""Provides `watch`: file events on the workspace's exercises (watchfiles), with a polling safety net.

Run it as an async worker (`group="watch"`). It calls `changed(path)` for every Python file that
was written or deleted (a deleted exercise is graded too, so its old feedback does not stay). File events come through `watchfiles.awatch`; a poller compares modification times
beside it, because events do not arrive everywhere (network and container mounts, some editors'
save strategies, an inotify limit). The receiver de-duplicates by content, so a save seen both
ways is graded once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable

POLL_S = 0.5
"""The poller's period: a save is noticed within this even when no file event arrives."""

Snapshot = dict[Path, tuple[int, int]]


def snapshot(root: Path) -> Snapshot:
    """(mtime_ns, size) of every .py file under `root` (missing root: empty)."""
    out: Snapshot = {}
    try:
        for path in root.rglob("*.py"):
            try:
                st = path.stat()
            except OSError:
                continue
            out[path] = (st.st_mtime_ns, st.st_size)
    except OSError:
        pass
    return out


async def poll(root: Path, changed: Callable[[Path], None], period_s: float = POLL_S) -> None:
    """Calls `changed` for files whose mtime or size moved, or that went, since the last look, forever."""
    before = await asyncio.to_thread(snapshot, root)
    while True:
        await asyncio.sleep(period_s)
        now = await asyncio.to_thread(snapshot, root)
        for path, stamp in now.items():
            if before.get(path) != stamp:
                changed(path)
        for path in before.keys() - now.keys():
            changed(path)
        before = now


async def events(root: Path, changed: Callable[[Path], None]) -> bool:
    """Calls `changed` on file events until cancelled; False at once when events are unavailable."""
    try:
        from watchfiles import awatch
    except ImportError:
        return False
    if not root.is_dir():
        return False
    try:
        async for batch in awatch(root, debounce=400, step=30, recursive=True):
            for change, raw in batch:
                if raw.endswith(".py"):
                    changed(Path(raw))
    except (OSError, RuntimeError):
        return False
    return True


async def watch(root: Path, changed: Callable[[Path], None], period_s: float = POLL_S) -> None:
    """File events and the poller together, until the worker is cancelled."""
    await asyncio.gather(events(root, changed), poll(root, changed, period_s))
