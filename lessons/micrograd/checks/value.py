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
    """Every seed has the same kinds of graph, with fresh numbers where the mistake does not need them:

    - a new Value (grad 0.0, not None);
    - each op alone, with b's size kept 0.2 away from a's so that a*b's grads cannot swap unseen, an
      int and a float exponent (the missing factor n), relu for a > 0 and for a < 0, and a number on
      either side of +, -, *, / (__radd__, __rsub__'s order, __rmul__, wrapping a plain number);
    - values used twice (b = a + a; f = (a*b)·(a + b); b = a*a; c = b + b): `=` instead of `+=`
      and a backward() that visits nodes without the topological order give the wrong grads there;
    - the lecture's graphs and micrograd's README (setting the output's grad to 1.0, the reverse
      order), a chain 200 deep (recursion limits) and three random graphs with shared nodes.
    """
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
