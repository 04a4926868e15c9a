"""Provides the guard for exercises that teach a mechanism: autograd is off, estimates are seen.

It runs inside the sandboxed child: `forbid_autograd()` before the learner's module is imported,
`check_outputs(outputs)` after each case's probe. Three layers, each closing what the one before
leaves open:

1. **Autograd cannot record.** The child's thread leaves the autograd dispatch keys out of every
   operation (as `torch.inference_mode` does) and turns grad mode and forward-mode grad off. Built-in
   ops then make no `grad_fn`, whatever grad mode says, so there is no graph to run `backward`,
   hooks or `grad_fn` nodes on. The functions that would turn this back on (`_set_grad_enabled`,
   `inference_mode(False)`, the dispatch-key switches, functorch's grad/jvp levels, new threads,
   which start with fresh thread state) are replaced by refusals that keep no reference to the
   originals, so no closure gives them back. The ordinary entry points (`backward`, `torch.autograd`,
   `torch.func`, `requires_grad`, `nn.Parameter`, ...) raise with their own name, for the message.
2. **Whatever got through is seen afterwards.** Every autograd node takes a number from a
   per-thread counter that only counts up (`_get_sequence_nr`); `check_outputs` fails a case in
   which it moved, or in which grad mode, forward grad or the key exclusion is no longer as set,
   or whose outputs carry a graph.
3. **Numerical estimates are seen by their cost.** A `TorchFunctionMode` adds up the elements each
   torch operation reads and writes; numpy arrays taken from tensors (`.numpy()`, `np.asarray`,
   `np.array`) are views that add up their ufuncs and numpy functions the same way. A difference
   quotient evaluates the loss, which reads every input element, once or twice per gradient entry
   (element by element or as one big perturbed batch): n² elements for n entries. An analytic
   backward reads each element a few times (a few times T for attention). `check_outputs` fails a
   case whose work exceeds both a floor and a fraction of n²; work past a cap raises at once, so a
   long estimate stops there rather than at the time limit. `DisableTorchFunction` is refused and
   a mode popped off the stack is seen.

What it cannot see: it runs in the learner's process, so code written to defeat it can - ctypes,
re-creating torch's C module or `_thread` from their cached definitions, popping the mode and
pushing it back around the work, digging its counters out of memory (`gc`), an estimate on plain
Python floats or on arrays laundered out of numpy's view (`tolist`, `np.frombuffer`), or one that
exploits the loss's structure (perturbing an entry and re-evaluating only its own row costs about
C·n, like a Jacobian-based analytic solution). Those leave no trace here; a case whose precision no
difference quotient reaches (in the lesson's checks) is the answer to them.
"""

from __future__ import annotations

import contextlib
import sys

# Per case, work above max(WORK_FLOOR, ESTIMATE_SHARE · n²) for n returned entries is an estimate;
# so is work above WORK_CAP, whatever n. Measured on the pinned exercises' cases: correct solutions
# in every style of their tests stay under 0.09 · n² (a loop over B and T in attention is the
# most) and under 310,000 elements (a step-by-step batch norm at (32, 200)); an estimate reads at
# least the whole input once per gradient entry, n², and those of the tests cost 6 to 35 · n².
ESTIMATE_SHARE = 0.5
WORK_FLOOR = 50_000
WORK_CAP = 4_000_000


class GuardRefused(BaseException):
    """Raised by the guard; a BaseException so `except Exception` in learner code cannot hide it."""


class AutogradUsed(GuardRefused):
    """Autograd was used, or a switch that turns it back on was touched."""


class NumericalEstimate(GuardRefused):
    """The outputs cost as much as estimating the gradient numerically."""


class ThreadRefused(GuardRefused):
    """A new thread: it would start with autograd on, outside the guard."""


class GuardTampered(GuardRefused):
    """The learner's code hid its tensor operations from the guard's mode."""


_state: dict = {}


