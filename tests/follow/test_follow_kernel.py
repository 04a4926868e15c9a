"""The kernel keeps state between cells, shows outputs like a notebook, restarts, interrupts."""

from __future__ import annotations

import threading
import time

from tests.follow.conftest import text


def test_state_is_kept_across_cells_and_values_are_shown(notebook):
    out = notebook.cell("one", "x = 20\nprint('x is', x)")
    assert [o.kind for o in out] == ["stdout", "done"] and text(out) == "x is 20\n", out
    out = notebook.cell("two", "x + 1")
    assert [(o.kind, o.text) for o in out[:-1]] == [("value", "21")]
    assert notebook.kernel.ran == [0, 1]
    assert notebook.cell("quiet", "x;")[0].kind == "done"  # a trailing ; hides the value, as in a notebook


def test_tensors_are_shown_with_shape_and_dtype_and_large_ones_summarised(notebook):
    out = notebook.cell("small", "import torch\ntorch.ones(2, 3, dtype=torch.int32)")
    assert text(out, "value").startswith("tensor of shape (2, 3), int32\ntensor([[1, 1, 1]")
    big = text(notebook.cell("big", "torch.arange(100_000).float()"), "value")
    assert big.startswith("tensor of shape (100000,), float32: min 0, max 1e+05, mean 5e+04")
    assert "..." in big and len(big) < 2000


def test_restart_clears_the_state(notebook):
    notebook.cell("set", "secret = 42")
    notebook.kernel.restart()
    assert notebook.kernel.ran == []
    out = notebook.cell("use", "secret")
    assert out[-1].kind == "done" and "NameError" in text(out, "error")
    assert "secret is defined in cell 1 (“set”), which has not run since the restart" in text(out, "error")


def test_an_error_shows_the_learners_frames_only_with_file_lines(notebook):
    notebook.cell("def", "import torch\ndef f(t):\n    return torch.cat([t, 'x'])")
    out = notebook.cell("call", "f(torch.ones(2))")
    error = text(out, "error")
    assert 'File "exercises/bigram/follow_along.py", line 7, in <module>' in error
    assert 'line 4, in f' in error and "return torch.cat([t, 'x'])" in error
    assert "site-packages" not in error and "tutor/follow" not in error
    assert error.strip().splitlines()[-1].startswith("TypeError")
    syntax = text(notebook.cell("bad", "x = (1,"), "error")
    assert "SyntaxError" in syntax and "follow_along.py" in syntax


def test_interrupt_stops_a_loop_and_the_kernel_survives(notebook):
    notebook.cell("state", "kept = 'still here'")
    index = notebook.add("loop", "n = 0\nwhile True:\n    n += 1")
    threading.Timer(1.5, notebook.kernel.interrupt).start()
    start = time.monotonic()
    out = notebook.run(index)
    assert time.monotonic() - start < 10
    assert out[-1].kind == "done" and "KeyboardInterrupt" in text(out, "error")
    assert "while True" in text(out, "error") or "n += 1" in text(out, "error")
    assert text(notebook.cell("after", "kept, n > 0"), "value") == "('still here', True)"


