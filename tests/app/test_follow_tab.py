"""The Follow-along tab: cells run in the lesson's kernel (a stand-in here), state kept, interrupt,
restart, limits shown, panels and errors drawn, a save re-read, keys answering while a cell runs."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.app.follow_fakes import FakeKernel
from tests.app.helpers import screen_text, wait_for, wait_text
from tests.follow.conftest import needs_jail

pytestmark = pytest.mark.app

BOOK = '''\
# %% Setup
x = 41
print("loaded", x)

# %% The answer
x + 1

# %% A runaway loop
spin()

# %% A picture
show([[1, 2, 3], [4, 5, 6]], title="counts")
hist([0.1, 0.2, 0.2, 0.9, 1.5], title="spread")

# %% A typo
y_undefined + 1
'''


@pytest.fixture
def follow(make, toy_workspace):
    """`follow(text)`: the app with the toy lesson's follow-along file and a fake kernel."""
    def build(text: str = BOOK, **kw):
        path = toy_workspace.root / "exercises/toy/follow_along.py"
        path.write_text(text)
        app = make(**kw)
        app.kernels = []

        def kernel(lesson):
            app.kernels.append(FakeKernel(lesson))
            return app.kernels[-1]

        app.session.kernel_factory = kernel
        return app

    return build


async def open_tab(pilot) -> object:
    await pilot.press("enter", "3")
    assert await wait_text(pilot, "follow_along.py")
    return pilot.app.screen.query_one("#follow-pane")


def marks(pane) -> list[str]:
    return ["stale" if s.stale else s.mark for s in pane.book.cells]


async def key_latency(pilot, pane, key: str) -> float:
    """Seconds from pressing `key` (a cursor key) to the pane's handler running: the UI answering.
    (The pilot's own press waits for the screen to settle, which is not the latency a learner feels.)"""
    stamps: list[float] = []
    move = pane.move
    pane.move = lambda delta: (stamps.append(time.monotonic()), move(delta))
    start = time.monotonic()
    await pilot.press(key)
    assert await wait_for(pilot, lambda: bool(stamps), timeout=2.0)
    pane.move = move
    return stamps[0] - start


LATENCY_S = 0.25
"""A key must reach its handler within this while a cell runs (it takes ~10-30 ms when idle)."""


async def run_cell(pilot, pane, index: int, key: str = "enter") -> None:
    pane.move(index - pane.current)
    await pilot.press(key)
    assert await wait_for(pilot, lambda: not pane.book.busy and pane.book.cells[index].mark != "queued")


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
def test_a_cell_runs_and_the_kernel_keeps_its_state(follow, size):
    """Enter runs the current cell; the next sees its variables; markers and output show; limits shown."""
    async def go():
        app = follow()
        async with app.run_test(size=size) as pilot:
            pane = await open_tab(pilot)
            assert "limits: 2048 MB memory, 120 s a cell" in screen_text(app)
            assert marks(pane) == ["never"] * 5
            await run_cell(pilot, pane, 0)
            assert await wait_text(pilot, "loaded 41")
            await run_cell(pilot, pane, 1)
            assert await wait_text(pilot, "→ 42")  # the value of x + 1: state kept between cells
            assert marks(pane) == ["ran", "ran", "never", "never", "never"]
            assert "cell 2 ran in 0.01 s" in screen_text(app)
            assert "●" in screen_text(app) and "○" in screen_text(app)
            assert app.screen.query_one("#follow-cells").size.height >= 5

    asyncio.run(go())


def test_run_to_here_runs_the_cells_above_in_order_and_stops_at_an_error(follow):
    """a runs cells 1..current; a NameError stops the run there and is drawn red."""
    text = BOOK.replace("spin()", "print('no loop')")
    async def go():
        app = follow(text)
        async with app.run_test(size=(120, 40)) as pilot:
            pane = await open_tab(pilot)
            await run_cell(pilot, pane, 4, key="a")
            assert marks(pane) == ["ran", "ran", "ran", "ran", "error"]
            assert await wait_text(pilot, "NameError")
            error = pane.book.cells[4].outputs[-1]
            assert error.kind == "error"
            from tutor.app.widgets.follow_view import segments

            (kind, body), = segments(pane.book.cells[4].outputs)
            assert kind == "text" and body.style == "red"
            assert "cell 5 raised an error" in screen_text(app)

    asyncio.run(go())


