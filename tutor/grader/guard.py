"""Provides `forbid_autograd`: makes every way into autograd raise, for manual-backprop exercises.

This runs inside the sandboxed child. It cannot stop code that deliberately digs around it (that
code runs in the same process), but it turns every ordinary use of autograd - `backward`,
`torch.autograd.*`, `torch.func.*`, re-enabling grad mode, a tensor that requires grad - into a
clear failing verdict. The grader itself never depends on it for anything but that message.
"""

from __future__ import annotations

import contextlib


class AutogradUsed(BaseException):
    """Raised on any use of autograd; a BaseException so `except Exception` cannot swallow it."""


def forbid_autograd() -> None:
    import torch
    from torch.overrides import TorchFunctionMode

    def refuse(what: str):
        def refused(*args, **kwargs):
            raise AutogradUsed(what)

        return refused

    torch.set_grad_enabled(False)
    torch.Tensor.backward = refuse("Tensor.backward()")
    for name in ("backward", "grad"):
        setattr(torch.autograd, name, refuse(f"torch.autograd.{name}()"))
    for name in ("jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"):
        setattr(torch.autograd.functional, name, refuse(f"torch.autograd.functional.{name}()"))
    import torch.func

    for name in ("grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "linearize"):
        if hasattr(torch.func, name):
            setattr(torch.func, name, refuse(f"torch.func.{name}()"))

    import torch.autograd.forward_ad as fwad

    for name in ("make_dual", "unpack_dual", "enter_dual_level", "exit_dual_level"):
        setattr(fwad, name, refuse(f"forward-mode autograd (torch.autograd.forward_ad.{name})"))
    fwad.dual_level.__enter__ = refuse("forward-mode autograd (torch.autograd.forward_ad.dual_level)")
    torch._C._make_dual = refuse("forward-mode autograd (torch._make_dual)")

    set_grad = torch._C._set_grad_enabled

    def set_grad_enabled(mode):
        if mode:
            raise AutogradUsed("turning grad mode back on")
        set_grad(False)

    torch._C._set_grad_enabled = set_grad_enabled

    @contextlib.contextmanager
    def enable_grad(*args, **kwargs):
        raise AutogradUsed("torch.enable_grad()")
        yield  # pragma: no cover

    torch.enable_grad = enable_grad
    torch.autograd.enable_grad = enable_grad

    original_rg = torch.Tensor.requires_grad_

    def requires_grad_(self, requires_grad=True):
        if requires_grad:
            raise AutogradUsed("Tensor.requires_grad_()")
        return original_rg(self, False)

    torch.Tensor.requires_grad_ = requires_grad_
    getter = torch._C.TensorBase.requires_grad.__get__

    def set_requires_grad(self, value):
        if value:
            raise AutogradUsed("setting .requires_grad = True")

    torch.Tensor.requires_grad = property(getter, set_requires_grad)

    def parameter(cls, data=None, requires_grad=True):
        raise AutogradUsed("nn.Parameter (a tensor that requires grad)")

    torch.nn.Parameter.__new__ = parameter

    class NoGradTensors(TorchFunctionMode):
        """Refuses any op that takes or makes a tensor requiring grad."""

        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            if kwargs.get("requires_grad"):
                raise AutogradUsed(f"{getattr(func, '__name__', func)}(requires_grad=True)")
            out = func(*args, **kwargs)
            if isinstance(out, torch.Tensor) and out.requires_grad:
                raise AutogradUsed("a tensor that requires grad")
            return out

    NoGradTensors().__enter__()


def check_outputs(value) -> None:
    """Refuses outputs that carry an autograd graph, however they were made."""
    import torch

    if isinstance(value, torch.Tensor):
        if torch._C.TensorBase.requires_grad.__get__(value) or value.grad_fn is not None:
            raise AutogradUsed("returning a tensor attached to an autograd graph")
    elif isinstance(value, (list, tuple)):
        for v in value:
            check_outputs(v)
    elif isinstance(value, dict):
        for v in value.values():
            check_outputs(v)
