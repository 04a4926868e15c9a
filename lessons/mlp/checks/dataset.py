"""Exercise 1 (mlp.dataset): contexts and targets, the pinned build_dataset."""

from __future__ import annotations

import functools

import numpy as np

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.makemore import LECTURE_WORDS, alphabet, build_dataset, lecture_split, stoi_of
from zerohero_lessons.makemore import words as made_up
from zerohero_lessons.mlp import probes

LABELS = {"X": "X, the contexts", "Y": "Y, the targets"}
LECTURE_SIZES = "Xtr 182,625 · Xdev 22,655 · Xte 22,866"


def variant(words, stoi, block_size, *, end=True, reset=True, shift="left", rebuild=False, after=False):
    """The dataset loop in plain Python; the keywords make the classic mistakes."""
    table = stoi_of("".join(words)) if rebuild else stoi
    X, Y = [], []
    context = [0] * block_size
    for w in words:
        if reset:
            context = [0] * block_size
        for ch in w + ("." if end else ""):
            ix = table[ch]
            slid = context[1:] + [ix] if shift == "left" else [ix] + context[:-1]
            X.append(slid if after else context)
            Y.append(ix)
            context = slid
    return {"X": np.array(X, dtype=np.int64).reshape(-1, block_size), "Y": np.array(Y, dtype=np.int64)}


def _size(block_size):
    return 3 if block_size is None else block_size


def expect(words, stoi, block_size):
    X, Y = build_dataset(words, stoi, _size(block_size))
    return {"X": X.numpy(), "Y": Y.numpy()}


def mistakes(words, stoi, block_size):
    b = _size(block_size)
    wrong = [
        ("the end token is missing: slide over the characters of word + '.', so that every word also "
         "teaches the model to stop.", {"end": False}),
        ("the context was not reset for each word: start every word from [0] * block_size, or the "
         "previous word's last characters leak into its first contexts.", {"reset": False}),
        ("the context slid the wrong way: drop its first (oldest) index and append the new one, "
         "context = context[1:] + [ix].", {"shift": "right"}),
        ("the context was appended after sliding it: append the context as it was before the character "
         "(it is what the model sees), then slide.", {"after": True}),
        ("the stoi was rebuilt from the words: use the stoi you are given (it numbers letters the words "
         "never use, so its indices differ from one built from these words).", {"rebuild": True}),
    ]
    out = [Mistake(m, variant(words, stoi, b, **kw)) for m, kw in wrong]
    if b != 3:
        out.append(Mistake(f"block_size was ignored: the contexts have 3 indices, not the {b} asked for; "
                           "use the block_size argument.", variant(words, stoi, 3)))
    return out


@functools.cache
def _lecture_names() -> tuple[str, ...] | None:
    """names.txt, when the canonical file is here (the lecture's sizes hold only for it)."""
    from tutor.data import read_text

    try:
        text, dataset = read_text("names")
    except Exception:  # noqa: BLE001 - no data set here: the lecture case is left out, the others run
        return None
    return tuple(text.splitlines()) if getattr(dataset, "lecture_numbers_hold", False) else None


def sizes_expect(splits, stoi):
    return {name: _shapes(tuple(words), tuple(sorted(stoi.items()))) for name, words in splits.items()}


@functools.lru_cache(maxsize=8)
def _shapes(words: tuple[str, ...], stoi: tuple) -> list:
    """X's and Y's shapes for these words (the same three splits every seed: built once)."""
    X, Y = build_dataset(list(words), dict(stoi), 3)
    return [list(X.shape), list(Y.shape)]


def sizes_mistakes(splits, stoi):
    return [Mistake("the end token is missing: every word gives one example per character plus one for "
                    "its end.", {k: [[sum(map(len, v)), 3], [sum(map(len, v))]] for k, v in splits.items()})]


def dataset(seed: int) -> list[Case]:
    """The lecture's emma, olivia, ava (block 3, the default), made-up words over alphabets whose
    stoi knows letters the words never use (a rebuilt stoi numbers them otherwise), block sizes 1,
    2, 5 and 8 (longer than most words), a word of one letter, and, when names.txt is here, the
    lecture's split sizes. Several words in every case but one, so a context not reset shows."""
    rng = np.random.default_rng(seed)
    specs = [("the lecture's emma, olivia, ava, block_size left at its default 3", list(LECTURE_WORDS),
              stoi_of("abcdefghijklmnopqrstuvwxyz"), None)]
    for k, n, b, max_len in [(6, 1, 2, 1), (5, 12, 1, 6), (9, 30, 5, 8), (20, 60, 3, 10), (4, 8, 8, 5)]:
        letters = alphabet(rng, k)
        used = letters[1:] if k > 2 else letters  # 'a'-side letter unused: a rebuilt stoi shifts
        specs.append((f"{n} word{'s' * (n > 1)} over {k} letters, block_size {b}",
                      made_up(rng, used, n, max_len), stoi_of(letters), b))
    cases = [Case(f"build_dataset: {about}", probes.dataset, {"words": w, "stoi": s, "block_size": b},
                  expect=expect, mistakes=mistakes, check_dtype=False, labels=LABELS)
             for about, w, s, b in specs]
    names = _lecture_names()
    if names is not None:  # last: the slowest case, and the small ones already name the mistakes
        splits = lecture_split(list(names), 42)
        cases.append(Case(f"the lecture's split of names.txt (random.seed(42), 80/10/10, block_size 3): "
                          f"{LECTURE_SIZES}", probes.split_sizes,
                          {"splits": splits, "stoi": stoi_of("".join(names))}, expect=sizes_expect,
                          mistakes=sizes_mistakes,
                          labels={"train": "Xtr and Ytr's shapes", "dev": "Xdev and Ydev's shapes",
                                  "test": "Xte and Yte's shapes"}))
    return cases
