# %% Setup
# Follow along with the lecture: type its code into the cells below and run them in the
# tutor's Follow-along tab (Enter runs a cell), or from a terminal with `zerohero follow wavenet`.
# Nothing here is graded. `zerohero reset wavenet --follow-along` restores this file (yours is kept
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
torch.manual_seed(42)
block_size = 8
random.seed(42)
random.shuffle(words)
n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))  # train, dev, test: 80/10/10
g = torch.Generator().manual_seed(2147483647)


# %% 1. Where we start


# %% 2. PyTorch-ifying the code


# %% 3. More context: 8 characters


# %% 4. The WaveNet idea: fuse slowly


# %% 5. The layer inspector


# %% 6. The BatchNorm bug


# %% 7. Scaling up


# %% 8. Convolutions: the same tree, computed efficiently


# %% 9. torch.nn, and how the work is done


# %% 10. Watch it train
