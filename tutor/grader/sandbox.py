"""Provides the jail of every process that runs learner code, and `isolation_report` about it.

Layers, each the best this platform offers, set up by the process itself right after its fork:
- namespaces (namespaces.py): user, network, PID, IPC, UTS, mount. The process is PID 1 of its own
  PID namespace, so it ends with everything it started and names no process outside; the network
  has no interface up; /proc is its own; the workspace's state folder is hidden.
- seccomp (seccomp.py): an allow-list; no exec, no new processes, no sockets, nothing aimed at
  another process; the i386 entry and the x32 bit kill.
- Landlock (landlock.py): no writes (but a private scratch tmpfs), and in the grader's child no
  reads outside Python, numpy, torch and tutor.
- no capabilities (or the user nobody, when started as root and Python is readable by others),
  resource limits (memory, CPU, file size), death with the parent.
Where a layer is missing (user namespaces disabled, not Linux, an old kernel) the others still
apply, and `isolation_report()` names exactly the layers that take effect on this machine.
"""

from __future__ import annotations

import ctypes
import functools
import os
import resource
import signal
import stat
import sys

from tutor.grader.clib import c_library
from tutor.grader import landlock, namespaces, seccomp

NOBODY = 65534
_PR_SET_NO_NEW_PRIVS, _PR_SET_PDEATHSIG = 38, 1
LINUX = sys.platform.startswith("linux")



def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 where there is none (kept for callers of sandbox)."""
    return landlock.abi()


# -- identity -------------------------------------------------------------------------------------
def _readable_by_others(paths) -> bool:
    """True when every folder above `paths` lets other users through (o+x), so nobody can import."""
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

    paths = [sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"],
             sysconfig.get_paths()["platlib"]]
    for name in ("torch", "numpy", "tutor"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            paths.append(os.path.dirname(os.path.abspath(module.__file__)))
    return paths


def readable_paths() -> list[str]:
    """What the grader's child may read once confined: the interpreter, its libraries, tutor, and a
    few system files. Not the workspace, not the lessons' checks or solutions, not /etc/shadow."""
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths = set(_python_paths()) | prefixes | {os.path.realpath(p) for p in prefixes | set(_python_paths())}
    paths |= {"/usr", "/lib", "/lib64", "/lib32", "/sys/devices/system", "/proc/self", "/proc/cpuinfo",
              "/proc/meminfo", "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/etc/ld.so.cache",
              "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf"}
    return sorted(paths)


def _drop_capabilities(libc) -> bool:
    """Root that cannot become nobody keeps uid 0 but no powers (inside a user namespace: none there)."""
    nr = {"x86_64": 126, "aarch64": 91}.get(os.uname().machine)
    if nr is None:
        return False
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable x 2: all zero
    return libc.syscall(nr, ctypes.byref(header), ctypes.byref(data)) == 0


def _become_nobody() -> None:
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, NOBODY)
    os.setresuid(NOBODY, NOBODY, NOBODY)


# -- the plan: decided once per machine by trying it in throwaway children -----------------------
def _try(fn) -> bool:
    """Runs `fn` in a forked child; True when it returned True there."""
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:
        ok = False
        try:
            ok = bool(fn())
        except BaseException:  # noqa: BLE001
            pass
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


@functools.lru_cache(maxsize=None)
def plan() -> tuple[bool, bool]:
    """(namespaces, as_nobody): whether `enter_namespaces` unshares, and as which user.

    Prefers the user nobody when root can hand Python to nobody, then namespaces as root."""
    if not LINUX or not hasattr(os, "fork"):
        return False, False
    nobody = os.geteuid() == 0 and _readable_by_others(_python_paths())
    if nobody and _try(lambda: (_become_nobody(), namespaces.enter())[1]):
        return True, True
    if _try(namespaces.enter):
        return True, False
    return False, nobody


def enter_namespaces() -> list[str]:
    """Called in the process that will fork the jailed one (its next child is PID 1 there)."""
    use, nobody = plan()
    layers = []
    if nobody:
        _become_nobody()
        layers.append("unprivileged user")
    if use:
        entered = namespaces.enter()
        if entered:
            layers.append(", ".join(entered) + " namespaces")
    return layers


# -- limits ---------------------------------------------------------------------------------------
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


def _lock_down(libc, namespaced: bool, readable, writable, devices) -> list[str]:
    """Capabilities, no_new_privs, Landlock, seccomp: the last steps, in that order."""
    layers = []
    if namespaced or os.geteuid() == 0:
        if _drop_capabilities(libc):
            layers.append("no capabilities")
    libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    version = landlock.restrict(readable=readable, writable=writable, devices=devices)
    if version:
        layers.append(f"landlock v{version}")
    if seccomp.install(libc):
        layers.append("seccomp allow-list")
    return layers