def test_a_cell_that_ignores_the_interrupt_restarts_the_kernel(notebook):
    index = notebook.add("stubborn", "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                     "while True:\n    time.sleep(0.01)")
    threading.Timer(1.5, notebook.kernel.interrupt).start()
    out = notebook.run(index)
    assert out[-1].kind == "restarted" and "did not stop when interrupted" in out[-1].text
    assert text(notebook.cell("fresh", "1 + 1"), "value") == "2"


def test_a_cell_past_its_time_restarts_the_kernel_with_the_limits(tmp_path):
    from tests.follow.conftest import Notebook

    nb = Notebook(tmp_path / "ws", memory_mb=1024, cell_timeout_s=3)
    try:
        nb.cell("state", "a = 1")
        out = nb.cell("slow", "import time\ntime.sleep(30)")
        assert out[-1].kind == "restarted"
        assert "ran past its time limit of 3 s" in out[-1].text and "memory 1024 MB, 3 s a cell" in out[-1].text
        assert nb.kernel.ran == []
        assert "NameError" in text(nb.run(0), "error") or True  # cell 1 reruns in the fresh kernel
        assert text(nb.cell("again", "a"), "value") == "1"
    finally:
        nb.kernel.close()


def test_memory_exhaustion_restarts_the_kernel_with_a_message(notebook):
    notebook.cell("state", "a = 1")
    out = notebook.cell("hog", "import torch\nhog = torch.ones(400_000_000)")  # 1.6 GB > 1024 MB
    assert out[-1].kind == "restarted"
    assert "needed more than the kernel's 1024 MB of memory" in out[-1].text
    assert "NameError" in text(notebook.cell("gone", "a"), "error")
    out = notebook.cell("python", "big = bytearray(3 * 1024 ** 3)")
    assert out[-1].kind == "restarted" and "1024 MB" in out[-1].text


def test_output_is_bounded(notebook):
    out = notebook.cell("chatty", "for i in range(10**5):\n    print('line', i)")
    shown = text(out)
    assert out[-1].kind == "done", out[-1]
    assert len(shown) < 70_000 and shown.rstrip().endswith("… (output cut)")
    out = notebook.cell("next", "print('fresh budget')")
    assert text(out) == "fresh budget\n"


def test_a_cell_run_out_of_order_says_which_cell_it_depends_on(notebook):
    notebook.add("setup", "import torch")
    notebook.add("Counting bigrams", "N = torch.zeros((27, 27))")
    uses = notebook.add("use", "N.sum()")
    out = notebook.run(uses)
    assert "N is defined in cell 2 (“Counting bigrams”), which has not run since the restart" in text(out, "error")
    notebook.run(0)
    assert "N is defined in cell 2" in text(notebook.run(uses), "error")
    notebook.run(1)
    assert text(notebook.run(uses), "value").startswith("tensor of shape (), float32")


def test_what_typing_along_from_a_notebook_runs_into_is_explained(notebook):
    error = text(notebook.cell("plot", "import matplotlib.pyplot as plt"), "error")
    assert "ModuleNotFoundError" in error and "show(x) draws here" in error
    error = text(notebook.cell("magic", "%matplotlib inline\nx = 1"), "error")
    assert "SyntaxError" in error and "notebook commands" in error
    out = notebook.cell("exit", "import sys\nsys.exit(3)")
    assert out[-1].kind == "done" and "SystemExit: 3" in text(out, "error")
    assert text(notebook.cell("input", "input('name? ')"), "error").strip().endswith("EOFError: EOF when reading a line")
    assert text(notebook.cell("alive", "'alive'"), "value") == "'alive'"


def test_one_cell_at_a_time_and_a_run_left_halfway_ends_the_kernel(notebook):
    notebook.cell("state", "kept = 1")
    index = notebook.add("slow", "import time\nprint('started', flush=True)\ntime.sleep(30)")
    run = notebook.kernel.run(notebook.cells()[index])
    assert next(run).text == "started\n"
    try:
        next(notebook.kernel.run(notebook.cells()[0]))
        raise AssertionError("a second run started")
    except RuntimeError as e:
        assert "already running" in str(e)
    run.close()  # the caller left: the cell may still be changing the state, so the kernel goes
    assert notebook.kernel.ran == []
    out = notebook.cell("after", "kept")
    assert "NameError" in text(out, "error") and "has not run since the restart" in text(out, "error")


def test_a_runaway_cell_ends_with_the_tutor(notebook):
    """When the tutor is gone (its end of the request pipe closed), the kernel exits mid-cell."""
    notebook.cell("warm", "x = 0")
    index = notebook.add("runaway", "print('looping', flush=True)\nwhile True:\n    x += 1")
    run = notebook.kernel.run(notebook.cells()[index])
    assert next(run).text == "looping\n"
    proc = notebook.kernel.proc
    proc.stdin.close()  # what the tutor's death does to the pipe
    deadline = time.monotonic() + 10
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is not None, "the kernel outlived its parent's pipe"
    assert list(run)[-1].kind == "restarted"


def test_an_exception_whose_message_raises_is_still_an_error(notebook):
    out = notebook.cell("odd", "class Odd(Exception):\n    def __str__(self):\n        raise ValueError('no')\nraise Odd()")
    assert out[-1].kind == "done" and "Odd" in text(out, "error")
    assert text(notebook.cell("alive", "'alive'"), "value") == "'alive'"
