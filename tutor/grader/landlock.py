"""Provides `restrict`: a Landlock domain for a process that runs learner code (Linux 5.13+).

Every file access right the kernel knows is handled, so nothing may be written, created, removed,
truncated or executed except under `writable` folders; reading is either allowed everywhere
(`readable=None`, the training child, which imports the learner's files and reads data sets) or
only under `readable` (the grader's child: Python, numpy, torch and tutor, never the workspace, its
progress database, the lessons' checks or solutions). TCP bind/connect are refused (ABI 4) and,
from ABI 6, so are abstract UNIX sockets and signals to processes outside the domain.
"""

from __future__ import annotations

import ctypes
import os
import sys

from tutor.grader.clib import c_library

_SYS_CREATE, _SYS_ADD_RULE, _SYS_RESTRICT = 444, 445, 446
_CREATE_VERSION = 1
_RULE_PATH_BENEATH = 1
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
TRUNCATE, IOCTL_DEV = 1 << 14, 1 << 15
_FS_BY_ABI = {1: (1 << 13) - 1, 2: 1 << 13, 3: 1 << 14, 5: 1 << 15}  # rights each ABI introduced
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the ones a file rule may hold
_NET_RIGHTS = (1 << 0) | (1 << 1)  # bind_tcp, connect_tcp (ABI 4)
_SCOPES = (1 << 0) | (1 << 1)  # abstract unix sockets, signals (ABI 6)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("fd", ctypes.c_int32)]



def abi() -> int:
    """The kernel's Landlock ABI version, 0 where there is none (not Linux, or disabled)."""
    libc = c_library() if sys.platform.startswith("linux") else None
    if libc is None:
        return 0
    version = libc.syscall(_SYS_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_VERSION))
    return max(int(version), 0)


def _handled(version: int) -> int:
    return sum(rights for since, rights in _FS_BY_ABI.items() if version >= since)


def _allow(libc, ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a path this machine does not have needs no rule
    try:
        if not os.path.isdir(path):
            rights &= _FILE_RIGHTS
        rule = _PathBeneath(rights, fd)
        libc.syscall(_SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH),
                     ctypes.byref(rule), ctypes.c_uint32(0))
    finally:
        os.close(fd)


def restrict(readable=None, writable=(), devices=()) -> int:
    """Restricts the calling process (no_new_privs must be set); returns the ABI used, 0 if none.

    Args:
        readable: folders and files that may be read; None: reading is not restricted.
        writable: folders where anything may be done (a private scratch).
        devices: device files that may be opened read-write with ioctls (a GPU).
    """
    version = abi()
    libc = c_library()
    if not version or libc is None:
        return 0
    fs = _handled(version)
    if readable is None:
        fs &= ~(READ_FILE | READ_DIR)
    attr = _RulesetAttr(fs, _NET_RIGHTS if version >= 4 else 0, _SCOPES if version >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if version >= 6 else (16 if version >= 4 else 8)
    ruleset = libc.syscall(_SYS_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return 0
    try:
        for path in readable or ():
            _allow(libc, ruleset, path, (READ_FILE | READ_DIR) & fs)
        for path in writable:
            _allow(libc, ruleset, path, fs & ~EXECUTE)
        for path in devices:
            _allow(libc, ruleset, path, (READ_FILE | WRITE_FILE | IOCTL_DEV) & fs)
        ok = libc.syscall(_SYS_RESTRICT, ctypes.c_int(ruleset), ctypes.c_uint32(0)) == 0
    finally:
        os.close(ruleset)
    return version if ok else 0
