"""The autograd guard: routes past it fail with the guard's message, and its layers hold alone.

The routes are graded for real (backprop.cross_entropy, in the grader's child); the layers are
probed in a forked process, since the guard changes torch for the rest of the process it runs in.
"""

from __future__ import annotations

import os
import pickle
import textwrap

import pytest

from tests.grading import fails_with, failure_text, grade_source

HEAD = "import torch\nimport torch.nn.functional as F\n\n\ndef cross_entropy_backward(logits, targets):\n"

# Each a way to the gradient of F.cross_entropy through autograd, and what the verdict must say.
ROUTES = {
    # The patch of _set_grad_enabled keeps no original in its closure; under DisableTorchFunction.
    "closure_under_disable_torch_function": ("""
        cells = torch._C._set_grad_enabled.__closure__ or ()
        found = [c.cell_contents for c in cells if callable(c.cell_contents)]
        set_grad = found[0] if found else torch._C._set_grad_enabled
        l = logits.detach().clone()
        with torch._C.DisableTorchFunction():
            set_grad(True)
            torch._C.TensorBase.requires_grad_(l)
            loss = F.cross_entropy(l, targets)
            return torch.autograd.graph._engine_run_backward(
                (loss,), (torch.ones(()),), False, False, (l,), False, True)[0]
    """, ["hid its tensor operations from the checks (torch._C.DisableTorchFunction)"]),
    "closure": ("""
        cells = torch._C._set_grad_enabled.__closure__ or ()
        found = [c.cell_contents for c in cells if callable(c.cell_contents)]
        (found[0] if found else torch._C._set_grad_enabled)(True)
        l = torch._C.TensorBase.requires_grad_(logits.detach().clone())
        loss = F.cross_entropy(l, targets)
        return torch.autograd.Variable._execution_engine.run_backward(
            (loss,), (torch.ones(()),), False, False, (l,), False, True)[0]
    """, ["Manual backprop means manual", "(turning grad mode back on)"]),
    "make_subclass_parameter": ("""
        p = torch.Tensor._make_subclass(torch.nn.Parameter, logits.detach().clone(), True)
        return F.cross_entropy(p, targets).grad_fn(torch.ones(()))[0]
    """, ["Manual backprop means manual", "Tensor._make_subclass(..., require_grad=True)"]),
    "make_subclass_of_the_base_and_grad_fn_by_hand": ("""
        p = torch._C.TensorBase._make_subclass(torch.nn.Parameter, logits.detach().clone(), True)
        loss = torch.ops.aten.mean(torch.ops.aten.nll_loss_nd(torch.ops.aten._log_softmax(p, 1, False), targets))
        node, grad = loss.grad_fn, torch.ones(())
        while node is not None:
            grad = node(grad)[0] if node.next_functions else grad
            node = node.next_functions[0][0] if node.next_functions else None
        return grad
    """, ["Manual backprop means manual", "(a tensor that requires grad)"]),
    "register_hook": ("""
        l = torch._C.TensorBase._make_subclass(torch.Tensor, logits.detach().clone(), True)
        grads = []
        l.register_hook(grads.append)
        F.cross_entropy(l, targets)
        return grads[0]
    """, ["Manual backprop means manual", "(Tensor.register_hook())"]),
    "inference_mode_false": ("""
        with torch.inference_mode(False):
            l = torch._C.TensorBase.requires_grad_(logits.detach().clone())
            return F.cross_entropy(l, targets).grad_fn(torch.ones(()))[0]
    """, ["Manual backprop means manual", "(torch.inference_mode(False))"]),
    "dispatch_keys_back_on": ("""
        torch._C._dispatch_tls_set_dispatch_key_excluded(torch._C.DispatchKey.AutogradFunctionality, False)
        l = torch._C.TensorBase.requires_grad_(logits.detach().clone())
        return F.cross_entropy(l, targets).grad_fn(torch.ones(()))[0]
    """, ["Manual backprop means manual", "_dispatch_tls_set_dispatch_key_excluded"]),
    "force_dispatch_keys": ("""
        keys = torch._C.DispatchKeySet(torch._C.DispatchKey.CPU)
        with torch._C._ForceDispatchKeyGuard(keys, keys):
            l = torch._C.TensorBase.requires_grad_(logits.detach().clone())
            return F.cross_entropy(l, targets).grad_fn(torch.ones(()))[0]
    """, ["Manual backprop means manual", "_ForceDispatchKeyGuard"]),
    "forward_grad_back_on": ("""
        torch._C._set_fwd_grad_enabled(True)
        return torch.zeros_like(logits)
    """, ["Manual backprop means manual", "(turning forward-mode grad back on)"]),
    "functorch_internals": ("""
        from torch._functorch.apis import grad
        return grad(lambda l: F.cross_entropy(l, targets))(logits)
    """, ["Manual backprop means manual", "functorch"]),
    "checkpoint": ("""
        from torch.utils.checkpoint import checkpoint
        l = logits.detach().clone().requires_grad_()
        return checkpoint(lambda x: F.cross_entropy(x, targets), l, use_reentrant=False)
    """, ["Manual backprop means manual", "(Tensor.requires_grad_())"]),
    "custom_function": ("""
        class Identity(torch.autograd.Function):
            @staticmethod
            def forward(ctx, l):
                return l.clone()

            @staticmethod
            def backward(ctx, g):
                return g

        l = torch._C.TensorBase._make_subclass(torch.Tensor, logits.detach().clone(), True)
        loss = F.cross_entropy(Identity.apply(l), targets)
        return loss.grad_fn(torch.ones(()))[0]
    """, ["Manual backprop means manual", "(a tensor that requires grad)"]),
    "thread": ("""
        import threading
        out = []

        def work():
            l = logits.detach().clone().requires_grad_()
            F.cross_entropy(l, targets).backward()
            out.append(l.grad)

        t = threading.Thread(target=work)
        t.start()
        t.join()
        return out[0]
    """, ["Your code started a thread", "a new thread would start with it on"]),
    "raw_thread": ("""
        import _thread
        import time
        out = []
        _thread.start_new_thread(lambda: out.append(torch.func.grad(lambda l: F.cross_entropy(l, targets))(logits)), ())
        time.sleep(0.5)
        return out[0]
    """, ["Your code started a thread"]),
    "pop_the_mode": ("""
        if torch._C._len_torch_function_stack():
            torch._C._pop_torch_function_stack()
        return torch.softmax(logits, 1) / len(targets)  # wrong, but the guard speaks first
    """, ["hid its tensor operations from the checks", "popping the guard's TorchFunctionMode"]),
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_routes_past_the_guard_fail(tmp_path, route):
    body, phrases = ROUTES[route]
    verdict = grade_source(tmp_path, "backprop.cross_entropy", HEAD + textwrap.indent(textwrap.dedent(body), "    "),
                           manual_backprop=True)
    assert not any(c.passed for c in verdict.checks), failure_text(verdict)
    fails_with(verdict, *phrases)


def test_torchscript_cannot_reach_autograd(tmp_path):
    body = '''
        cu = torch.jit.CompilationUnit("""
def f(l, t):
    l = l.detach().requires_grad_(True)
    return torch.autograd.grad([torch.nn.functional.cross_entropy(l, t)], [l])[0]
""")
        return cu.f(logits, targets)
    '''
    verdict = grade_source(tmp_path, "backprop.cross_entropy", HEAD + textwrap.indent(textwrap.dedent(body), "    "))
    assert not verdict.passed and not any(c.passed for c in verdict.checks), failure_text(verdict)


def _in_fork(body):
    """Runs body() in a forked child (the guard changes torch for good) and returns its result."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            result = ("ok", body())
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            result = (type(exc).__name__, str(exc))
        with os.fdopen(write, "wb") as f:
            pickle.dump(result, f)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        result = pickle.load(f)
    os.waitpid(pid, 0)
    return result


def test_the_replacements_keep_no_original_to_recover():
    def body():
        import torch

        from tutor.grader import guard

        names = ["_set_grad_enabled", "_set_fwd_grad_enabled", "_InferenceMode", "DisableTorchFunction",
                 "_dispatch_tls_set_dispatch_key_excluded", "_ForceDispatchKeyGuard", "_SetExcludeDispatchKeyGuard"]
        originals = {id(getattr(torch._C, n)) for n in names}
        guard.forbid_autograd()
        leaks = []
        for n in names:
            new = getattr(torch._C, n)
            for f in [new] + [getattr(new, m, None) for m in ("__init__", "__enter__", "__exit__")]:
                for cell in getattr(f, "__closure__", None) or ():
                    if id(cell.cell_contents) in originals or type(cell.cell_contents).__name__ == "builtin_function_or_method":
                        leaks.append(n)
        import torch.autograd.grad_mode as grad_mode

        leaks += [n for n in vars(grad_mode) if id(vars(grad_mode)[n]) in originals]
        return leaks

    assert _in_fork(body) == ("ok", [])


def test_built_in_ops_record_nothing_even_with_grad_mode_forced_on():
    # As if the learner had found the original _set_grad_enabled and got rid of the mode.
    def body():
        import torch

        from tutor.grader import guard

        set_grad, pop = torch._C._set_grad_enabled, torch._C._pop_torch_function_stack
        guard.forbid_autograd()
        pop()  # first: through the mode, even the original would reach the refusal
        set_grad(True)
        x = torch._C.TensorBase.requires_grad_(torch.ones(3))
        recorded = (x * 2).exp().sum().grad_fn
        try:
            guard.check_outputs({"y": torch.zeros(3)})
        except guard.AutogradUsed as exc:
            return recorded, str(exc)
        return recorded, "not seen"

    assert _in_fork(body) == ("ok", (None, "switching grad mode back on"))


def test_a_graph_is_seen_even_when_every_switch_is_put_back():
    # As if the learner had the originals of every switch, recorded a graph, and undid it all.
    def body():
        import torch

        from tutor.grader import guard

        C = torch._C
        set_grad, exclude, pop, push = (C._set_grad_enabled, C._dispatch_tls_set_dispatch_key_excluded,
                                        C._pop_torch_function_stack, C._push_on_torch_function_stack)
        guard.forbid_autograd()
        keys = (C.DispatchKey.AutogradFunctionality, C.DispatchKey.AutogradOther, C.DispatchKey.AutogradNestedTensor)
        mode = pop()
        set_grad(True)
        for k in keys:
            exclude(k, False)
        x = C.TensorBase.requires_grad_(torch.ones(3))
        made_graph = (x * 2).sum().grad_fn is not None
        for k in keys:
            exclude(k, True)
        set_grad(False)
        push(mode)
        try:
            guard.check_outputs({"y": torch.zeros(3)})
        except guard.AutogradUsed as exc:
            return made_graph, str(exc)
        return made_graph, "not seen"

    status, (made_graph, seen) = _in_fork(body)
    assert status == "ok" and made_graph
    assert "autograd graph node" in seen and "recorded" in seen


def test_analytic_work_is_not_an_estimate_and_an_estimate_is():
    def body():
        import numpy as np
        import torch

        from tutor.grader import guard

        guard.forbid_autograd()
        x = torch.randn(32, 27, dtype=torch.float64)
        p = torch.softmax(x, 1)  # an analytic backward: a few passes over x
        guard.check_outputs({"d": p / 32})
        a = x.numpy()  # a numpy view of a tensor is watched: ufuncs on it are work too
        watched = type(a).__name__
        try:  # raised at the end of the case, or on the way once past the cap
            g = np.zeros_like(a)
            for j in np.ndindex(a.shape):
                up = a.copy()
                up[j] += 1e-5
                g[j] = (np.log(np.exp(up).sum()) - np.log(np.exp(a).sum())) / 1e-5
            guard.check_outputs({"d": torch.from_numpy(np.ascontiguousarray(g))})
        except guard.NumericalEstimate:
            return watched, "estimate"
        return watched, "not seen"

    assert _in_fork(body) == ("ok", ("Watched", "estimate"))


def test_a_case_is_not_charged_for_the_last_case_s_outputs():
    """Turning a case's outputs into plain data reads them (4 elements an entry): that is the grader's
    work, so a large case before a small one cannot make the small one look like an estimate."""
    def body():
        import torch

        from tutor.grader import guard, protocol

        guard.forbid_autograd()
        big = {"dx": torch.randn(8, 64, 64)}
        guard.check_outputs(big)
        protocol.to_plain(big)  # the child sends each case's outputs before the next case
        carried = guard._state["work"]
        guard.begin_case()
        x = torch.randn(100, dtype=torch.float64)
        guard.check_outputs({"d": x * 2 + 1})  # a small analytic case: well under the floor
        return carried > guard.WORK_FLOOR

    assert _in_fork(body) == ("ok", True)
