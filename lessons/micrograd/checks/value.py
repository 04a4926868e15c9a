"""Checks for micrograd.value: a new Value, then graph programs from single ops to random graphs."""

from __future__ import annotations

import random

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.micrograd.checks import graphs
from zerohero_lessons.micrograd.checks.engine import VALUE_TOL
from zerohero_lessons.micrograd.checks.graph import graph_case
from zerohero_lessons.micrograd.probes import value as probes


def fresh_expect(x):
    return {"data": x, "grad": 0.0, "child grad": 0.0}


def fresh_mistakes(x):
    return [Mistake("a new Value starts with grad = 0.0: nothing has flowed back into it yet (backward() "
                    "adds to it).", {"grad": "None"})]


def fresh_explain(key, got, expected):
    return "A new Value starts with grad = 0.0: nothing has flowed back into it yet." if "grad" in key else None


def value(seed):
    rng = random.Random(seed)
    x = graphs.pick(rng, 0.5, 5.0)
    cases = [Case(f"a new Value({x:g})", probes.fresh, {"x": x}, expect=fresh_expect, mistakes=fresh_mistakes,
                  tol=VALUE_TOL,
                  labels={"data": f"Value({x:g}).data", "grad": f"Value({x:g}).grad",
                          "child grad": "Value(2.0, (v,), 'id').grad"},
                  explain=fresh_explain)]
    cases += [graph_case(g) for g in graphs.single_ops(rng)]
    cases += [graph_case(graphs.lecture_first()), graph_case(graphs.lecture_neuron(False))]
    cases += [graph_case(g) for g in graphs.used_twice(rng)]
    cases += [graph_case(graphs.lecture_neuron(True)), graph_case(graphs.readme())]
    cases.append(graph_case(graphs.chain(rng)))
    cases += [graph_case(graphs.random_graph(rng, i + 1, n, m)) for i, (n, m) in enumerate([(2, 6), (3, 10), (4, 14)])]
    return cases
