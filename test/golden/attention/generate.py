"""Writes cases.json: SimPool-style attention pooling (Psomas et al., ICCV 2023; one head, no
LayerNorm, gamma = 1) transcribed in PyTorch 1.13: q = GAP(x)·W_q, k = x·W_k, a = softmax(k·q/√C),
y = Σ a·x. Gradients of the input and of both kernels by autograd."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from golden_common import encode, grid_values, layout_case, write_cases  # noqa: E402

RNG = np.random.default_rng(20231002)


def attention_pool(x, w_q, w_k):
    cells = x.flatten(2).transpose(1, 2)  # [batch, n, C]
    query = cells.mean(1) @ w_q  # [batch, C]
    keys = cells @ w_k
    logits = (keys @ query.unsqueeze(2)).squeeze(2) / cells.shape[2] ** 0.5
    weights = torch.softmax(logits, 1)
    return (weights.unsqueeze(2) * cells).sum(1)


def make_case(name, shape, identity=False, channels_last=False):
    channels = shape[1]
    x = torch.tensor(grid_values(RNG, shape, -2, 2), requires_grad=True)
    kernels = [np.eye(channels, dtype=np.float32) if identity else grid_values(RNG, (channels, channels), -1, 1)
               for _ in range(2)]
    w_q, w_k = (torch.tensor(k, requires_grad=True) for k in kernels)
    y = attention_pool(x.double(), w_q.double(), w_k.double())
    grad_output = torch.tensor(grid_values(RNG, tuple(y.shape), -1, 1))
    y.backward(grad_output.double())
    case = {'name': name, 'options': {'dataFormat': 'channelsLast' if channels_last else 'channelsFirst'},
            **layout_case(x, y.float(), grad_output, channels_last)}
    case.update({'outputShape': list(y.shape), 'output': encode(y.detach().numpy()),
                 'gradOutput': encode(grad_output.numpy()),
                 'queryKernel': encode(kernels[0]), 'keyKernel': encode(kernels[1]),
                 'gradQueryKernel': encode(w_q.grad.numpy()), 'gradKeyKernel': encode(w_k.grad.numpy())})
    return case


def main():
    cases = [
        make_case('attention 2d identity kernels', (2, 3, 4, 4), identity=True),
        make_case('attention 2d random kernels channelsLast', (2, 4, 3, 5), channels_last=True),
        make_case('attention 2d one cell', (2, 3, 1, 1)),
        make_case('attention 1d', (3, 2, 7), channels_last=True),
        make_case('attention 3d', (1, 3, 2, 3, 3)),
    ]
    write_cases(__file__, cases)


if __name__ == '__main__':
    main()
