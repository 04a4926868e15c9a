"""Exercise 1 (bigram.counts): the vocabulary and the bigram count matrix."""

from __future__ import annotations

import string

import numpy as np

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.bigram import probes
from zerohero_lessons.makemore import LECTURE_WORDS, alphabet, count_bigrams, stoi_of, words as made_up

VOCABULARY_LABELS = {"sorted": "the letters are numbered in sorted order",
                     "itos": "itos, the characters by number",
                     "inverse": "stoi and itos are each other's inverse"}
COUNTS_LABELS = {"N": "N, the bigram counts",
                 "integer": "N has an integer dtype (torch.int32, as in the lecture)"}


def vocabulary_expect(words):
    return {"sorted": True, "itos": [".", *sorted(set("".join(words)))], "inverse": True}


def vocabulary_mistakes(words):
    chars = sorted(set("".join(words)))
    at_end = chars + ["."]
    from_zero = {s: i for i, s in enumerate(chars)}
    from_zero["."] = 0
    shared = {i: s for s, i in from_zero.items()}
    return [
        Mistake("the letters are not in sorted order (a set has no order of its own): number "
                "sorted(set(''.join(words))), so that 'a' is 1, 'b' 2, and so on.", {"sorted": False}),
        Mistake("'.' got the last number; the lecture gives it 0 and numbers the letters from 1.",
                {"itos": at_end}),
        Mistake("the letters were numbered from 0, so 'a' and '.' share the number 0 and one letter is "
                "lost: number them from 1 (i + 1), then set stoi['.'] = 0.",
                {"itos": [shared.get(i) for i in range(len(shared))]}),
    ]


def counts_expect(words, stoi):
    return {"N": count_bigrams(words, stoi), "integer": True}


def counts_mistakes(words, stoi):
    return [
        Mistake("the '.' tokens are missing: every word needs a '.' before it and after it "
                "(['.'] + list(w) + ['.']), or the first and last letters are never counted.",
                {"N": count_bigrams(words, stoi, start=False, end=False)}),
        Mistake("only the start token is there: add the '.' after each word too, so that the model "
                "learns how words end.", {"N": count_bigrams(words, stoi, end=False)}),
        Mistake("only the end token is there: add the '.' before each word too, so that row 0 counts "
                "the first letters.", {"N": count_bigrams(words, stoi, start=False)}),
    ]


def counts(seed: int) -> list[Case]:
    """Fixed cases carry the edges, made-up words the rest: the lecture's words (more than one letter:
    the letters' sorted order, '.' at 0, numbering from 1; words of several letters: the '.' before
    and after each word), one word of one letter, "repeated letters" (aaa, aba: a pair counted
    twice), and alphabets with two letters never used (their rows and columns stay 0)."""
    rng = np.random.default_rng(seed)
    cases = []
    specs = [("the lecture's emma, olivia, ava", LECTURE_WORDS),
             ("one word of one letter", made_up(rng, alphabet(rng, 1), 1, max_len=1)),
             ("20 words over 4 letters", made_up(rng, alphabet(rng, 4), 20)),
             ("300 words over all 26 letters", made_up(rng, list(string.ascii_lowercase), 300, 10))]
    for about, words in specs:
        cases.append(Case(f"vocabulary: {about}", probes.vocabulary, {"words": words},
                          expect=vocabulary_expect, mistakes=vocabulary_mistakes, labels=VOCABULARY_LABELS))
    count_specs = [("the lecture's emma, olivia, ava", LECTURE_WORDS, stoi_of("".join(LECTURE_WORDS))),
                   ("one word", ["a"], stoi_of("a")),
                   ("repeated letters", ["aaa", "aba", "b"], stoi_of("ab"))]
    for k, n in [(3, 12), (7, 60), (26, 400)]:
        letters = alphabet(rng, k)
        # two letters of the alphabet never used: their rows and columns must stay 0
        words = made_up(rng, letters[:-2] if k > 3 else letters, n)
        count_specs.append((f"{n} words, V = {k + 1}", words, stoi_of(letters)))
    for about, words, stoi in count_specs:
        V = len(stoi)
        cases.append(Case(f"count_bigrams: {about} ({V}×{V})", probes.counts, {"words": words, "stoi": stoi},
                          expect=counts_expect, mistakes=counts_mistakes, check_dtype=False,
                          labels=COUNTS_LABELS))
    return cases
