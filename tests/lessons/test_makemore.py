"""The makemore helpers shared by lessons 2-6: the lecture's vocabulary, pairs, split, dataset
builder and sampler, against the lecture's own numbers."""

from __future__ import annotations

import numpy as np
import torch

from tutor.course.packages import course_module


def test_vocabulary_is_the_lectures():
    mm = course_module("makemore")
    stoi, itos = mm.vocabulary(mm.LECTURE_WORDS)
    assert stoi == {".": 0, "a": 1, "e": 2, "i": 3, "l": 4, "m": 5, "o": 6, "v": 7}
    assert itos == {i: s for s, i in stoi.items()}


def test_bigram_pairs_and_counts_pad_with_dots():
    mm = course_module("makemore")
    stoi = mm.stoi_of("emma")
    xs, ys = mm.bigram_pairs(["emma"], stoi)
    assert [(int(x), int(y)) for x, y in zip(xs, ys)] == [(0, 2), (2, 3), (3, 3), (3, 1), (1, 0)]
    assert xs.dtype == ys.dtype == np.int64
    assert mm.count_bigrams(["emma", "emma"], stoi)[3, 3] == 2
    assert [tuple(t) for t in mm.trigrams(["ab"], mm.stoi_of("ab"))] == [(0, 0, 1), (0, 1, 2), (1, 2, 0)]


def test_build_dataset_slides_the_lectures_context():
    mm = course_module("makemore")
    stoi = mm.stoi_of("abcdefghijklmnopqrstuvwxyz")
    X, Y = mm.build_dataset(["emma"], stoi, block_size=3)
    assert X.dtype == Y.dtype == torch.int64 and X.shape == (5, 3)
    assert X.tolist() == [[0, 0, 0], [0, 0, 5], [0, 5, 13], [5, 13, 13], [13, 13, 1]]  # ... ..e .em emm mma
    assert Y.tolist() == [5, 13, 13, 1, 0]  # e m m a .
    X, Y = mm.build_dataset([], stoi, block_size=8)
    assert X.shape == (0, 8) and Y.shape == (0,)


def test_lecture_split_sizes_on_names(shared_data):
    """makemore part 2: random.seed(42), shuffle, 80/10/10 gives Xtr 182,625, Xdev 22,655, Xte 22,866."""
    mm = course_module("makemore")
    words = (shared_data / "names.txt").read_text().splitlines()
    before = list(words)
    splits = mm.lecture_split(words)
    assert words == before  # the caller's list is left alone
    stoi, _ = mm.vocabulary(words)
    sizes = {k: mm.build_dataset(v, stoi, 3)[0].shape[0] for k, v in splits.items()}
    assert sizes == {"train": 182625, "dev": 22655, "test": 22866}


def test_lecture_draw_is_inverse_cdf():
    mm = course_module("makemore")
    p = torch.tensor([0.25, 0.5, 0.25])
    g, ref = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    for _ in range(20):
        u = torch.rand(1, generator=ref, dtype=torch.float64).item()
        assert mm.lecture_draw(p, g) == (0 if u <= 0.25 else 1 if u <= 0.75 else 2)
