"""The computation-graph drawing (tutor.grader.graph_render): small, large and odd graphs."""

from __future__ import annotations

import random

from tutor.grader.graph_render import MAX_ROWS, graph_lines, graph_text
from tutor.grader.render import escape


def neuron(wrong: bool = False) -> dict:
    """The lecture's neuron, o = tanh(x1*w1 + x2*w2 + b), with its grads."""
    names = ["x1", "x2", "w1", "w2", "b", "x1w1", "x2w2", "x1w1x2w2", "n", "o"]
    ops = [""] * 5 + ["*", "*", "+", "+", "tanh"]
    data = [2.0, 0.0, -3.0, 1.0, 6.8814, -6.0, 0.0, -6.0, 0.8814, 0.7071]
    grad = [-1.5, 0.5, 1.0, 0.0, 0.5, 0.5, 0.5, 0.5, 0.5, 1.0]
    nodes = [{"id": k, "label": names[k], "op": ops[k], "data": data[k], "grad": grad[k]} for k in range(10)]
    if wrong:
        nodes[8].update(grad=0.25, expected_grad=0.5, wrong=True)
    edges = [[0, 5], [2, 5], [1, 6], [3, 6], [5, 7], [6, 7], [7, 8], [4, 8], [8, 9]]
    return {"nodes": nodes, "edges": edges}


def text(graph, width=100) -> list[str]:
    return graph_text(graph, width, escape).splitlines()


def row_label(line: str) -> str:
    """The node a row draws: its first word after the mark and the tree."""
    return line.lstrip("✗ │├└─").split()[0]


def test_a_small_graph_is_a_tree_from_the_output_with_aligned_columns():
    lines = text(neuron())
    assert lines[0].split() == ["node", "data", "grad"]
    assert lines[1].split() == ["o", "(tanh)", "0.7071", "1.0000"]
    assert lines[2].startswith("└─ n (+) ")
    assert [row_label(line) for line in lines[1:11]] == ["o", "n", "x1w1x2w2", "x1w1", "x1", "w1", "x2w2", "x2",
                                                         "w2", "b"]
    assert lines[5].startswith("   │  │  ├─ x1 ")  # x1 under x1w1, under x1w1x2w2, under n
    ends = {len(line) for line in lines[:11]}  # the grad column ends in the same place on every row
    assert len(ends) == 1, lines


def test_a_wrong_node_is_marked_with_the_expected_number():
    lines = text(neuron(wrong=True))
    marked = [line for line in lines if line.startswith("✗ ") and "(+)" in line]
    assert len(marked) == 1 and "└─ n (+)" in marked[0]
    assert marked[0].split()[-4:] == ["0.2500", "expected", "grad", "0.5000"]
    assert lines[-1].startswith("✗ ") and "expected" in lines[-1]  # the legend
    assert not any(line.startswith("✗") for line in text(neuron()))


def test_a_node_used_twice_is_drawn_once_and_referred_to_again():
    graph = {"nodes": [{"id": 0, "label": "a", "data": 3.0, "grad": 2.0},
                       {"id": 1, "label": "b", "op": "+", "data": 6.0, "grad": 1.0}],
             "edges": [[0, 1], [0, 1]]}
    lines = text(graph)
    assert "├─ a" in lines[2] and "3.0000" in lines[2] and "used 2×" in lines[2]
    assert "└─ a" in lines[3] and "see above" in lines[3] and "3.0000" not in lines[3]


def random_dag(n: int, seed: int = 0) -> dict:
    rng = random.Random(seed)
    nodes = [{"id": k, "label": f"n{k}", "op": "" if k < 4 else rng.choice("+*"), "data": rng.uniform(-9, 9),
              "grad": rng.uniform(-9, 9)} for k in range(n)]
    edges = [[k - 1, k] if i == 0 else [rng.randrange(k), k] for k in range(4, n) for i in range(2)]  # deep
    edges += [[k, n - 1] for k in range(n - 1) if not any(e[0] == k for e in edges)]  # one output
    return {"nodes": nodes, "edges": edges}


def test_sixty_nodes_show_every_node_once_within_the_width():
    graph = random_dag(60)
    for width in (400, 80):
        lines = text(graph, width)
        full = [row_label(line) for line in lines[1:] if "see above" not in line and line.strip()]
        assert sorted(full, key=lambda s: int(s[1:])) == [f"n{k}" for k in range(60)], width
    assert text(graph, 400)[0].split() == ["node", "data", "grad"]
    narrow = text(graph, 80)
    assert narrow[0].split()[:4] == ["node", "=", "op(inputs)", "data"]  # the flat fallback
    assert max(len(line) for line in narrow) <= 80


