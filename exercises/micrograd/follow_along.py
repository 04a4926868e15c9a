# %% Setup
# Follow along with the lecture: type its code into the cells below and run them in the
# tutor's Follow-along tab (Enter runs a cell), or from a terminal with `zerohero follow micrograd`.
# Nothing here is graded. `zerohero reset micrograd --follow-along` restores this file (yours is kept
# as a backup). show(x) draws a tensor, or a Value's graph, in the tutor.

import math
import random

import numpy as np
import torch

from tutor.follow.kit import show

random.seed(1337)
np.random.seed(1337)


# %% 1. What is a derivative?


# %% 2. Several inputs: the partial derivative


# %% 3. The Value object


# %% 4. Backpropagation by hand: the chain rule


# %% 5. A neuron


# %% 6. Automating it: `_backward` and `backward()`


# %% 7. The bug: a value used twice


# %% 8. More operations, and tanh from exp


# %% 9. The same in PyTorch


# %% 10. A neural net: Neuron, Layer, MLP


# %% 11. A loss, and gradient descent


# %% 12. The classic mistake: forgetting zero_grad


# %% 13. Training on two moons
