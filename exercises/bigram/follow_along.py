# %% Setup
# Follow along with the lecture: type its code into the cells below and run them in the
# tutor's Follow-along tab (Enter runs a cell), or from a terminal with `zerohero follow bigram`.
# Nothing here is graded. `zerohero reset bigram --follow-along` restores this file (yours is kept
# as a backup). load("names") reads the data set; show(x) draws a tensor in the tutor.

import torch

from tutor.follow.kit import load, show

words = load("names").splitlines()
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
g = torch.Generator().manual_seed(2147483647)


# %% 1. The data set


# %% 2. Bigrams, and the token that starts and ends every word


# %% 3. stoi and itos


# %% 4. Counting into a 27×27 matrix
N = torch.zeros((27, 27), dtype=torch.int32)
# the counting loop goes here: for every word, for every pair of letters in "." + word + "."

show(N, rows=[itos[i] for i in range(27)], cols=[itos[i] for i in range(27)])


# %% 5. From counts to probabilities, and broadcasting


# %% 6. Sampling names


# %% 7. How good is the model? Likelihood, log-likelihood, NLL


# %% 8. Smoothing, and why


# %% 9. The same model as a neural network


# %% 10. Gradient descent


# %% 11. Regularisation is smoothing


# %% 12. Why both approaches meet


# %% 13. Watch it train
