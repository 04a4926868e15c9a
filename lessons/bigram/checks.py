"""Checks for lesson 2 (the bigram language model): counting, probabilities, NLL, sampling, the net.

Inputs are drawn from the seed: made-up words over random alphabets, random count matrices and
random weights, in several sizes besides the lecture's 27, so that no hard-coded answer passes.
The expected outputs are computed here, in float64, from the grader's own copy of the inputs; each
typical mistake is the reference with that mistake applied, so its numbers can be recognised.
"""

from __future__ import annotations

import string

import numpy as np
import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

from tutor.grader.cases import Case, Mistake

LECTURE_WORDS = ["emma", "olivia", "ava"]  # the first three names, the lecture's first example


# ## Helpers: made-up data


def _alphabet(rng, k: int) -> list[str]:
    return sorted(rng.choice(list(string.ascii_lowercase), size=k, replace=False).tolist())


def _words(rng, letters: list[str], n: int, max_len: int = 8) -> list[str]:
    return ["".join(rng.choice(letters, size=int(rng.integers(1, max_len + 1))).tolist()) for _ in range(n)]


def _stoi(letters) -> dict[str, int]:
    stoi = {s: i + 1 for i, s in enumerate(sorted(set(letters)))}
    stoi["."] = 0
    return stoi


def _pairs(words, stoi, start=True, end=True):
    xs, ys = [], []
    for w in words:
        chs = (["."] if start else []) + list(w) + (["."] if end else [])
        for a, b in zip(chs, chs[1:]):
            xs.append(stoi[a])
            ys.append(stoi[b])
    return np.array(xs, dtype=np.int64), np.array(ys, dtype=np.int64)


def _count(words, stoi, **kw) -> np.ndarray:
    V = len(stoi)
    N = np.zeros((V, V), dtype=np.float64)
    xs, ys = _pairs(words, stoi, **kw)
    np.add.at(N, (xs, ys), 1)
    return N


def _tensor(value, what: str) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value
    raise TypeError(f"{what} should be a torch tensor, got {type(value).__name__}")


def _with_advice(exc: BaseException, advice: dict[str, str]) -> None:
    """Adds a sentence to a torch error the learner's code raised, keeping its traceback."""
    text = str(exc)
    for needle, sentence in advice.items():
        if needle in text:
            exc.args = (f"{text}\n  → {sentence}",)
            return


# ## Exercise 1: vocabulary and counts


def _probe_vocabulary(learner, words):
    result = learner.vocabulary(list(words))
    if not isinstance(result, tuple) or len(result) != 2:
        raise TypeError("vocabulary should return a tuple (stoi, itos)")
    stoi, itos = result
    letters = [itos.get(i, "") for i in range(1, len(itos))]
    return {"sorted": letters == sorted(letters),
            "itos": [itos.get(i, None) for i in range(len(itos))],
            "inverse": all(itos.get(i) == s for s, i in stoi.items()) and len(stoi) == len(itos)}


def _vocabulary_mistakes(words):
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


def _probe_counts(learner, words, stoi):
    N = _tensor(learner.count_bigrams(list(words), dict(stoi)), "count_bigrams's result N")
    return {"N": N, "integer": not (N.is_floating_point() or N.is_complex())}


def _counts_mistakes(words, stoi):
    return [
        Mistake("the '.' tokens are missing: every word needs a '.' before it and after it "
                "(['.'] + list(w) + ['.']), or the first and last letters are never counted.",
                {"N": _count(words, stoi, start=False, end=False)}),
        Mistake("only the start token is there: add the '.' after each word too, so that the model "
                "learns how words end.", {"N": _count(words, stoi, end=False)}),
        Mistake("only the end token is there: add the '.' before each word too, so that row 0 counts "
                "the first letters.", {"N": _count(words, stoi, start=False)}),
    ]


