"""Writes cases.json: iSQRT-COV global covariance pooling (Li, Xie, Wang & Gao, CVPR 2018) as its code
fast-MPN-COV computes it (Covpool: x·Ī·xᵀ, Ī = (I − 11ᵀ/M)/M; Sqrtm: A = Σ/tr Σ, Newton–Schulz with
iterN iterations, ·√(tr Σ); Triuvec: the upper triangle, row-major), transcribed in PyTorch 1.13 in
float64 from float32 inputs; input gradients by autograd through every iteration."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from golden_common import encode, grid_values, layout_case, write_cases  # noqa: E402

RNG = np.random.default_rng(20180618)


def covpool(x):
    batch, dim = x.shape[:2]
    x = x.reshape(batch, dim, -1)
    m = x.shape[2]
    i_hat = (-1.0 / m / m) * torch.ones(m, m, dtype=x.dtype) + (1.0 / m) * torch.eye(m, dtype=x.dtype)
    return x.bmm(i_hat.expand(batch, m, m)).bmm(x.transpose(1, 2))


def sqrtm(x, iterations):
    batch, dim = x.shape[:2]
    i3 = 3.0 * torch.eye(dim, dtype=x.dtype).expand(batch, dim, dim)
    norm = x.diagonal(dim1=1, dim2=2).sum(1).view(batch, 1, 1)
    a = x / norm
    if iterations < 2:
        zy = 0.5 * (i3 - a)
        y = a.bmm(zy)
    else:
        zy = 0.5 * (i3 - a)
        y, z = a.bmm(zy), zy
        for _ in range(1, iterations - 1):
            zy = 0.5 * (i3 - z.bmm(y))
            y, z = y.bmm(zy), zy.bmm(z)
        y = 0.5 * y.bmm(i3 - z.bmm(y))
    return y * torch.sqrt(norm)


def triuvec(x):
    dim = x.shape[1]
    index = torch.triu(torch.ones(dim, dim)).reshape(-1).nonzero().reshape(-1)
    return x.reshape(x.shape[0], -1)[:, index]


def make_case(name, shape, iterations=5, channels_last=False):
    x = torch.tensor(grid_values(RNG, shape), requires_grad=True)
    y = triuvec(sqrtm(covpool(x.double()), iterations))
    grad_output = torch.tensor(grid_values(RNG, tuple(y.shape), -1, 1))
    y.backward(grad_output.double())
    full = {'iterations': iterations, 'dataFormat': 'channelsLast' if channels_last else 'channelsFirst'}
    case = {'name': name, 'options': full, **layout_case(x, y.float(), grad_output, channels_last)}
    case['outputShape'] = list(y.shape)  # a vector per sample in either layout
    case['output'] = encode(y.detach().numpy())
    case['gradOutput'] = encode(grad_output.numpy())
    return case


def main():
    cases = [
        make_case('covariance 2d 4 channels 5x5', (2, 4, 5, 5)),
        make_case('covariance 2d 6 channels 4x3 channelsLast', (2, 6, 4, 3), channels_last=True),
        make_case('covariance 2d 1 iteration', (1, 3, 4, 4), iterations=1),
        make_case('covariance 2d 2 iterations', (1, 3, 4, 4), iterations=2),
        make_case('covariance 2d 12 iterations, fewer cells than channels', (1, 5, 2, 2), iterations=12),
        make_case('covariance 1d', (2, 3, 9), channels_last=True),
        make_case('covariance 3d', (1, 4, 2, 3, 3)),
    ]
    write_cases(__file__, cases)


if __name__ == '__main__':
    main()
