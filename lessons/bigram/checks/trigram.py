"""Challenge 1 (bigram.trigram): trigram counts and the trigram model's average NLL."""

from __future__ import annotations

import numpy as np

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.bigram import probes
from zerohero_lessons.makemore import LECTURE_WORDS, alphabet, count_trigrams, stoi_of, trigrams
from zerohero_lessons.makemore import words as made_up

ONE_DOT = "only one '.' in front: the context of the first letter is two '.' (\"..emma.\")."


def counts_expect(words, stoi):
    return {"N": count_trigrams(words, stoi)}


def counts_mistakes(words, stoi):
    return [Mistake(ONE_DOT, {"N": count_trigrams(words, stoi, 1)})]


def _nll(P, t):
    return float(-np.log(P[t[:, 0], t[:, 1], t[:, 2]]).mean())


def nll_expect(P, words, stoi):
    return {"nll": _nll(P, trigrams(words, stoi))}


def nll_mistakes(P, words, stoi):
    t = trigrams(words, stoi)
    return [Mistake(ONE_DOT, {"nll": _nll(P, trigrams(words, stoi, 1))}),
            Mistake("the indices are in the wrong order: P[a, b, c] is the probability of c "
                    "after the pair a, b.", {"nll": _nll(P, t[:, ::-1])}),
            Mistake("the minus sign is missing.", {"nll": -_nll(P, t)})]


def trigram(seed: int) -> list[Case]:
    """The lecture's words and made-up ones (two '.' in front of each word, not one), one word of one
    letter, and random P[a, b, c], not symmetric, so indices in the wrong order always show."""
    rng = np.random.default_rng(seed)
    cases = []
    for about, words, letters in [("the lecture's emma, olivia, ava", LECTURE_WORDS, "".join(LECTURE_WORDS)),
                                  ("one word of one letter", ["x"], "x")] + \
            [(f"{n} words over {k} letters", made_up(rng, lt, n), lt)
             for k, n in [(3, 10), (6, 80)] for lt in [alphabet(rng, k)]]:
        stoi = stoi_of(letters)
        V = len(stoi)
        cases.append(Case(f"trigram_counts: {about} ({V}×{V}×{V})", probes.trigram_counts,
                          {"words": words, "stoi": stoi}, expect=counts_expect, mistakes=counts_mistakes,
                          check_dtype=False, labels={"N": "N, the trigram counts"}))
        P = rng.random((V, V, V)) + 0.05
        P = P / P.sum(2, keepdims=True)
        cases.append(Case(f"trigram_nll: {about}, P ({V}, {V}, {V}) float64", probes.trigram_nll,
                          {"P": P, "words": words, "stoi": stoi}, expect=nll_expect, mistakes=nll_mistakes,
                          labels={"nll": "the average NLL"}))
    return cases