def _refuse(exc: type[GuardRefused], what: str):
    def refused(*args, **kwargs):
        raise exc(what)

    refused.__qualname__ = refused.__name__ = "refused"  # an identifier: TorchScript may look it up
    return refused


def _replace_everywhere(pairs: list[tuple[object, object]]) -> None:
    """Rebinds every module-level name bound to a replaced function, so no module keeps one."""
    replacements = {id(old): new for old, new in pairs}  # `pairs` keeps the old ones alive meanwhile
    for module in list(sys.modules.values()):
        names = getattr(module, "__dict__", None)
        if not isinstance(names, dict):
            continue
        for name, value in list(names.items()):
            new = replacements.get(id(value))
            if new is not None:
                names[name] = new


def _autograd_keys(torch):
    k = torch._C.DispatchKey
    return (k.AutogradFunctionality, k.AutogradOther, k.AutogradNestedTensor)


# ## Layer 1: autograd cannot record, and the switches back are gone

def _switch_off(torch) -> None:
    for key in _autograd_keys(torch):
        torch._C._dispatch_tls_set_dispatch_key_excluded(key, True)
    torch._C._set_grad_enabled(False)
    torch._C._set_fwd_grad_enabled(False)


def _remove_switches(torch) -> None:
    """Replaces what could undo `_switch_off`; the replacements hold no reference to the originals."""
    C, replacements = torch._C, []

    def replace(owner, name, new):
        old = getattr(owner, name, None)
        if old is None:
            return
        setattr(owner, name, new)
        replacements.append((old, new))

    def set_grad_enabled(mode):
        if mode:
            raise AutogradUsed("turning grad mode back on")

    def set_fwd_grad_enabled(mode):
        if mode:
            raise AutogradUsed("turning forward-mode grad back on")

    class InferenceMode:
        """inference_mode(True) changes nothing here; inference_mode(False) would turn autograd on."""

        def __init__(self, mode=True):
            if not mode:
                raise AutogradUsed("torch.inference_mode(False)")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    replace(C, "_set_grad_enabled", set_grad_enabled)
    replace(C, "_set_fwd_grad_enabled", set_fwd_grad_enabled)
    replace(C, "_InferenceMode", InferenceMode)
    for name in ("_dispatch_tls_set_dispatch_key_excluded", "_dispatch_tls_set_dispatch_key_included",
                 "_ForceDispatchKeyGuard", "_SetExcludeDispatchKeyGuard", "_IncludeDispatchKeyGuard"):
        replace(C, name, _refuse(AutogradUsed, f"torch._C.{name} (switching dispatch keys)"))
    # Decrements too: functorch's `finally` would otherwise replace the refusal with an assert.
    for name in ("_grad_increment_nesting", "_jvp_increment_nesting", "_grad_decrement_nesting",
                 "_jvp_decrement_nesting", "push_dynamic_layer_stack", "_set_dynamic_layer_keys_included",
                 "set_inplace_requires_grad_allowed"):
        replace(C._functorch, name, _refuse(AutogradUsed, f"functorch ({name})"))
    # Layer 3's mode must stay in force (torch pops it for a moment itself, so popping stays allowed:
    # check_outputs sees a mode that is gone).
    replace(C, "DisableTorchFunction", _refuse(GuardTampered, "torch._C.DisableTorchFunction"))
    import _thread
    import threading

    for owner, name in ((_thread, "start_new_thread"), (_thread, "start_new"),
                        (_thread, "start_joinable_thread"), (threading, "_start_new_thread"),
                        (threading, "_start_joinable_thread")):
        replace(owner, name, _refuse(ThreadRefused, "starting a thread: this exercise runs on one "
                                     "thread, where autograd is switched off"))
    _replace_everywhere(replacements)


