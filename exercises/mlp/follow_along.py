# %% Setup
# Follow along with the lecture: type its code into the cells below and run them in the
# tutor's Follow-along tab (Enter runs a cell), or from a terminal with `zerohero follow mlp`.
# Nothing here is graded. `zerohero reset mlp --follow-along` restores this file (yours is kept
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


# %% 1. Why the table explodes


# %% 2. Bengio et al. 2003


# %% 3. block_size: contexts and targets


# %% 4. The embedding table and C[X]


# %% 5. view versus cat, and why view is free


# %% 6. The hidden layer


# %% 7. Logits, and F.cross_entropy


# %% 8. Minibatches


# %% 9. Finding a learning rate


# %% 10. Step decay


# %% 11. Train, dev and test splits


# %% 12. Under- and over-fitting


# %% 13. Scaling up, and the embedding map


# %% 14. Sampling


# %% 15. Watch it train
