"""Provides `confine`: what a forked child does to itself before it runs any learner code.

Layers, each the best this platform offers: its own session (so the grader can kill everything it
started), resource limits (memory, CPU, file size, processes), an unprivileged user when started
as root, and on Linux a Landlock domain that forbids writing any file, opening network
connections and signalling processes outside the child. `isolation_report()` says which layers
this machine has, so the CLI can say plainly when grading would be unsafe.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys

NOBODY = 65534

# Landlock (linux/landlock.h).
_SYS_CREATE, _SYS_ADD_RULE, _SYS_RESTRICT = 444, 445, 446
_CREATE_VERSION = 1
_FS_WRITE_RIGHTS = {  # access rights by the ABI that introduced them
    1: (1 << 1) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10)
    | (1 << 11) | (1 << 12),  # write_file, remove_dir/file, make_char/dir/reg/sock/fifo/block/sym
    2: 1 << 13,  # refer
    3: 1 << 14,  # truncate
    5: 1 << 15,  # ioctl_dev
}
_NET_RIGHTS = (1 << 0) | (1 << 1)  # bind_tcp, connect_tcp (ABI 4)
_SCOPES = (1 << 0) | (1 << 1)  # abstract unix sockets, signals (ABI 6)
_PR_SET_NO_NEW_PRIVS, _PR_SET_PDEATHSIG, _PR_SET_DUMPABLE = 38, 1, 4


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


def _libc():
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 where there is none (not Linux, or disabled)."""
    if not sys.platform.startswith("linux"):
        return 0
    libc = _libc()
    if libc is None:
        return 0
    version = libc.syscall(_SYS_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_VERSION))
    return max(int(version), 0)


def _landlock(libc, abi: int) -> bool:
    fs = 0
    for since, rights in _FS_WRITE_RIGHTS.items():
        if abi >= since:
            fs |= rights
    attr = _RulesetAttr(fs, _NET_RIGHTS if abi >= 4 else 0, _SCOPES if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    fd = libc.syscall(_SYS_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if fd < 0:
        return False
    # No rules are added: every handled access (writes, connect, signals out) is denied everywhere.
    ok = libc.syscall(_SYS_RESTRICT, ctypes.c_int(fd), ctypes.c_uint32(0)) == 0
    os.close(fd)
    return ok


def _limit(which: int, value: int) -> None:
    try:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):
        pass  # a limit this platform will not set; the wall-clock kill still applies


def _address_space() -> int:
    """Current virtual size, so the memory limit is headroom above what torch already maps."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def confine(memory_mb: int, cpu_s: float) -> list[str]:
    """Restricts the calling (child) process; returns the layers that took effect."""
    layers = []
    os.setsid()
    libc = _libc()
    if libc is not None and sys.platform.startswith("linux"):
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the grader
    if sys.platform.startswith("linux"):
        _limit(resource.RLIMIT_AS, _address_space() + memory_mb * 1024 * 1024)
        layers.append(f"memory {memory_mb} MB")
    _limit(resource.RLIMIT_CPU, int(cpu_s) + 1)
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_FSIZE, 1 << 20)
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        layers.append("unprivileged user")
    if hasattr(resource, "RLIMIT_NPROC"):
        _limit(resource.RLIMIT_NPROC, 16 if os.geteuid() == NOBODY else 512)
    if libc is not None and sys.platform.startswith("linux"):
        libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        abi = landlock_abi()
        if abi and _landlock(libc, abi):
            layers.append(f"landlock v{abi}")
    return layers


def isolation_report() -> tuple[bool, str]:
    """Whether this machine can grade untrusted code safely, and a sentence saying how.

    Returns:
        (ok, text): ok is False where a needed layer (fork, resource limits) is missing.
    """
    if not hasattr(os, "fork"):
        return False, "this platform has no fork(); zerohero grades on Linux and macOS only"
    parts = ["separate process", "wall-clock limit", "output cap"]
    if sys.platform.startswith("linux"):
        parts.append("memory limit")
        abi = landlock_abi()
        parts.append(f"Landlock v{abi} (no file writes, no network)" if abi else "no Landlock")
    else:
        parts.append("no memory limit on this platform (RLIMIT_AS is Linux-only)")
    if os.geteuid() == 0:
        parts.append("runs as nobody")
    return True, ", ".join(parts)
