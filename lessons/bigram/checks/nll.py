"""Exercise 3 (bigram.nll): the bigram pairs of a list of words, and the average NLL."""

from __future__ import annotations

import numpy as np

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.bigram import probes
from zerohero_lessons.makemore import LECTURE_WORDS, alphabet, bigram_pairs, stoi_of, words as made_up

PAIRS_LABELS = {"xs": "xs, the first character of each bigram", "ys": "ys, the character that follows"}


def pairs_expect(words, stoi):
    return dict(zip(("xs", "ys"), bigram_pairs(words, stoi)))


def pairs_mistakes(words, stoi):
    out = []
    for message, kw in [("the '.' tokens are missing: pad every word, ['.'] + list(w) + ['.'].",
                         {"start": False, "end": False}),
                        ("the '.' after each word is missing: the model must also learn to end words.",
                         {"end": False}),
                        ("the '.' before each word is missing: the first letter follows the start token.",
                         {"start": False})]:
        xs, ys = bigram_pairs(words, stoi, **kw)
        out.append(Mistake(message, {"xs": xs, "ys": ys}))
    xs, ys = bigram_pairs(words, stoi)
    out.append(Mistake("xs and ys are swapped: xs holds the first character of each pair (the input), "
                       "ys the one that follows it (the target).", {"xs": ys, "ys": xs}))
    return out


def nll_expect(P, xs, ys):
    return {"nll": float(-np.log(P.astype(np.float64)[xs, ys]).mean())}


def nll_mistakes(P, xs, ys):
    P = P.astype(np.float64)
    p = P[xs, ys]
    wrong = [
        ("that is the log-likelihood itself (Σ log P): negate it and divide by n.", np.log(p).sum()),
        ("the minus sign is missing: the log-likelihood is ≤ 0, its negative is the loss (≥ 0).",
         np.log(p).mean()),
        ("that is the total NLL: divide by the number of bigrams n to get the average.", -np.log(p).sum()),
        ("the log is missing: average −log P, not −P.", -p.mean()),
        ("the log is in base 10 (or 2): torch.log is the natural log, ln.", -np.log10(p).mean()),
        ("the log is in base 2 (or 10): torch.log is the natural log, ln.", -np.log2(p).mean()),
        ("the indices are swapped: row xs[k] of P holds what follows xs[k], so pick P[xs, ys].",
         -np.log(P[ys, xs]).mean()),
    ]
    return [Mistake(m, {"nll": float(v)}) for m, v in wrong]


def nll_explain(key, got, expected):
    g = np.asarray(got, dtype=np.float64) if isinstance(got, (float, int, np.ndarray)) else None
    if g is not None and g.size == 1 and np.isinf(g).all() and np.isfinite(expected).all():
        return ("Your NLL is infinite: a product of many probabilities underflows to 0 (float32 gives up "
                "near 1e-45) and log 0 = −inf. Add the logs instead of multiplying the probabilities.")
    return None


def _random_P(rng, V: int, dtype: str) -> np.ndarray:
    P = rng.random((V, V)) + 0.05
    return (P / P.sum(1, keepdims=True)).astype(dtype)


def nll(seed: int) -> list[Case]:
    """bigram_pairs on the lecture's words (the '.' at both ends, xs and ys swapped), one word of
    one letter and made-up words; average_nll on random, non-symmetric P (P[ys, xs]) with n = 1 up
    to 5000 bigrams: n > 1 shows the total instead of the mean, and the 5000 bigrams make the
    product of probabilities underflow to 0 in any seed. The sign and the log's base always show."""
    rng = np.random.default_rng(seed)
    cases = []
    letters = alphabet(rng, 5)
    pair_specs = [("the lecture's emma, olivia, ava", LECTURE_WORDS, stoi_of("".join(LECTURE_WORDS))),
                  ("one word of one letter", ["q"], stoi_of("q")),
                  ("30 words over 5 letters", made_up(rng, letters, 30), stoi_of(letters))]
    for about, words, stoi in pair_specs:
        cases.append(Case(f"bigram_pairs: {about}", probes.pairs, {"words": words, "stoi": stoi},
                          expect=pairs_expect, mistakes=pairs_mistakes, check_dtype=False,
                          labels=PAIRS_LABELS))
    for V, n, dtype in [(27, 1, "float64"), (27, 228, "float32"), (4, 17, "float64"), (13, 5000, "float32"),
                        (27, 2000, "float64")]:
        P = _random_P(rng, V, dtype)
        xs, ys = rng.integers(0, V, size=n), rng.integers(0, V, size=n)
        cases.append(Case(f"average_nll: P ({V}, {V}) {dtype}, {n} bigram{'s' * (n > 1)}", probes.nll,
                          {"P": P, "xs": xs, "ys": ys}, expect=nll_expect, mistakes=nll_mistakes,
                          dtype=dtype, labels={"nll": "the average NLL"}, explain=nll_explain))
    return cases
