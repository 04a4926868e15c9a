# %% Setup
# Follow along with the lecture: type its code into the cells below and run them in the
# tutor's Follow-along tab (Enter runs a cell), or from a terminal with `zerohero follow gpt`.
# Nothing here is graded. `zerohero reset gpt --follow-along` restores this file (yours is kept
# as a backup). load("shakespeare") reads the data set; show(x) draws a tensor in the tutor.

import torch
import torch.nn as nn
from torch.nn import functional as F

from tutor.follow.kit import load, show

torch.manual_seed(1337)
text = load("shakespeare")
chars = sorted(set(text))
vocab_size = len(chars)
stoi = {ch: i for i, ch in enumerate(chars)}
itos = {i: ch for i, ch in enumerate(chars)}
encode = lambda s: [stoi[c] for c in s]
decode = lambda l: "".join(itos[i] for i in l)
data = torch.tensor(encode(text), dtype=torch.long)
n = int(0.9 * len(data))  # the first 90% trains, the rest validates
train_data, val_data = data[:n], data[n:]


# %% 1. The data: tiny Shakespeare, one character at a time


# %% 2. Blocks, and many examples in one block


# %% 3. The bigram baseline


# %% 4. The mathematical trick in self-attention


# %% 5. Self-attention: keys, queries, values


# %% 6. Attention as communication


# %% 7. Multi-head attention


# %% 8. Feed-forward, and the block


# %% 9. Dropout, and scaling up


# %% 10. Watch it train


# %% 11. From this to ChatGPT
