"""The seven follow-along files, and the bigram lecture typed along in one, end to end, headless."""

from __future__ import annotations

import re

import pytest

from tests.follow.conftest import needs_jail
from tests.grading import cli_json
from tutor.course.workspace import follow_file, init, reset_follow
from tutor.follow.cells import parse
from tutor.follow.headless import run_cells
from tutor.follow.kernel import Kernel
from tutor.paths import course_root

LESSONS = ["micrograd", "bigram", "mlp", "batchnorm", "backprop", "wavenet", "gpt"]


def _sections(lesson: str) -> list[str]:
    md = (course_root() / "lessons" / lesson / "lesson.md").read_text()
    return [f"{n}. {t.strip()}" for n, t in re.findall(r"^## (\d+)\. (.+)$", md, re.M)]


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_file_is_the_setup_then_the_lessons_sections(lesson):
    cells = parse((course_root() / follow_file(lesson)).read_text())
    assert cells[0].title == "Setup" and [c.title for c in cells[1:]] == _sections(lesson)
    for cell in cells:
        compile(cell.source, follow_file(lesson), "exec")
    setup = cells[0].source
    assert "from tutor.follow.kit import" in setup
    if lesson != "micrograd":
        assert re.search(r"stoi = .*\n.*\n?itos = ", setup) and "seed" in setup and "load(" in setup


@needs_jail
@pytest.mark.parametrize("lesson", LESSONS)
def test_each_setup_runs_in_the_kernel(lesson, tmp_path, shared_data):
    ws, _ = init_workspace(tmp_path)
    kernel = Kernel(lesson, ws.root, memory_mb=2048, cell_timeout_s=120)
    try:
        cells = parse((ws.root / follow_file(lesson)).read_text())
        entries = run_cells(kernel, cells, upto=0)
    finally:
        kernel.close()
    assert entries[0]["ran"] and entries[0]["error"] is None, entries[0]["error"]
    assert not any(e["ran"] for e in entries[1:])


def init_workspace(tmp_path):
    from tutor.course.loader import load_course

    return init(load_course(), tmp_path / "ws")


def test_init_copies_the_files_and_reset_restores_one(real_course, tmp_path):
    ws, added = init(real_course, tmp_path / "ws")
    assert {follow_file(l) for l in LESSONS} <= set(added)
    path = ws.root / follow_file("bigram")
    shipped = path.read_text()
    path.write_text(shipped + "\n# %% mine\nprint('typed along')\n")
    assert follow_file("bigram") not in init(real_course, ws.root)[1]  # never overwritten
    backup = reset_follow(ws, "bigram")
    assert path.read_text() == shipped and "typed along" in backup.read_text()
    assert reset_follow(ws, "bigram") is None  # pristine: nothing to keep


TYPED = {  # the lecture's code, typed into the sections as the video goes
    "4.": """N = torch.zeros((27, 27), dtype=torch.int32)
for w in words:
    chs = ['.'] + list(w) + ['.']
    for ch1, ch2 in zip(chs, chs[1:]):
        N[stoi[ch1], stoi[ch2]] += 1
print(N[0, :5].tolist())
show(N, rows=[itos[i] for i in range(27)], cols=[itos[i] for i in range(27)])
""",
    "5.": """P = N.float()
P = P / P.sum(1, keepdim=True)
print('rows sum to 1:', torch.allclose(P.sum(1), torch.ones(27)))
P.sum(1)
""",
    "6.": """g = torch.Generator().manual_seed(2147483647)
for i in range(5):
    out = []
    ix = 0
    while True:
        p = P[ix]
        ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0:
            break
    print(''.join(out))

def lecture_draw(p, g):
    u = torch.rand(1, generator=g, dtype=torch.float64)
    cdf = p.double().cumsum(0)
    return int(torch.searchsorted(cdf / cdf[-1], u).item())

g = torch.Generator().manual_seed(2147483647)
for i in range(5):
    out, ix = [], 0
    while True:
        ix = lecture_draw(P[ix], g)
        out.append(itos[ix])
        if ix == 0:
            break
    print(''.join(out))
""",
}


def _typed_along(shipped: str) -> str:
    out = []
    for cell in parse(shipped):
        typed = next((code for key, code in TYPED.items() if cell.title.startswith(key)), cell.source)
        out.append(f"# %% {cell.title}\n{typed}\n")
    return "".join(out)


@needs_jail
def test_the_bigram_lecture_typed_along_headless(tmp_path, shared_data):
    ws, _ = init_workspace(tmp_path)
    path = ws.root / follow_file("bigram")
    path.write_text(_typed_along(path.read_text()))
    result = cli_json("follow", "bigram", "--cell", "7", cwd=ws.root, timeout=300)
    cells = result["cells"]
    assert len(cells) == len(parse(path.read_text())) and [c["index"] for c in cells] == list(range(len(cells)))
    assert {"index", "title", "source", "output", "error", "panels"} <= set(cells[0])
    assert [c["ran"] for c in cells] == [True] * 7 + [False] * (len(cells) - 7)
    assert all(c["error"] is None for c in cells), [c["error"] for c in cells]
    counts = cells[4]
    assert counts["output"] == "[0, 4410, 1306, 1542, 1690]\n"  # the lecture's first row
    heat = counts["panels"][0]
    assert heat["title"] == "N" and heat["kind"] == "heatmap" and heat["values"][0][1] == 4410
    assert heat["rows"][1] == "a" and heat["cols"][0] == "."
    assert cells[5]["output"].startswith("rows sum to 1: True\ntensor of shape (27,), float32")
    names = cells[6]["output"].split()
    assert names[:5] == ["cexze.", "momasurailezitynn.", "konimittain.", "llayn.", "ka."]  # today's torch (lesson.md)
    assert names[5:] == ["mor.", "axx.", "minaymoryles.", "kondlaisah.", "anchshizarie."]  # the video's, drawn its way


@needs_jail
def test_follow_json_has_one_entry_per_cell_and_stops_at_an_error(tmp_path, shared_data):
    ws, _ = init_workspace(tmp_path)
    path = ws.root / follow_file("micrograd")
    path.write_text("# %% a\nx = 2\nprint(x)\n# %% b\nundefined_name\n# %% c\nx = 3\n")
    result = cli_json("follow", "micrograd", cwd=ws.root, timeout=120)
    cells = result["cells"]
    assert [c["title"] for c in cells] == ["a", "b", "c"] and [c["ran"] for c in cells] == [True, True, False]
    assert cells[0]["output"] == "2\n" and cells[0]["error"] is None
    assert "NameError: name 'undefined_name' is not defined" in cells[1]["error"]
    assert result["limits"] == "memory 2048 MB, 120 s a cell" and cells[2]["source"] == "x = 3\n"
    bad = cli_json("follow", "micrograd", "--cell", "9", cwd=ws.root, timeout=60)
    assert bad["exit_code"] == 2 and "--cell takes 1 to 3" in bad["error"]