def test_interrupt_stops_a_loop_while_the_keys_answer(follow):
    """A busy cell runs in a worker: a key moves the cursor at once; ctrl+c interrupts; the kernel survives."""
    async def go():
        app = follow()
        async with app.run_test(size=(120, 40)) as pilot:
            pane = await open_tab(pilot)
            await run_cell(pilot, pane, 0)
            pane.move(2 - pane.current)
            await pilot.press("enter")
            kernel = app.kernels[0]
            assert await wait_for(pilot, kernel.spinning.is_set)
            assert await wait_text(pilot, "running cell 3…")
            latency = await key_latency(pilot, pane, "down")
            print(f"key latency during a busy cell: {latency * 1000:.0f} ms")
            assert latency < LATENCY_S and pane.current == 3  # the UI answered while the cell ran
            assert kernel.spinning.is_set()  # and the cell is still running
            await pilot.press("ctrl+c")  # as in a terminal (i does the same: the real kernel's test)
            assert await wait_for(pilot, lambda: not pane.book.busy)
            assert marks(pane)[2] == "error"
            assert await wait_text(pilot, "KeyboardInterrupt")
            await run_cell(pilot, pane, 1)  # the kernel survived with its state
            assert await wait_text(pilot, "→ 42")

    asyncio.run(go())


def test_restart_clears_the_markers_and_the_state(follow):
    """ctrl+r restarts the kernel: every marker back to not-run, old outputs dimmed, variables gone."""
    async def go():
        app = follow()
        async with app.run_test(size=(120, 40)) as pilot:
            pane = await open_tab(pilot)
            await run_cell(pilot, pane, 0)
            await run_cell(pilot, pane, 1)
            await pilot.press("ctrl+r")
            assert await wait_text(pilot, "kernel restarted (ctrl+r)")
            assert await wait_for(pilot, lambda: not pane.book.busy)
            assert marks(pane) == ["never"] * 5
            assert app.kernels[0].restarts == 1
            assert pane.book.cells[0].old and pane.query(".-old")
            await run_cell(pilot, pane, 1)
            assert await wait_text(pilot, "NameError: name 'x' is not defined")

    asyncio.run(go())


def test_restart_ends_a_running_cell(follow):
    """ctrl+r during a busy cell stops it and restarts; the tab is ready again."""
    async def go():
        app = follow()
        async with app.run_test(size=(120, 40)) as pilot:
            pane = await open_tab(pilot)
            await pilot.press("end")
            pane.move(2 - pane.current)
            await pilot.press("enter")
            assert await wait_for(pilot, app.kernels[0].spinning.is_set)
            await pilot.press("ctrl+r")
            assert await wait_text(pilot, "kernel restarted (ctrl+r)")
            assert await wait_for(pilot, lambda: not pane.book.busy)
            assert marks(pane) == ["never"] * 5 and not app.kernels[0].spinning.is_set()

    asyncio.run(go())


def test_a_limit_restarts_the_kernel_with_a_message(follow):
    """A cell over the memory limit: the kernel restarts, the status says why, the markers clear."""
    text = BOOK.replace("x + 1", "hog()")
    async def go():
        app = follow(text)
        async with app.run_test(size=(120, 40)) as pilot:
            pane = await open_tab(pilot)
            await run_cell(pilot, pane, 0)
            await run_cell(pilot, pane, 1)
            assert await wait_text(pilot, "kernel restarted: memory limit 2048 MB")
            assert marks(pane) == ["never"] * 5

    asyncio.run(go())


def test_panels_are_drawn_with_the_panel_widgets(follow):
    """show() as a heat map (Rich, in a box) and a histogram (the plotext chart), in order."""
    async def go():
        from tutor.app.widgets.panels import PanelChart

        app = follow()
        async with app.run_test(size=(120, 50)) as pilot:
            pane = await open_tab(pilot)
            await run_cell(pilot, pane, 3)
            assert await wait_text(pilot, "min 1  max 6")  # the heat map's legend
            box = pane.book.cells[3].key
            charts = pane._boxes[box].query(PanelChart)
            assert len(charts) == 1 and str(charts.first().border_title) == "spread"
            assert "counts" in screen_text(app)

    asyncio.run(go())


