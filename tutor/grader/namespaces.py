"""Provides `enter` and `private_mounts`: Linux namespaces for a process that will run learner code.

`enter()` moves the caller into new user, network, PID, IPC, UTS and mount namespaces (Python 3.11
has no os.unshare, so through libc). Its next child is PID 1 of a PID namespace of its own: when
that child dies, the kernel kills every process in the namespace, a setsid'd grandchild included,
and no process outside can even be named (getppid() is 0). The network namespace has only a
loopback that is down: no TCP or UDP reaches 127.0.0.1 or anything else. `private_mounts()` then
gives the child its own /proc (this namespace's processes only), hides folders (the workspace's
progress database) under empty read-only tmpfs, and mounts a small private scratch tmpfs.
"""

from __future__ import annotations

import ctypes
import os

from tutor.grader.clib import c_library

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
NAMES = {CLONE_NEWUSER: "user", CLONE_NEWNET: "network", CLONE_NEWPID: "PID", CLONE_NEWIPC: "IPC",
         CLONE_NEWNS: "mount", CLONE_NEWUTS: "UTS"}
ALL = sum(NAMES)

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REC, MS_PRIVATE = 0x4000, 1 << 18
SCRATCH = "/dev/shm"
SCRATCH_SIZE = "16m"



def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def enter() -> list[str]:
    """Unshares every namespace above and maps the caller's ids to root inside; returns their
    names, or [] where the kernel refuses (user namespaces disabled) and nothing changed."""
    uid, gid = os.geteuid(), os.getegid()
    if c_library().unshare(ALL) != 0:
        return []
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"0 {uid} 1")
    _write("/proc/self/gid_map", f"0 {gid} 1")
    return [NAMES[f] for f in NAMES]


def _mount(libc, source, target, fstype, flags, data=None) -> bool:
    enc = (lambda s: None if s is None else s.encode())
    return libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) == 0


def private_mounts(hide=(), scratch: bool = True) -> list[str]:
    """In a fresh mount namespace (as PID 1 of the new PID namespace): own /proc, `hide` folders
    covered, a private scratch tmpfs; returns what took effect."""
    libc = c_library()
    done = []
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount leaks out
    if _mount(libc, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC):
        done.append("own /proc")
    hidden = 0
    for path in hide:
        if os.path.isdir(path) and _mount(libc, "none", path, "tmpfs",
                                          MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0"):
            hidden += 1
    if hidden:
        done.append("workspace state hidden")
    if scratch and os.path.isdir(SCRATCH) and _mount(
            libc, "none", SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, f"size={SCRATCH_SIZE},mode=1777"):
        done.append(f"private scratch {SCRATCH}")
    return done
