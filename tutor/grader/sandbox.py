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


# seccomp: refuse fork/vfork/clone3 and any clone that is not a thread, so learner code cannot
# start processes (a fork bomb included) whatever user it runs as. Numbers per architecture.
_SECCOMP_ARCH = {  # machine: (AUDIT_ARCH, clone, clone3, fork, vfork)
    "x86_64": (0xC000003E, 56, 435, 57, 58),
    "aarch64": (0xC00000B7, 220, 435, None, None),
}
# Metadata changes Landlock does not cover (chmod, chown, xattrs, timestamps): refused as well.
_METADATA_CALLS = {
    "x86_64": (90, 91, 268, 452, 92, 93, 94, 260, 188, 189, 190, 197, 198, 199, 132, 235, 261, 280),
    "aarch64": (52, 53, 452, 54, 55, 5, 6, 7, 14, 15, 16, 88),
}
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_CLONE_THREAD = 0x00010000


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_SockFilter))]


def _no_new_processes(libc) -> bool:
    """Installs the seccomp filter: no new processes, no metadata changes."""
    arch = _SECCOMP_ARCH.get(os.uname().machine)
    if arch is None:
        return False
    audit, clone, clone3, fork, vfork = arch
    ld, jeq, and_, ret = 0x20, 0x15, 0x54, 0x06
    eagain, enosys, eperm = 11, 38, 1
    prog = [
        (ld, 0, 0, 4),                      # A = arch
        (jeq, 1, 0, audit),                 # ours? go on : allow
        (ret, 0, 0, _RET_ALLOW),
        (ld, 0, 0, 0),                      # A = syscall number
        (jeq, 0, 1, clone3),                # clone3: ENOSYS makes libc fall back to clone
        (ret, 0, 0, _RET_ERRNO | enosys),
    ]
    for nr in (fork, vfork):
        if nr is not None:
            prog += [(jeq, 0, 1, nr), (ret, 0, 0, _RET_ERRNO | eagain)]
    for nr in _METADATA_CALLS[os.uname().machine]:
        prog += [(jeq, 0, 1, nr), (ret, 0, 0, _RET_ERRNO | eperm)]
    prog += [
        (jeq, 1, 0, clone),                 # clone: look at its flags
        (ret, 0, 0, _RET_ALLOW),
        (ld, 0, 0, 16),                     # A = low word of args[0] (flags)
        (and_, 0, 0, _CLONE_THREAD),
        (jeq, 0, 1, _CLONE_THREAD),         # a thread: allowed
        (ret, 0, 0, _RET_ALLOW),
        (ret, 0, 0, _RET_ERRNO | eagain),
    ]
    filters = (_SockFilter * len(prog))(*[_SockFilter(*ins) for ins in prog])
    fprog = _SockFprog(len(prog), filters)
    return libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0  # PR_SET_SECCOMP, FILTER


def _readable_by_others(paths) -> bool:
    """True when every folder above `paths` lets other users through (o+x), so nobody can import."""
    import stat

    for path in paths:
        p = os.path.abspath(path)
        while True:
            try:
                if not os.stat(p).st_mode & stat.S_IXOTH:
                    return False
            except OSError:
                return False
            parent = os.path.dirname(p)
            if parent == p:
                break
            p = parent
    return True


def _python_paths() -> list[str]:
    import sysconfig

    paths = [sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"]]
    for name in ("torch", "numpy"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            paths.append(os.path.dirname(module.__file__))
    return paths


def _drop_capabilities(libc) -> bool:
    """Root that cannot become nobody (its Python is not readable by others) keeps uid 0 but no powers."""
    nr = {"x86_64": 126, "aarch64": 91}.get(os.uname().machine)
    if nr is None:
        return False
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable x 2: all zero
    return libc.syscall(nr, ctypes.byref(header), ctypes.byref(data)) == 0


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
    linux = libc is not None and sys.platform.startswith("linux")
    if os.geteuid() == 0:
        if _readable_by_others(_python_paths()):
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            layers.append("unprivileged user")
        elif linux and _drop_capabilities(libc):
            layers.append("no capabilities")
    if linux:
        libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        if _no_new_processes(libc):
            layers.append("no new processes")
        abi = landlock_abi()
        if abi and _landlock(libc, abi):
            layers.append(f"landlock v{abi}")
    return layers


def confine_run() -> list[str]:
    """The lighter confinement of a training (or inspect) child: it dies with its parent and, where
    Landlock exists, writes no file, opens no TCP connection and signals no process outside. No
    CPU, memory or thread limits: a run is long and uses every core."""
    libc = _libc()
    if libc is None or not sys.platform.startswith("linux"):
        return []
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)  # Landlock without privileges needs it
    abi = landlock_abi()
    return [f"landlock v{abi}"] if abi and _landlock(libc, abi) else []


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
        parts.append("runs as nobody" if _readable_by_others(_python_paths()) else "root without capabilities")
    return True, ", ".join(parts)