def counts(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    specs = [("the lecture's emma, olivia, ava", LECTURE_WORDS),
             ("one word of one letter", _words(rng, _alphabet(rng, 1), 1, max_len=1)),
             ("20 words over 4 letters", _words(rng, _alphabet(rng, 4), 20)),
             ("300 words over all 26 letters", _words(rng, list(string.ascii_lowercase), 300, 10))]
    for about, words in specs:
        cases.append(Case(f"vocabulary: {about}", _probe_vocabulary, {"words": words},
                          expect=lambda w=words: {"sorted": True, "itos": [".", *sorted(set("".join(w)))],
                                                  "inverse": True},
                          mistakes=lambda w=words: _vocabulary_mistakes(w),
                          labels={"sorted": "the letters are numbered in sorted order",
                                  "itos": "itos, the characters by number",
                                  "inverse": "stoi and itos are each other's inverse"}))
    count_specs = [("the lecture's emma, olivia, ava", LECTURE_WORDS, _stoi("".join(LECTURE_WORDS))),
                   ("one word", ["a"], _stoi("a")),
                   ("repeated letters", ["aaa", "aba", "b"], _stoi("ab"))]
    for k, n in [(3, 12), (7, 60), (26, 400)]:
        letters = _alphabet(rng, k)
        # two letters of the alphabet never used: their rows and columns must stay 0
        words = _words(rng, letters[:-2] if k > 3 else letters, n)
        count_specs.append((f"{n} words, V = {k + 1}", words, _stoi(letters)))
    for about, words, stoi in count_specs:
        V = len(stoi)
        cases.append(Case(f"count_bigrams: {about} ({V}×{V})", _probe_counts, {"words": words, "stoi": stoi},
                          expect=lambda w=words, s=stoi: {"N": _count(w, s), "integer": True},
                          mistakes=lambda w=words, s=stoi: _counts_mistakes(w, s),
                          check_dtype=False,
                          labels={"N": "N, the bigram counts",
                                  "integer": "N has an integer dtype (torch.int32, as in the lecture)"}))
    return cases


# ## Exercise 2: probabilities


def _probe_probs(learner, counts, smoothing):
    c = torch.from_numpy(counts.copy())
    before = c.clone()
    P = learner.probabilities(c) if smoothing is None else learner.probabilities(c, smoothing)
    return {"P": _tensor(P, "probabilities's result P"), "counts_unchanged": bool(torch.equal(c, before))}


def _probs_expect(counts, s):
    P = counts.astype(np.float64) + s
    return P / P.sum(1, keepdims=True)


def _probs_mistakes(counts, s):
    N = counts.astype(np.float64)
    S = N + s
    with np.errstate(invalid="ignore", divide="ignore"):
        wrong = [
            ("the missing keepdim (the lecture's bug): S.sum(1) has shape (V,), and broadcasting lines it "
             "up as a row (1, V), so column j was divided by the sum of row j and the rows no longer sum "
             "to 1. Keep the summed dimension, S.sum(1, keepdim=True), a column (V, 1), so that every row "
             "is divided by its own sum.", S / S.sum(1)[None, :]),
            ("each column was normalised (a sum over dim 0): P[i] is the distribution of what follows i, "
             "so each row must sum to 1: sum over dim 1.", S / S.sum(0, keepdims=True)),
            ("the whole matrix was divided by its total: every row must sum to 1 on its own.", S / S.sum()),
            ("the smoothing is missing: add it to every count before normalising.",
             N / N.sum(1, keepdims=True)),
            ("the `smoothing` argument was ignored (always 1): add the value passed in.",
             (N + 1) / (N + 1).sum(1, keepdims=True)),
        ]
    return [Mistake(m, {"P": p}) for m, p in wrong] + [
        Mistake("your function changed the counts passed in (an in-place `counts += smoothing` or "
                "`/=` on it): make a new tensor first, P = counts + smoothing.", {"counts_unchanged": False})]


def _probs_explain(key, got, expected):
    if key == "P" and isinstance(got, np.ndarray) and got.ndim == 2 and got.shape == expected.shape:
        sums = got.astype(np.float64).sum(1)
        if not np.allclose(sums, 1, atol=1e-4):
            return f"Your rows sum to {np.array2string(sums[:4], precision=4)}{' …' if len(sums) > 4 else ''}, not 1."
    return None


def probs(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    specs = [  # V, dtype, smoothing (None: the default, 1), what
        (27, "float32", None, "the lecture's size, default smoothing"),
        (27, "float64", 1.0, "the lecture's size"),
        (3, "float64", 0.5, "a small vocabulary"),
        (6, "float32", 0.0, "no smoothing"),
        (11, "float64", 5.0, "strong smoothing"),
        (9, "float64", 2.0, "a row of zeros"),
    ]
    cases = []
    for V, dtype, s, about in specs:
        counts = rng.integers(1 if s == 0 else 0, 50, size=(V, V)).astype(dtype)
        if about == "a row of zeros":
            counts[V // 2] = 0
        smoothing = 1.0 if s is None else s
        cases.append(Case(f"counts ({V}, {V}) {dtype}, smoothing {smoothing:g}: {about}", _probe_probs,
                          {"counts": counts, "smoothing": s},
                          expect=lambda c=counts, s=smoothing: {"P": _probs_expect(c, s), "counts_unchanged": True},
                          mistakes=lambda c=counts, s=smoothing: _probs_mistakes(c, s),
                          dtype=dtype,
                          labels={"P": "P, the probabilities",
                                  "counts_unchanged": "the counts passed in are left unchanged"},
                          explain=_probs_explain))
    return cases


# ## Exercise 3: bigram pairs and the average NLL


def _probe_pairs(learner, words, stoi):
    result = learner.bigram_pairs(list(words), dict(stoi))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError("bigram_pairs should return a tuple (xs, ys)")
    return {"xs": result[0], "ys": result[1]}


def _pairs_mistakes(words, stoi):
    out = []
    for message, kw in [("the '.' tokens are missing: pad every word, ['.'] + list(w) + ['.'].",
                         {"start": False, "end": False}),
                        ("the '.' after each word is missing: the model must also learn to end words.",
                         {"end": False}),
                        ("the '.' before each word is missing: the first letter follows the start token.",
                         {"start": False})]:
        xs, ys = _pairs(words, stoi, **kw)
        out.append(Mistake(message, {"xs": xs, "ys": ys}))
    xs, ys = _pairs(words, stoi)
    out.append(Mistake("xs and ys are swapped: xs holds the first character of each pair (the input), "
                       "ys the one that follows it (the target).", {"xs": ys, "ys": xs}))
    return out


def _probe_nll(learner, P, xs, ys):
    return {"nll": learner.average_nll(torch.from_numpy(P), torch.from_numpy(xs), torch.from_numpy(ys))}


def _nll_mistakes(P, xs, ys):
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


def _nll_explain(key, got, expected):
    g = np.asarray(got, dtype=np.float64) if isinstance(got, (float, int, np.ndarray)) else None
    if g is not None and g.size == 1 and np.isinf(g).all() and np.isfinite(expected).all():
        return ("Your NLL is infinite: a product of many probabilities underflows to 0 (float32 gives up "
                "near 1e-45) and log 0 = −inf. Add the logs instead of multiplying the probabilities.")
    return None


def _random_P(rng, V: int, dtype: str) -> np.ndarray:
    P = rng.random((V, V)) + 0.05
    return (P / P.sum(1, keepdims=True)).astype(dtype)


def nll(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    letters = _alphabet(rng, 5)
    pair_specs = [("the lecture's emma, olivia, ava", LECTURE_WORDS, _stoi("".join(LECTURE_WORDS))),
                  ("one word of one letter", ["q"], _stoi("q")),
                  ("30 words over 5 letters", _words(rng, letters, 30), _stoi(letters))]
    for about, words, stoi in pair_specs:
        cases.append(Case(f"bigram_pairs: {about}", _probe_pairs, {"words": words, "stoi": stoi},
                          expect=lambda w=words, s=stoi: dict(zip(("xs", "ys"), _pairs(w, s))),
                          mistakes=lambda w=words, s=stoi: _pairs_mistakes(w, s), check_dtype=False,
                          labels={"xs": "xs, the first character of each bigram",
                                  "ys": "ys, the character that follows"}))
    for V, n, dtype in [(27, 1, "float64"), (27, 228, "float32"), (4, 17, "float64"), (13, 5000, "float32"),
                        (27, 2000, "float64")]:
        P = _random_P(rng, V, dtype)
        xs, ys = rng.integers(0, V, size=n), rng.integers(0, V, size=n)
        cases.append(Case(f"average_nll: P ({V}, {V}) {dtype}, {n} bigram{'s' * (n > 1)}", _probe_nll,
                          {"P": P, "xs": xs, "ys": ys},
                          expect=lambda P=P, x=xs, y=ys: {"nll": float(-np.log(P.astype(np.float64)[x, y]).mean())},
                          mistakes=lambda P=P, x=xs, y=ys: _nll_mistakes(P, x, y),
                          dtype=dtype, labels={"nll": "the average NLL"}, explain=_nll_explain))
    return cases


# ## Exercise 4: sampling


def inverse_cdf(p: torch.Tensor, g: torch.Generator) -> int:
    """The lecture-era sampler: one float64 uniform, the first index whose cumulative P reaches it."""
    u = torch.rand(1, generator=g, dtype=torch.float64)
    cdf = p.double().cumsum(0)
    return int(torch.searchsorted(cdf / cdf[-1], u).item())


def _probe_sample(learner, P, n, gseed, itos):
    def run(draw=None):
        g = torch.Generator().manual_seed(gseed)
        P_t = torch.from_numpy(P)
        names = learner.sample_names(P_t, n, g, dict(itos)) if draw is None else \
            learner.sample_names(P_t, n, g, dict(itos), draw=draw)
        if not isinstance(names, (list, tuple)) or not all(isinstance(s, str) for s in names):
            raise TypeError(f"sample_names should return a list of strings, got {type(names).__name__}")
        return list(names)

    first = run()
    return {"repeatable": run() == first, "names": first, "names_with_draw": run(inverse_cdf)}


def _sample_ref(P, n, gseed, itos, draw=None, column=False):
    g = torch.Generator().manual_seed(gseed)
    P = torch.from_numpy(P)
    names = []
    for _ in range(n):
        out, ix = [], 0
        while len(out) < 1000:
            p = P[:, ix] if column else P[ix]
            ix = torch.multinomial(p, 1, replacement=True, generator=g).item() if draw is None else draw(p, g)
            out.append(itos[ix])
            if ix == 0:
                break
        names.append("".join(out))
    return names


def _sample_mistakes(P, n, gseed, itos):
    ref = _sample_ref(P, n, gseed, itos)
    return [
        Mistake("the same seed gave different names: pass generator=g to torch.multinomial (without it, "
                "torch draws from its global, unseeded generator).", {"repeatable": False}),
        Mistake("the names lack their final '.': append itos[ix] before checking for the end.",
                {"names": [s[:-1] for s in ref]}),
        Mistake("the names start with a '.': the opening '.' (ix = 0) is where you start, not part of "
                "the name.", {"names": ["." + s for s in ref]}),
        Mistake("you sampled from a column, P[:, ix]: row P[ix] is the distribution of what follows ix.",
                {"names": _sample_ref(P, n, gseed, itos, column=True)}),
        Mistake("the `draw` argument was ignored: when it is given, the next index is draw(P[ix], g).",
                {"names_with_draw": ref}),
    ]


def _sample_P(rng, V: int, kind: str) -> np.ndarray:
    if kind == "uniform":
        P = np.ones((V, V))
    else:
        P = rng.random((V, V)) ** 2
        P[rng.random((V, V)) < 0.2] = 0.0  # some pairs never happen
        P[:, 0] = P.sum(1) / (V // 2)  # end often enough that names stay short
    P[0, 0] = 0.0  # no empty names
    return (P / P.sum(1, keepdims=True)).astype(np.float32)


def sampling(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for V, n, kind in [(4, 1, "random"), (8, 5, "random"), (27, 5, "uniform"), (27, 12, "random"), (15, 20, "random")]:
        letters = list(string.ascii_lowercase)[: V - 1] if V == 27 else _alphabet(rng, V - 1)
        itos = {i: s for s, i in _stoi(letters).items()}
        P = _sample_P(rng, V, kind)
        gseed = int(rng.integers(0, 2**31 - 1))
        cases.append(Case(f"{n} name{'s' * (n > 1)} from a {kind} P ({V}, {V}), generator seed {gseed}",
                          _probe_sample, {"P": P, "n": n, "gseed": gseed, "itos": itos},
                          expect=lambda P=P, n=n, s=gseed, i=itos: {
                              "repeatable": True, "names": _sample_ref(P, n, s, i),
                              "names_with_draw": _sample_ref(P, n, s, i, draw=inverse_cdf)},
                          mistakes=lambda P=P, n=n, s=gseed, i=itos: _sample_mistakes(P, n, s, i),
                          labels={"repeatable": "the same seed gives the same names",
                                  "names": "the names drawn with torch.multinomial",
                                  "names_with_draw": "the names drawn with the draw function passed in"}))
    return cases


# ## Exercise 5: the neural bigram's forward pass and loss

_LOSS_ADVICE = {
    "cannot be multiplied": "F.one_hot(xs) makes only max(xs) + 1 columns: pass num_classes=W.shape[0].",
    "does not require grad": "The loss must stay connected to W: no .item(), .detach(), .data or torch.no_grad().",
    "expected m1 and m2 to have the same dtype": "One-hot vectors come out as int64: convert them with .float().",
    "expected scalar type": "One-hot vectors come out as int64: convert them with .float().",
    "must match the size of tensor b": "A sum without keepdim=True? counts.sum(1) has shape (n,); "
                                       "counts.sum(1, keepdim=True) keeps it a column (n, 1), one total per row.",
}


def _probe_loss(learner, fn, W, xs, ys, reg):
    Wt = torch.tensor(W, requires_grad=True)
    args = (Wt, torch.from_numpy(xs), torch.from_numpy(ys))
    try:
        loss = getattr(learner, fn)(*args) if reg is None else getattr(learner, fn)(*args, reg)
        loss = _tensor(loss, f"{fn}'s result (the loss)")
        loss.backward()
    except Exception as exc:
        _with_advice(exc, _LOSS_ADVICE)
        raise
    return {"loss": loss.detach().reshape(()) if loss.numel() == 1 else loss.detach(), "dW": Wt.grad}


def _loss_and_grad(forward, W):
    Wt = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    with torch.enable_grad():
        loss = forward(Wt)
        loss.backward()
    return {"loss": loss.detach().numpy(), "dW": Wt.grad.numpy()}


def _loss_expect(W, xs, ys, reg):
    x, y = torch.from_numpy(xs), torch.from_numpy(ys)
    return _loss_and_grad(lambda Wt: F.cross_entropy(Wt[x], y) + reg * (Wt**2).mean(), W)


def _loss_mistakes(W, xs, ys, reg):
    x, y = torch.from_numpy(xs), torch.from_numpy(ys)
    n, V = len(xs), W.shape[0]
    r = torch.arange(n)

    def probs(Wt, dim=1):
        counts = Wt[x].exp()
        return counts / counts.sum(dim, keepdim=True)

    def nll(Wt):
        return -probs(Wt)[r, y].log().mean()

    wrong = [
        ("the regularisation is missing: add reg · (W**2).mean().", nll),
        ("the regularisation sums W² where the lecture takes the mean: reg · (W**2).mean().",
         lambda Wt: nll(Wt) + reg * (Wt**2).sum()),
        ("the regularisation does not reach the gradient: W.data or W.detach() in the penalty hides it "
         "from autograd; write reg * (W**2).mean().",
         lambda Wt: nll(Wt) + reg * (Wt.detach() ** 2).mean()),
        ("the softmax normalised columns (a sum over dim 0): each row of counts is one example's "
         "distribution over the next character, so sum over dim 1.",
         lambda Wt: -probs(Wt, 0)[r, y].log().mean() + reg * (Wt**2).mean()),
        ("the NLL is summed over the examples: take the mean.",
         lambda Wt: -probs(Wt)[r, y].log().sum() + reg * (Wt**2).mean()),
        ("probs[:, ys] picks every target in every row: pick one per row, probs[torch.arange(n), ys].",
         lambda Wt: -probs(Wt)[:, y].log().mean() + reg * (Wt**2).mean()),
        ("the log is missing: the loss is −mean(log p), not −mean(p).",
         lambda Wt: -probs(Wt)[r, y].mean() + reg * (Wt**2).mean()),
    ]
    if n == V:
        def no_keepdim(Wt):
            counts = Wt[x].exp()
            return -(counts / counts.sum(1))[r, y].log().mean() + reg * (Wt**2).mean()
        wrong.insert(0, ("the missing keepdim: counts.sum(1) has shape (n,) and broadcasts as a row, so "
                         "column j was divided by row j's sum. Use counts.sum(1, keepdim=True).", no_keepdim))
    return [Mistake(m, _loss_and_grad(f, W)) for m, f in wrong]


def _loss_specs(rng):
    emma_x, emma_y = np.array([0, 5, 13, 13, 1]), np.array([5, 13, 13, 1, 0])
    specs = [(27, emma_x, emma_y, None, "the lecture's 5 bigrams of emma, default reg")]
    for V, n, reg, about in [(27, 300, 0.01, "the lecture's vocabulary"), (5, 1, 0.1, "one example"),
                             (11, 11, 0.01, "n = V"), (8, 40, 0.0, "no regularisation")]:
        specs.append((V, rng.integers(0, V, size=n), rng.integers(0, V, size=n), reg, about))
    V = 9  # a batch without the last character: the one-hot needs num_classes
    specs.append((V, rng.integers(0, V - 2, size=25), rng.integers(0, V, size=25), 0.05,
                  "xs without the last characters"))
    return specs


def _loss_cases(rng, fn: str, scales=(1.0,)) -> list[Case]:
    cases = []
    for V, xs, ys, reg, about in _loss_specs(rng):
        for scale in scales:
            W = (scale * rng.standard_normal((V, V))).astype(np.float32)
            r = 0.01 if reg is None else reg
            what = about if scale == 1.0 else f"{about}, W × {scale:g} (exp overflows float32)"
            cases.append(Case(f"W ({V}, {V}) float32, {len(xs)} example{'s' * (len(xs) > 1)}, reg {r:g}: {what}",
                              _probe_loss, {"fn": fn, "W": W, "xs": xs.astype(np.int64), "ys": ys.astype(np.int64),
                                            "reg": reg},
                              expect=lambda W=W, x=xs, y=ys, r=r: _loss_expect(W, x, y, r),
                              mistakes=lambda W=W, x=xs, y=ys, r=r: _loss_mistakes(W, x, y, r),
                              dtype="float32",
                              labels={"loss": "the loss", "dW": "W.grad after loss.backward()"}))
    return cases


def forward(seed: int) -> list[Case]:
    return _loss_cases(np.random.default_rng(seed), "bigram_loss")


# ## Exercise 6: one step of gradient descent


def reference_loss(W, xs, ys, reg):
    return F.cross_entropy(W[xs], ys) + reg * (W**2).mean()


def _probe_descent(learner, W, xs, ys, reg, lr, stale, steps):
    Wt = torch.tensor(W, requires_grad=True)
    if stale is not None:
        Wt.grad = torch.from_numpy(stale.copy())  # a previous step's gradient, still there
    x, y = torch.from_numpy(xs), torch.from_numpy(ys)
    losses = []
    try:
        for _ in range(steps):
            loss = learner.descent_step(Wt, lambda w: reference_loss(w, x, y, reg), lr)
            losses.append(float(loss.detach() if isinstance(loss, torch.Tensor) else loss))
    except Exception as exc:
        _with_advice(exc, {
            "leaf Variable that requires grad": "Update the numbers behind W: W.data += -lr * W.grad "
                                                "(or do it inside `with torch.no_grad():`).",
            "'NoneType' object has no attribute": "Before the first backward W.grad is None: reset it with "
                                                  "W.grad = None, as the lecture does.",
            "does not require grad": "Call loss.backward() on loss_fn(W) itself.",
        })
        raise
    return {"losses": losses, "W": Wt.detach()}


def _descent_sim(W, xs, ys, reg, lr, stale, steps, *, zero=True, sign=-1.0, use_lr=True, inplace=True,
                 loss_after=False):
    Wt = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    grad = torch.zeros_like(Wt) if stale is None else torch.tensor(stale, dtype=torch.float64)
    x, y = torch.from_numpy(xs), torch.from_numpy(ys)
    losses = []
    with torch.enable_grad():
        for _ in range(steps):
            loss = reference_loss(Wt, x, y, reg)
            (g,) = torch.autograd.grad(loss, Wt)
            grad = g if zero else grad + g
            if inplace:
                Wt.data += sign * (lr if use_lr else 1.0) * grad
            losses.append(float(reference_loss(Wt, x, y, reg).detach()) if loss_after else float(loss.detach()))
    return {"losses": losses, "W": Wt.detach().numpy()}


def _descent_mistakes(*args):
    wrong = [
        ("the gradient was not reset: backward() adds into W.grad, so the previous step's gradient "
         "was added again. Set W.grad = None before loss.backward().", {"zero": False}),
        ("W moved uphill: the step is W.data += −lr · W.grad (minus: against the gradient).", {"sign": 1.0}),
        ("the learning rate was not used: W.data += −lr · W.grad.", {"use_lr": False}),
        ("W itself never changed: `W = W - lr * W.grad` makes a new tensor and leaves the caller's W "
         "as it was. Update its numbers in place: W.data += -lr * W.grad.", {"inplace": False}),
        ("the loss returned is the one after the update: return the loss of the forward pass "
         "(before the step).", {"loss_after": True}),
    ]
    return [Mistake(m, _descent_sim(*args, **kw)) for m, kw in wrong]


def descent(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for V, n, reg, lr, stale, about in [(27, 200, 0.01, 50.0, False, "the lecture's lr 50, first step"),
                                        (5, 7, 0.0, 0.1, True, "small"), (10, 40, 0.1, 1.0, True, "reg 0.1"),
                                        (27, 100, 0.01, 50.0, True, "the lecture's lr 50")]:
        W = rng.standard_normal((V, V)).astype(np.float32)
        xs, ys = rng.integers(0, V, size=n), rng.integers(0, V, size=n)
        old = rng.standard_normal((V, V)).astype(np.float32) if stale else None
        args = (W, xs, ys, reg, lr, old, 3)
        cases.append(Case(f"3 steps, W ({V}, {V}) float32, {n} examples, lr {lr:g}, reg {reg:g}, "
                          f"W.grad {'left from an earlier step' if stale else 'None'}: {about}",
                          _probe_descent, {"W": W, "xs": xs, "ys": ys, "reg": reg, "lr": lr, "stale": old,
                                           "steps": 3},
                          expect=lambda a=args: _descent_sim(*a),
                          mistakes=lambda a=args: _descent_mistakes(*a),
                          dtype="float32", check_dtype=False,
                          labels={"losses": "the losses returned by the 3 steps", "W": "W after 3 steps"}))
    return cases


# ## Challenge 1: trigram


def _trigrams(words, stoi, dots=2):
    out = []
    for w in words:
        chs = ["."] * dots + list(w) + ["."]
        out.extend((stoi[a], stoi[b], stoi[c]) for a, b, c in zip(chs, chs[1:], chs[2:]))
    return np.array(out, dtype=np.int64).reshape(-1, 3)


def _probe_trigram_counts(learner, words, stoi):
    return {"N": _tensor(learner.trigram_counts(list(words), dict(stoi)), "trigram_counts's result N")}


def _trigram_count(words, stoi, dots=2):
    V = len(stoi)
    N = np.zeros((V, V, V))
    t = _trigrams(words, stoi, dots)
    np.add.at(N, (t[:, 0], t[:, 1], t[:, 2]), 1)
    return N


def _probe_trigram_nll(learner, P, words, stoi):
    return {"nll": learner.trigram_nll(torch.from_numpy(P), list(words), dict(stoi))}


def _tri_nll(P, t):
    return float(-np.log(P[t[:, 0], t[:, 1], t[:, 2]]).mean())


def trigram(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    one_dot = "only one '.' in front: the context of the first letter is two '.' (\"..emma.\")."
    for about, words, letters in [("the lecture's emma, olivia, ava", LECTURE_WORDS, "".join(LECTURE_WORDS)),
                                  ("one word of one letter", ["x"], "x")] + \
            [(f"{n} words over {k} letters", _words(rng, lt, n), lt)
             for k, n in [(3, 10), (6, 80)] for lt in [_alphabet(rng, k)]]:
        stoi = _stoi(letters)
        V = len(stoi)
        cases.append(Case(f"trigram_counts: {about} ({V}×{V}×{V})", _probe_trigram_counts,
                          {"words": words, "stoi": stoi},
                          expect=lambda w=words, s=stoi: {"N": _trigram_count(w, s)},
                          mistakes=lambda w=words, s=stoi: [Mistake(one_dot, {"N": _trigram_count(w, s, 1)})],
                          check_dtype=False, labels={"N": "N, the trigram counts"}))
        P = rng.random((V, V, V)) + 0.05
        P = P / P.sum(2, keepdims=True)
        t = _trigrams(words, stoi)
        cases.append(Case(f"trigram_nll: {about}, P ({V}, {V}, {V}) float64", _probe_trigram_nll,
                          {"P": P, "words": words, "stoi": stoi},
                          expect=lambda P=P, t=t: {"nll": _tri_nll(P, t)},
                          mistakes=lambda P=P, t=t, w=words, s=stoi: [
                              Mistake(one_dot, {"nll": _tri_nll(P, _trigrams(w, s, 1))}),
                              Mistake("the indices are in the wrong order: P[a, b, c] is the probability of c "
                                      "after the pair a, b.", {"nll": _tri_nll(P, t[:, ::-1])}),
                              Mistake("the minus sign is missing.", {"nll": -_tri_nll(P, t)})],
                          labels={"nll": "the average NLL"}))
    return cases


# ## Challenges 2 and 3: without F.one_hot, with F.cross_entropy


class _Spy(TorchFunctionMode):
    """Notes the names of the torch functions called while it is active."""

    def __init__(self):
        super().__init__()
        self.seen: set[str] = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.seen.add(getattr(func, "__name__", str(func)))
        return func(*args, **(kwargs or {}))


_MATMULS = {"matmul", "mm", "bmm", "einsum", "linear", "tensordot", "mv", "dot", "inner", "addmm",
            "__matmul__", "__rmatmul__"}


def _probe_spied(learner, fn, W, xs, ys, reg):
    spy = _Spy()
    with spy:
        out = _probe_loss(learner, fn, W, xs, ys, reg)
    out["no_one_hot"] = "one_hot" not in spy.seen
    out["no_matmul"] = not (spy.seen & _MATMULS)
    out["used_cross_entropy"] = "cross_entropy" in spy.seen
    return out


def _spied_cases(seed: int, fn: str, flags: dict[str, tuple[str, str]], scales=(1.0,)) -> list[Case]:
    cases = _loss_cases(np.random.default_rng(seed), fn, scales)
    for case in cases:
        expect, mistakes = case.expect, case.mistakes
        case.probe = _probe_spied
        case.expect = lambda e=expect: {**e(), **{k: True for k in flags}}
        case.mistakes = lambda m=mistakes: m() + [Mistake(msg, {k: False}) for k, (_, msg) in flags.items()]
        case.labels.update({k: label for k, (label, _) in flags.items()})
    return cases


def no_one_hot(seed: int) -> list[Case]:
    return _spied_cases(seed, "bigram_loss_indexed", {
        "no_one_hot": ("F.one_hot is not used", "F.one_hot was called: pick the rows directly, logits = W[xs]."),
        "no_matmul": ("no matrix multiply is used",
                      "there is still a matrix multiply: multiplying one-hot rows by W only selects rows of W, "
                      "so index them instead, W[xs]."),
    })


def with_cross_entropy(seed: int) -> list[Case]:
    cases = _spied_cases(seed, "bigram_loss_ce", {
        "used_cross_entropy": ("F.cross_entropy is used",
                               "F.cross_entropy was never called: the point of this challenge is to let it do "
                               "the softmax and the NLL, F.cross_entropy(logits, ys)."),
    }, scales=(1.0, 100.0))
    for case in cases:
        mistakes = case.mistakes

        def extra(m=mistakes, a=case.args):
            x, y, reg = torch.from_numpy(a["xs"]), torch.from_numpy(a["ys"]), a["reg"]
            r = 0.01 if reg is None else reg
            wrong = [("F.cross_entropy got probabilities: it wants the logits themselves (it applies the "
                      "softmax for you).", lambda W: F.cross_entropy(F.softmax(W[x], 1), y) + r * (W**2).mean()),
                     ("F.cross_entropy got the counts exp(logits): give it the logits.",
                      lambda W: F.cross_entropy(W[x].exp(), y) + r * (W**2).mean())]
            return m() + [Mistake(msg, _loss_and_grad(f, a["W"])) for msg, f in wrong]

        case.mistakes = extra
        case.explain = _ce_explain
    return cases


def _ce_explain(key, got, expected):
    if isinstance(got, np.ndarray) and not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return ("Your result has inf or NaN: exp() of logits this large overflows float32 (from about 88). "
                "F.cross_entropy never forms exp(logits) itself: it subtracts each row's max first.")
    return None
