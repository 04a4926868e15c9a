"""Provides `c_library`: the C library through ctypes, for the system calls `os` does not offer
(prctl, unshare, mount, landlock_*, seccomp's filter), one loader for every module that needs it."""

from __future__ import annotations

import ctypes


def c_library() -> ctypes.CDLL | None:
    """The process's C library with errno kept (`ctypes.get_errno`), or None where there is none."""
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