def confine(memory_mb: int, cpu_s: float, namespaced: bool = False) -> list[str]:
    """Restricts the grader's (forked) child before it runs learner code; returns the layers that
    took effect. `namespaced`: its parent entered namespaces, so this is PID 1 of a new one."""
    layers = []
    os.setsid()  # no controlling terminal; its own group where there is no PID namespace
    libc = c_library()
    linux = libc is not None and LINUX
    writable = []
    if linux:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the parent
        if namespaced:
            mounts = namespaces.private_mounts()
            layers += mounts
            writable += _scratch(mounts)
        _limit(resource.RLIMIT_AS, _address_space() + memory_mb * 1024 * 1024)
        layers.append(f"memory {memory_mb} MB")
    _limit(resource.RLIMIT_CPU, int(cpu_s) + 1)
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_FSIZE, 1 << 20)
    sys.dont_write_bytecode = True
    if not linux:
        return layers
    if not namespaced and os.geteuid() == 0 and _readable_by_others(_python_paths()):
        _become_nobody()
        layers.append("unprivileged user")
    return layers + _lock_down(libc, namespaced, readable_paths(), writable, ())


def _keep_until_done(pid: int) -> None:
    """The outer half of a run child: waits for the jailed half and ends as it did."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)  # only the jailed half speaks on the run's pipes
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
    os._exit(code)


def confine_run(hide=(), devices=(), prepare=None) -> list[str]:
    """The jail of a training (or inspect) child: namespaces (it forks once: the process that
    returns here is PID 1 of its own PID namespace, and the original waits for it and exits as it
    does, so the caller's signals and exit status keep working), `hide` folders covered, no writes
    but to its private scratch tmpfs (16 MB, its TMPDIR),
    no network, seccomp. No CPU, memory or thread limits: a run is long and uses every core.

    Args:
        hide: folders the run must not see (the workspace's state: progress.db, kept runs).
        devices: device files the run may use (a GPU's /dev/nvidia*).
        prepare: called inside the namespaces, before Landlock and seccomp (a GPU's driver setup).
    """
    libc = c_library()
    if libc is None or not LINUX:
        return []
    if plan()[0] and _threads() > 1:
        _fork_and_keep(libc)  # unshare(CLONE_NEWUSER) needs a single-threaded caller (numpy has two)
    layers = enter_namespaces()
    namespaced = any(layer.endswith("namespaces") for layer in layers)
    writable = []
    if namespaced:
        _fork_and_keep(libc)
        mounts = namespaces.private_mounts(hide=hide)
        layers += mounts
        writable += _scratch(mounts)  # torch.optim's first use imports torch._dynamo, which wants a temp dir
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if prepare is not None:
        prepare()
    return layers + _lock_down(libc, namespaced, None, writable, devices)


def _scratch(mounts: list[str]) -> list[str]:
    """The private scratch tmpfs, where it was mounted, made the process's temporary directory:
    the only place it may write (it vanishes with the namespace)."""
    if not any(m.startswith("private scratch") for m in mounts):
        return []
    import tempfile

    os.environ["TMPDIR"] = tempfile.tempdir = namespaces.SCRATCH
    return [namespaces.SCRATCH]


def _threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def _fork_and_keep(libc) -> None:
    """Forks; the parent stays behind as a keeper (`_keep_until_done`), the child returns."""
    pid = os.fork()
    if pid:
        _keep_until_done(pid)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


@functools.lru_cache(maxsize=None)
def _seccomp_works() -> bool:
    libc = c_library()
    return bool(libc and seccomp.supported()) and _try(
        lambda: libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 and seccomp.install(libc))


@functools.lru_cache(maxsize=None)
def isolation_report() -> tuple[bool, str]:
    """Whether this machine can grade untrusted code safely, and a sentence naming the layers.

    Returns:
        (ok, text): ok is False where a needed layer (fork) is missing.
    """
    if not hasattr(os, "fork"):
        return False, "this platform has no fork(); zerohero grades on Linux and macOS only"
    parts = ["separate process", "wall-clock limit", "output cap"]
    if not LINUX:
        parts.append("no memory limit, namespaces, seccomp or Landlock on this platform (Linux-only)")
        return True, ", ".join(parts)
    use, nobody = plan()
    parts.append("memory limit")
    parts.append("user, network, PID, IPC, UTS and mount namespaces (no network, processes end with "
                 "the check)" if use else "no namespaces (user namespaces are disabled here)")
    abi = landlock.abi()
    parts.append(f"Landlock v{abi} (no file writes, no reads outside Python and tutor)" if abi else "no Landlock")
    parts.append("seccomp allow-list (no exec, no new processes, no sockets)" if _seccomp_works()
                 else f"no seccomp filter ({os.uname().machine} or this kernel has none we install)")
    if nobody:
        parts.append("runs as nobody")
    elif os.geteuid() == 0:
        parts.append("root without capabilities" + (" inside a user namespace" if use else ""))
    return True, ", ".join(parts)