def _refuse_entry_points(torch) -> None:
    """The ordinary ways into autograd raise with their own name, which the message repeats."""
    torch.Tensor.backward = _refuse(AutogradUsed, "Tensor.backward()")
    torch.Tensor.register_hook = _refuse(AutogradUsed, "Tensor.register_hook()")
    for name in ("backward", "grad"):
        setattr(torch.autograd, name, _refuse(AutogradUsed, f"torch.autograd.{name}()"))
    torch.autograd.graph._engine_run_backward = _refuse(AutogradUsed, "the autograd engine")
    for name in ("jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"):
        setattr(torch.autograd.functional, name, _refuse(AutogradUsed, f"torch.autograd.functional.{name}()"))
    import torch.func

    for name in ("grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "linearize"):
        if hasattr(torch.func, name):
            setattr(torch.func, name, _refuse(AutogradUsed, f"torch.func.{name}()"))
    import torch.autograd.forward_ad as fwad

    for name in ("make_dual", "unpack_dual", "enter_dual_level", "exit_dual_level"):
        setattr(fwad, name, _refuse(AutogradUsed, f"forward-mode autograd (torch.autograd.forward_ad.{name})"))
    fwad.dual_level.__enter__ = _refuse(AutogradUsed, "forward-mode autograd (torch.autograd.forward_ad.dual_level)")
    torch._C._make_dual = _refuse(AutogradUsed, "forward-mode autograd (torch._make_dual)")

    @contextlib.contextmanager
    def enable_grad(*args, **kwargs):
        raise AutogradUsed("torch.enable_grad()")
        yield  # pragma: no cover

    torch.enable_grad = torch.autograd.enable_grad = enable_grad
    base = torch._C.TensorBase  # a C type: its methods stay reachable, and harmless once layer 1 holds

    def requires_grad_(self, requires_grad=True):
        if requires_grad:
            raise AutogradUsed("Tensor.requires_grad_()")
        return base.requires_grad_(self, False)

    torch.Tensor.requires_grad_ = requires_grad_

    def set_requires_grad(self, value):
        if value:
            raise AutogradUsed("setting .requires_grad = True")

    torch.Tensor.requires_grad = property(base.requires_grad.__get__, set_requires_grad)

    def make_subclass(cls, data, require_grad=False, *args, **kwargs):
        if require_grad:
            raise AutogradUsed("Tensor._make_subclass(..., require_grad=True), a tensor that requires grad")
        return base._make_subclass(cls, data, False, *args, **kwargs)

    torch.Tensor._make_subclass = staticmethod(make_subclass)
    torch.nn.Parameter.__new__ = _refuse(AutogradUsed, "nn.Parameter (a tensor that requires grad)")


# ## Layer 3: the work the learner's code does, through torch and through numpy views of tensors

def _charge(elements: int) -> None:
    """Adds to the case's work. Past WORK_CAP it raises at once (a long estimate stops there, not at
    the exercise's time limit) and counts a trip, so code that catches the exception still fails."""
    _state["work"] += elements
    if _state["work"] > WORK_CAP:
        _state["work"], _state["trips"] = 0, _state["trips"] + 1
        raise NumericalEstimate(CAP_MESSAGE.format(cap=WORK_CAP))


CAP_MESSAGE = ("more than {cap:,} tensor elements read and written for one case, where every correct "
               "solution needs well under a tenth of that")


def _watching_mode(torch):
    """A TorchFunctionMode that refuses tensors requiring grad and charges elements read and written."""
    from torch.overrides import TorchFunctionMode

    Tensor, numel = torch.Tensor, torch._C.TensorBase.numel
    requires_grad = torch._C.TensorBase.requires_grad.__get__
    exports = {"numpy", "__array__"}

    def size(values) -> int:
        total = 0
        for v in values:
            if isinstance(v, Tensor):
                if requires_grad(v):
                    raise AutogradUsed("a tensor that requires grad")
                total += numel(v)
            elif isinstance(v, (list, tuple)):
                total += size(v)
        return total

    class Watch(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            name = getattr(func, "__name__", "")
            if kwargs.get("requires_grad"):
                raise AutogradUsed(f"{name or func}(requires_grad=True)")
            # Indexing reads only what it picks and writes only what it is given; counting the
            # whole tensor would make a loop over rows look like n² work.
            if name in ("__getitem__", "__get__"):
                read = 0
            elif name == "__setitem__":
                read = size(args[2:])
            else:
                read = size(args) + size(kwargs.values())
            out = func(*args, **kwargs)
            if isinstance(out, Tensor) and requires_grad(out):
                raise AutogradUsed("a tensor that requires grad")
            if isinstance(out, (Tensor, tuple, list)):  # metadata (.shape, numel, item) is free
                _charge(read + size((out,)))
            if name in exports:
                return _watched(out)
            return out

    return Watch()


def _watched(array):
    """A view of `array` whose numpy operations are charged as work; anything else unchanged."""
    import numpy as np

    if not isinstance(array, np.ndarray):
        return array
    if "watched" not in _state:
        _state["watched"] = _make_watched_type(np)
    return array.view(_state["watched"])


def _make_watched_type(np):
    def plain(values):
        out = []
        for v in values:
            if isinstance(v, Watched):
                out.append(v.view(np.ndarray))
            elif isinstance(v, (list, tuple)):
                out.append(type(v)(plain(v)))
            else:
                out.append(v)
        return out

    def size(values) -> int:
        total = 0
        for v in values:
            if isinstance(v, np.ndarray):
                total += v.size
            elif isinstance(v, (list, tuple)):
                total += size(v)
        return total

    def wrap(result):
        if isinstance(result, np.ndarray) and not isinstance(result, Watched):
            return result.view(Watched)
        if isinstance(result, tuple):
            return tuple(wrap(r) for r in result)
        return result

    class Watched(np.ndarray):
        """A numpy view of a tensor the learner's code took: its ufuncs and functions are work."""

        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            inputs = plain(inputs)
            if "out" in kwargs:
                kwargs["out"] = tuple(plain(kwargs["out"]))
            result = getattr(ufunc, method)(*inputs, **kwargs)
            _charge(size(inputs) + size(result if isinstance(result, tuple) else (result,)))
            return wrap(result)

        def __array_function__(self, func, types, args, kwargs):
            args, values = plain(args), dict(zip(kwargs, plain(kwargs.values())))
            result = func(*args, **values)
            _charge(size(args) + size(values.values()) + size((result,)))
            return wrap(result)

    return Watched


def _watch_numpy_conversions() -> None:
    """np.asarray(tensor) and np.array(tensor) keep numpy's view of it watched, like .numpy()."""
    import numpy as np
    import torch

    for name in ("asarray", "array", "asanyarray", "ascontiguousarray"):
        original = getattr(np, name)

        def convert(obj, *args, __original=original, **kwargs):
            result = __original(obj, *args, **kwargs)
            watched = _state.get("watched")
            if isinstance(obj, torch.Tensor) or (watched is not None and isinstance(obj, watched)):
                return _watched(result)
            return result

        convert.__name__ = name
        setattr(np, name, convert)


# ## The two calls the child makes

def forbid_autograd() -> None:
    """Switches autograd off for the rest of this process and starts watching the learner's work."""
    import torch

    _switch_off(torch)
    keys, excluded = _autograd_keys(torch), torch._C._dispatch_tls_is_dispatch_key_excluded
    is_grad, is_fwd, seq = torch._C.is_grad_enabled, torch._C._is_fwd_grad_enabled, torch._C._autograd._get_sequence_nr
    stack_len, stack_at = torch._C._len_torch_function_stack, torch._C._get_function_stack_at
    _refuse_entry_points(torch)
    _remove_switches(torch)
    mode = _watching_mode(torch)
    _watch_numpy_conversions()

    def autograd_state() -> str | None:
        """What differs from the state set above, or None; these functions only read."""
        if is_grad() or is_fwd():
            return "switching grad mode back on"
        if not all(excluded(k) for k in keys):
            return "switching the autograd dispatch keys back on"
        return None

    def mode_gone() -> bool:
        return not any(stack_at(i) is mode for i in range(stack_len()))

    _state.update(work=0, trips=0, seq=seq, nodes=seq(), autograd_state=autograd_state, mode_gone=mode_gone)
    mode.__enter__()


def begin_case() -> None:
    """Starts a case's work at 0: what ran between cases (the last case's outputs turned into plain
    data, 4 elements an entry) is the grader's, not the next case's. A trip still counts."""
    if _state:
        _state["work"] = 0


def check_outputs(value) -> None:
    """Fails the case just run if autograd was used or its outputs cost a numerical estimate."""
    if not _state:  # forbid_autograd was not called: only the outputs' own graph can be seen
        _entries(value)
        return
    work = _state["work"]
    try:
        changed = _state["autograd_state"]()
        if changed:
            raise AutogradUsed(changed)
        if _state["mode_gone"]():
            raise GuardTampered("popping the guard's TorchFunctionMode off the stack")
        nodes = _state["seq"]() - _state["nodes"]
        if nodes:
            raise AutogradUsed(f"{nodes} autograd graph node{'s' if nodes != 1 else ''} recorded")
        entries = _entries(value)
        if _state["trips"]:  # since the last case that returned: this one, or one that raised
            raise NumericalEstimate(CAP_MESSAGE.format(cap=WORK_CAP))
        if work > max(WORK_FLOOR, ESTIMATE_SHARE * entries * entries):
            raise NumericalEstimate(
                f"{work:,} tensor elements read and written for {entries:,} gradient entries, "
                f"{work / max(entries, 1) ** 2:.1f}·n² where a derived formula needs a few times n")
    finally:
        _state["nodes"], _state["work"], _state["trips"] = _state["seq"](), 0, 0


def _entries(value) -> int:
    """The number of array entries in the outputs; refuses outputs that carry an autograd graph."""
    import numpy as np
    import torch

    if isinstance(value, torch.Tensor):
        if torch._C.TensorBase.requires_grad.__get__(value) or value.grad_fn is not None:
            raise AutogradUsed("returning a tensor attached to an autograd graph")
        return torch._C.TensorBase.numel(value)
    if isinstance(value, np.ndarray):
        return int(value.size)
    if isinstance(value, (list, tuple)):
        return sum(_entries(v) for v in value)
    if isinstance(value, dict):
        return sum(_entries(v) for v in value.values())
    return 0


# ## What the learner is told

DIAGNOSES = {"AutogradUsed": "autograd", "NumericalEstimate": "numerical estimate",
             "ThreadRefused": "thread", "GuardTampered": "guard switched off"}


def explain(error: str, trace: str, manual_backprop: bool) -> str | None:
    """The message for a case the guard failed (`error` is the exception's name), or None."""
    what = trace.splitlines()[-1].split(":", 1)[-1].strip() if trace else ""
    if error == "AutogradUsed":
        if not manual_backprop:
            return (f"This exercise builds what autograd does, so your code must do it: it used "
                    f"torch's autograd ({what or 'autograd'}). Compute .data with plain numbers "
                    "and give each operation a _backward that applies its own local derivative.")
        return (f"Manual backprop means manual: your code used autograd ({what or 'autograd'}). "
                "Compute the gradient with tensor operations (matmul, sum, indexing, ...) instead of "
                "backward()/torch.autograd/torch.func or tensors that require grad.")
    if error == "NumericalEstimate":
        return ("Manual backprop means deriving the gradient: your code estimated it numerically "
                f"({what}). Finite differences, (f(x + h) − f(x − h)) / 2h one entry at a time or "
                "in one perturbed batch, check a gradient; they do not derive one. Write the "
                "backward formula with tensor operations.")
    if error == "ThreadRefused":
        return ("Your code started a thread. This exercise runs your code on one thread, where "
                "autograd is switched off; a new thread would start with it on. Compute on the "
                "calling thread.")
    if error == "GuardTampered":
        return (f"Your code hid its tensor operations from the checks ({what}). Here every operation "
                "must stay in view, so that the checks can tell a derived gradient from autograd or "
                "a numerical estimate.")
    return None
