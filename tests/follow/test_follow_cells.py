"""The percent format as editors read it, and which cell binds a name."""

from __future__ import annotations

from tutor.follow.cells import Cell, defined_names, parse


def test_cells_titles_lines_and_sources():
    text = "import torch\n\n# %% The data\nwords = ['emma']\n\n\n#%% [markdown] Notes\n# just text\n# %%\nx = 1\n"
    cells = parse(text)
    assert [(c.index, c.title, c.line, c.marked) for c in cells] == [
        (0, "", 1, False), (1, "The data", 3, True), (2, "Notes", 7, True), (3, "", 9, True)]
    assert cells[0].source == "import torch\n"
    assert cells[1].source == "words = ['emma']\n"  # trailing blank lines dropped
    assert cells[3].source == "x = 1\n"
    assert [c.first_line for c in cells] == [1, 4, 8, 10]
    assert cells[1].label == "cell 2 (“The data”)" and cells[3].label == "cell 4"


def test_blank_text_above_the_first_marker_is_no_cell_and_an_empty_cell_is_kept():
    cells = parse("\n\n# %% One\n# %% Two\n")
    assert [(c.title, c.source, c.line) for c in cells] == [("One", "", 3), ("Two", "", 4)]
    assert parse("") == []
    assert parse("# %%% not a marker\nx = 1\n")[0].source == "# %%% not a marker\nx = 1\n"


def test_source_lines_match_the_file():
    text = "a = 1\n# %% B\nb = 2\nc = 3\n# %% C\nd = 4\n"
    lines = text.splitlines()
    for cell in parse(text):
        for k, row in enumerate(cell.source.splitlines()):
            assert lines[cell.first_line - 1 + k] == row


def test_defined_names_follow_module_level_bindings():
    cells = [Cell(0, "setup", "import torch\nimport numpy as np\nfrom os import path as p\n", 1),
             Cell(1, "N", "N = torch.zeros((27, 27))\nfor w in words:\n    n += 1\n", 3),
             Cell(2, "defs", "def f(x):\n    inner = x\n    return inner\nclass K: z = 1\n"
                             "a, (b, *c) = 1, (2, 3)\nif (m := 5):\n    q = [i for i in range(3)]\n", 8),
             Cell(3, "later", "N = N + 1\nwith open('x') as fh:\n    pass\ntry:\n    pass\n"
                              "except Exception as e:\n    r = 1\n", 20),
             Cell(4, "broken", "def (\n", 30)]
    names = defined_names(cells, 3)
    assert names["torch"] == 0 and names["np"] == 0 and names["p"] == 0
    assert names["N"] == 1 and names["w"] == 1 and names["n"] == 1
    assert {"f", "K", "a", "b", "c", "m", "q"} <= set(names) and names["f"] == 2
    assert "inner" not in names and "z" not in names and "i" not in names and "x" not in names
    later = defined_names(cells, 5)
    assert later["N"] == 3 and later["fh"] == 3 and later["r"] == 3 and "e" not in later
    assert defined_names(cells, 0) == {}