def test_long_output_scrolls(follow):
    """A cell printing hundreds of lines: the column scrolls and page down moves it."""
    async def go():
        app = follow("# %% Many\nfor i in range(300):\n    print('line', i)\n")
        async with app.run_test(size=(80, 24)) as pilot:
            pane = await open_tab(pilot)
            await run_cell(pilot, pane, 0)
            column = app.screen.query_one("#follow-cells")
            assert await wait_for(pilot, lambda: column.max_scroll_y > 250)
            await pilot.press("pagedown")
            assert await wait_for(pilot, lambda: column.scroll_y > 0)

    asyncio.run(go())


def test_a_save_rereads_the_file_keeping_outputs_by_cell(follow, toy_workspace):
    """A save renumbers the cells; an unchanged cell keeps its output and marker, a changed one is stale."""
    async def go():
        from tutor.app.messages import FileSaved

        app = follow(watch=False)
        path = toy_workspace.root / "exercises/toy/follow_along.py"
        async with app.run_test(size=(120, 40)) as pilot:
            pane = await open_tab(pilot)
            await run_cell(pilot, pane, 0)
            await run_cell(pilot, pane, 1)
            edited = "# %% A new first cell\nz = 1\n\n" + BOOK.replace("x + 1", "x + 2")
            path.write_text(edited)
            app.post_message(FileSaved(path))
            assert await wait_for(pilot, lambda: len(pane.book.cells) == 6)
            titles = [s.cell.title for s in pane.book.cells]
            assert titles[:3] == ["A new first cell", "Setup", "The answer"]
            assert marks(pane) == ["never", "ran", "stale", "never", "never", "never"]
            assert [s.cell.index for s in pane.book.cells] == list(range(6))
            assert pane.current == 0  # the first changed cell
            setup, answer = pane.book.cells[1], pane.book.cells[2]
            assert setup.outputs[0].text == "loaded 41\n" and answer.outputs[0].text == "42"
            assert await wait_text(pilot, "edited since it ran")
            await run_cell(pilot, pane, 2)
            assert answer.outputs[0].text == "43" and marks(pane)[2] == "ran"

    asyncio.run(go())


def test_a_missing_file_says_how_to_get_it(make):
    async def go():
        app = make()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter", "3")
            assert await wait_text(pilot, "follow_along.py is not in this workspace")
            await pilot.press("enter")  # nothing to run: a message, no crash
            assert await wait_for(pilot, lambda: any("not in this workspace" in n for n in app.notes))

    asyncio.run(go())


def test_quitting_closes_the_kernel(follow):
    async def go():
        app = follow()
        async with app.run_test(size=(120, 40)) as pilot:
            pane = await open_tab(pilot)
            await run_cell(pilot, pane, 0)
        assert app.kernels[0].closed

    asyncio.run(go())


def test_snapshot_after_a_few_cells(follow, snap_compare):
    """Markers, first lines, printed text, a value, a heat map and a histogram, an error (120×40)."""
    text = BOOK.replace("spin()", "print('no loop')")

    async def before(pilot):
        pane = await open_tab(pilot)
        await run_cell(pilot, pane, 4, key="a")
        pane.move(-10)
        await wait_for(pilot, lambda: pane.query_one("#follow-cells").scroll_y == 0)
        await pilot.pause(0.3)

    assert snap_compare(follow(text), terminal_size=(120, 40), run_before=before)


