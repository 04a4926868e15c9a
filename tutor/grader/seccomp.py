"""Provides `install`: a seccomp allow-list for processes that run learner code (x86_64).

Only the system calls a Python + numpy + torch computation needs are allowed; anything else fails
with EPERM. No exec, no new processes (clone only with CLONE_THREAD), no sockets, no effect on other
processes (kill/tgkill/prlimit64 only on itself; no ptrace, process_vm_*, kcmp, pidfd_*,
setpriority, sched_setaffinity), no metadata changes (chmod, chown, xattrs, timestamps), no
namespaces, mounts, io_uring or bpf. A foreign audit architecture (the i386 `int 0x80` entry) or
the x32 bit kills the process outright: those are the classic ways around a filter.
"""

from __future__ import annotations

import ctypes
import os

AUDIT_ARCH_X86_64 = 0xC000003E
X32_BIT = 0x40000000
CLONE_THREAD = 0x00010000

_RET_KILL_PROCESS, _RET_ALLOW, _RET_ERRNO = 0x80000000, 0x7FFF0000, 0x00050000
_EPERM, _ENOSYS = 1, 38
_LD, _JEQ, _JGE, _AND, _RET = 0x20, 0x15, 0x35, 0x54, 0x06
_ARG0 = 16  # offsetof(struct seccomp_data, args[0]), low word on little-endian

# Allowed outright, by x86_64 number. Grouped: files and memory, time and signals (own process),
# threads and futexes, identity queries, polling, misc. queries.
ALLOWED = frozenset([
    0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 16, 17, 18, 19, 20, 21, 22, 25, 26, 27, 28, 32, 33,
    40, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 95, 137, 138,
    187, 217, 221, 257, 258, 262, 263, 264, 265, 266, 267, 269, 275, 276, 277, 278, 285, 292,
    293, 295, 296, 316, 319, 326, 327, 328, 332, 436, 437, 439, 451,
    # mbind, set/get_mempolicy, mlock2, pkey_*, membarrier, rseq, map_shadow_stack, mseal
    237, 238, 239, 325, 329, 330, 331, 324, 334, 453, 462,
    13, 14, 15, 34, 35, 36, 37, 38, 96, 127, 128, 130, 131, 201, 222, 223, 224, 225, 226, 228,
    229, 230, 282, 283, 286, 287, 289,
    60, 61, 186, 202, 205, 211, 218, 219, 231, 247, 273, 449, 454, 455, 456,
    39, 63, 97, 98, 99, 100, 102, 104, 107, 108, 110, 111, 115, 118, 120, 121, 124, 125,
    7, 23, 24, 213, 232, 233, 270, 271, 281, 284, 290, 291, 441,
    140, 143, 145, 146, 147, 148, 158, 160, 191, 192, 193, 194, 195, 196, 204, 252, 309, 315, 318,
])
_CLONE, _CLONE3, _KILL, _TKILL, _TGKILL, _PRLIMIT64, _PRCTL, _PERSONALITY = 56, 435, 62, 200, 234, 302, 157, 135
# prctl options a Python process uses on itself: PR_GET_PDEATHSIG 2, GET_DUMPABLE 3, SET/GET_NAME
# 15/16, GET_SECCOMP 21, CAPBSET_READ 23, GET_NO_NEW_PRIVS 39, GET_THP_DISABLE 42, SET_VMA.
_PRCTL_OPTIONS = (2, 3, 15, 16, 21, 23, 39, 42, 0x53564D41)


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_SockFilter))]


def _allow_if_arg0(nr: int, values) -> list[tuple]:
    """`nr` allowed when its first argument is one of `values`, else EPERM."""
    body = [(_LD, 0, 0, _ARG0)]
    for v in values:
        body += [(_JEQ, 0, 1, v & 0xFFFFFFFF), (_RET, 0, 0, _RET_ALLOW)]
    body += [(_RET, 0, 0, _RET_ERRNO | _EPERM)]
    return [(_JEQ, 0, len(body), nr)] + body + [(_LD, 0, 0, 0)]  # reload the number after


def program(pid: int) -> list[tuple]:
    """The BPF program for a process whose own pid is `pid`, as (code, jt, jf, k) tuples."""
    prog = [
        (_LD, 0, 0, 4),                          # A = arch
        (_JEQ, 1, 0, AUDIT_ARCH_X86_64),
        (_RET, 0, 0, _RET_KILL_PROCESS),         # i386 / any foreign entry: killed
        (_LD, 0, 0, 0),                          # A = syscall number
        (_JGE, 0, 1, X32_BIT),
        (_RET, 0, 0, _RET_KILL_PROCESS),         # x32 ABI: killed
        (_JEQ, 0, 1, _CLONE3),                   # ENOSYS makes libc fall back to clone for threads
        (_RET, 0, 0, _RET_ERRNO | _ENOSYS),
    ]
    for nr in sorted(ALLOWED):
        prog += [(_JEQ, 0, 1, nr), (_RET, 0, 0, _RET_ALLOW)]
    for nr in (_KILL, _TKILL, _TGKILL):        # signals to itself only
        prog += _allow_if_arg0(nr, (pid,))
    prog += _allow_if_arg0(_PRLIMIT64, (0, pid))
    prog += _allow_if_arg0(_PRCTL, _PRCTL_OPTIONS)
    prog += _allow_if_arg0(_PERSONALITY, (0xFFFFFFFF,))  # a query, not a change
    prog += [
        (_JEQ, 0, 5, _CLONE),                    # clone: a thread, never a process
        (_LD, 0, 0, _ARG0),
        (_AND, 0, 0, CLONE_THREAD),
        (_JEQ, 0, 1, CLONE_THREAD),
        (_RET, 0, 0, _RET_ALLOW),
        (_RET, 0, 0, _RET_ERRNO | _EPERM),
        (_RET, 0, 0, _RET_ERRNO | _EPERM),       # everything else
    ]
    return prog


def supported() -> bool:
    return os.uname().machine == "x86_64"


def install(libc) -> bool:
    """Installs the filter on the calling thread (no_new_privs must be set); True on success."""
    if not supported():
        return False
    prog = program(os.getpid())
    filters = (_SockFilter * len(prog))(*[_SockFilter(*ins) for ins in prog])
    fprog = _SockFprog(len(prog), filters)
    # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC): every thread, torch's included.
    if libc.syscall(317, 1, 1, ctypes.byref(fprog)) == 0:
        return True
    return libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0  # PR_SET_SECCOMP, FILTER
