# %% Setup
# Follow along with the lecture: type its code into the cells below and run them in the
# tutor's Follow-along tab (Enter runs a cell), or from a terminal with `zerohero follow backprop`.
# Nothing here is graded. `zerohero reset backprop --follow-along` restores this file (yours is kept
# as a backup). load("names") reads the data set; show(x) draws a tensor in the tutor.

import random

import torch
import torch.nn.functional as F

from tutor.follow.kit import load, show

words = load("names").splitlines()
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(itos)
block_size = 3
random.seed(42)
random.shuffle(words)
n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))  # train, dev, test: 80/10/10
g = torch.Generator().manual_seed(2147483647)


# %% 1. Why do it by hand?


# %% 2. The network, as a chain of small steps


# %% 3. The rules that do all the work


# %% 4. Cross-entropy in one step


# %% 5. Batch norm in one step


# %% 6. The layers, one at a time


# %% 7. The whole thing, with no autograd at all