@needs_jail
def test_the_real_kernel_runs_interrupts_and_restarts(follow):
    """The jailed kernel behind the tab: state kept, a runaway loop interrupted while the keys answer
    (the latency of one key measured), the kernel surviving it, then a restart."""
    text = "# %% Setup\nx = 41\n\n# %% Runaway\nwhile True:\n    pass\n\n# %% Use\nx + 1\n"

    async def go():
        app = follow(text)
        app.session.kernel_factory = None  # tutor.follow.kernel.Kernel, in its jail
        async with app.run_test(size=(120, 40)) as pilot:
            pane = await open_tab(pilot)
            pane.move(0)
            await pilot.press("enter")
            assert await wait_for(pilot, lambda: pane.book.cells[0].mark == "ran", timeout=60)
            pane.move(1)
            await pilot.press("enter")
            assert await wait_text(pilot, "running cell 2…")
            await pilot.pause(0.5)  # the loop is spinning in the child now
            latency = await key_latency(pilot, pane, "down")
            print(f"key latency while the real kernel spins: {latency * 1000:.0f} ms")
            assert latency < LATENCY_S and pane.current == 2 and pane.book.cells[1].mark == "running"
            await pilot.press("i")
            assert await wait_for(pilot, lambda: not pane.book.busy, timeout=10)
            assert "KeyboardInterrupt" in "".join(o.text for o in pane.book.cells[1].outputs)
            assert marks(pane)[:2] == ["ran", "error"]
            await pilot.press("enter")  # cell 3: the state survived the interrupt
            assert await wait_text(pilot, "→ 42", timeout=30)
            await pilot.press("ctrl+r")
            assert await wait_text(pilot, "kernel restarted (ctrl+r)", timeout=10)
            assert marks(pane) == ["never"] * 3 and pane.book.kernel.ran == []

    asyncio.run(go())


def test_a_reread_matches_cells_by_source_then_title_then_place(tmp_path):
    """The book's rule, without the app: moved cells keep their state, edited ones go stale, new ones
    start not run, and the first changed cell is the one returned."""
    from tutor.app.widgets.follow_book import FollowBook

    book = FollowBook("toy", tmp_path)
    book.reload("# %% a\nx = 1\n# %% b\ny = 2\n# %% c\nz = 3\n")
    for s in book.cells:
        s.mark, s.ran_source, s.outputs = "ran", s.cell.source, [f"out {s.cell.title}"]
    first = book.reload("# %% c\nz = 3\n# %% new\nw = 0\n# %% a\nx = 10\n# %% b\ny = 2\n")
    assert [s.cell.title for s in book.cells] == ["c", "new", "a", "b"]
    assert [("stale" if s.stale else s.mark) for s in book.cells] == ["ran", "never", "stale", "ran"]
    assert [s.outputs for s in book.cells] == [["out c"], [], ["out a"], ["out b"]]
    assert first == 1 and [s.cell.index for s in book.cells] == [0, 1, 2, 3]
    kept = [s.key for s in book.cells]
    assert book.reload(book.text) is None and [s.key for s in book.cells] == kept  # nothing changed


def test_e_on_the_tab_edits_the_follow_along_file_and_rereads_it(follow, tmp_path, monkeypatch):
    """e hands the follow-along file (not the exercise) to $EDITOR; what was saved there is shown on return."""
    import contextlib

    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf '# %%%% Typed in the editor\\nprint(1)\\n' >> \"$1\"\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))

    async def go():
        app = follow()
        app.suspend = contextlib.nullcontext  # the headless test driver cannot suspend
        async with app.run_test(size=(120, 40)) as pilot:
            pane = await open_tab(pilot)
            exercise = app.session.workspace.root / "exercises/toy/scale.py"
            before = exercise.read_text()
            await pilot.press("e")
            assert await wait_for(pilot, lambda: len(pane.book.cells) == 6)
            assert pane.book.cells[5].cell.title == "Typed in the editor" and pane.current == 5
            assert await wait_text(pilot, "Typed in the editor")
            assert exercise.read_text() == before  # the exercise was not the file edited

    asyncio.run(go())


def test_tabs_stay_where_the_learner_put_them_at_80_columns(follow):
    """At 80×24 the code view has focus on the Exercise tab; switching away must not bounce back to it
    (its hidden neighbour took focus, which made its tab active again)."""
    async def go():
        app = follow()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter", "2")
            assert await wait_for(pilot, lambda: app.focused is app.screen.query_one("#source"))
            tabs = app.screen.query_one("#tabs")
            for key, tab, widget in (("3", "follow", "#follow-cells"), ("1", "read", "#text"),
                                     ("2", "work", "#source"), ("3", "follow", "#follow-cells")):
                await pilot.press(key)
                await pilot.pause(0.5)
                assert (tabs.active, app.focused) == (tab, app.screen.query_one(widget)), key
            await pilot.press("down")  # the cells' keys work there
            assert await wait_for(pilot, lambda: app.screen.query_one("#follow-pane").current == 1)

    asyncio.run(go())