def test_a_deep_chain_falls_back_to_a_list_and_is_cut_at_max_rows():
    n = 201
    nodes = [{"id": k, "label": f"v{k}", "op": "" if k == 0 else "tanh", "data": 0.5, "grad": 1.0} for k in range(n)]
    lines = text({"nodes": nodes, "edges": [[k - 1, k] for k in range(1, n)]}, 100)
    assert lines[1].split()[:3] == ["v200", "=", "tanh(v199)"]
    assert len(lines) == MAX_ROWS + 2 and lines[-1] == f"… {n - MAX_ROWS} more rows"
    assert max(len(line) for line in lines) <= 100


def test_odd_data_is_drawn_not_obeyed():
    assert text({}) == ["(an empty graph)"] and text({"nodes": "x"}) == ["(an empty graph)"]
    assert text({"nodes": 3, "edges": 4}) == ["(an empty graph)"]
    assert len(text({"nodes": [{"id": 0}], "edges": [[[0], 0], [{}, 0]]})) == 2  # unhashable ends: no edge
    graph = {"nodes": [{"id": 0, "label": "\x1b[2Jevil\u202e", "data": None, "grad": "\x1b[31mred"},
                       {"id": 1, "op": "+", "data": 1e300, "grad": float("nan")}, "not a node",
                       {"id": [1], "label": "odd id"}],
             "edges": [[0, 1], [1, 0], [0, 99], "bad", [1, 1]], "note": "line\nbreak"}
    out = graph_text(graph, 80, escape)
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b[2Jevil" in out
    assert "1.000e+300" in out and "nan" in out and "None" in out
    assert "line\\nbreak" in out
    assert "odd id" in out  # an id that is no id is still a node, by its position


def test_notes_that_do_not_fit_go_below_their_row_with_the_tree_continued():
    lines = text(neuron(wrong=True), 40)
    at = next(i for i, line in enumerate(lines) if line.startswith("✗ └─ n (+)"))
    assert "expected" not in lines[at] and lines[at + 1].split() == ["│", "expected", "grad", "0.5000"]
    assert lines[at + 1].index("│") == lines[at + 2].index("├")  # the bar leads on to n's first input
    assert max(len(line) for line in lines) <= 40


def test_colours_only_when_asked():
    graph = neuron(wrong=True)
    assert "\x1b[" not in graph_text(graph, 100, escape)
    coloured = graph_text(graph, 100, escape, color=True)
    assert "\x1b[1;31m" in coloured and coloured.count("\n") == graph_text(graph, 100, escape).count("\n")


def test_lines_are_spans_with_roles_for_the_front_ends():
    lines = graph_lines(neuron(wrong=True), 100, escape)
    roles = {role for line in lines for _, role in line}
    assert {"head", "tree", "label", "op", "num", "bad", "good", "mark"} <= roles
    bad = [t for line in lines for t, role in line if role == "bad"]
    assert "n" in bad and "0.2500" in [t.strip() for t in bad]


def test_zerohero_check_draws_the_first_failing_graph_only(monkeypatch):
    from tutor.course.loader import load_course
    from tutor.grader.render import render_verdict
    from tutor.grader.verdict import CheckResult, Verdict

    other = neuron(wrong=True)
    other["nodes"][9]["label"] = "second_output"
    checks = [CheckResult("fine", True, "matches"),
              CheckResult("first", False, "grad of n: expected 0.5, got 0.25.", {"graph": neuron(wrong=True)}),
              CheckResult("second", False, "grad of n: expected 0.5, got 0.25.", {"graph": other})]
    monkeypatch.setenv("COLUMNS", "100")
    out = render_verdict(Verdict("micrograd.value", False, 1, checks), load_course().exercise("micrograd.value"))
    lines = out.splitlines()
    first, second = lines.index("  ✗ first"), lines.index("  ✗ second")
    assert lines[first + 2].split() == ["node", "data", "grad"] and lines[first + 2].startswith("        node")
    assert any("✗ └─ n (+)" in line for line in lines[first:second])
    assert "second_output" not in out and "\x1b" not in out


def test_random_junk_never_raises():
    rng = random.Random(1)
    atoms = [None, True, 0, -1, 2.5, float("inf"), "x", "\x1b", [], {}, [0, 1], [1, 0], {"id": 0}, 10**400, -(10**5000)]

    def junk(depth=0):
        r = rng.random()
        if depth > 2 or r < 0.4:
            return rng.choice(atoms)
        if r < 0.7:
            return [junk(depth + 1) for _ in range(rng.randrange(4))]
        keys = ["id", "label", "op", "data", "grad", "expected_grad", "wrong", "nodes", "edges", "note"]
        return {rng.choice(keys): junk(depth + 1) for _ in range(rng.randrange(5))}

    for _ in range(300):
        graph = {"nodes": [junk() if rng.random() < 0.3 else {"id": rng.randrange(5), "wrong": rng.random() < 0.5,
                                                              "grad": junk(), "expected_grad": junk()}
                           for _ in range(rng.randrange(6))],
                 "edges": [[rng.randrange(5), rng.randrange(5)] if rng.random() < 0.7 else junk() for _ in range(6)],
                 "note": junk()}
        assert graph_lines(graph, rng.randrange(1, 120), escape)
