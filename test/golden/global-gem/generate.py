"""Writes cases.json: global GeM pooling (Radenović, Tolias & Chum, TPAMI 2018), the paper's descriptor
y[b, c] = (mean over every spatial cell of clamp(x, ε)^p)^(1/p), ε = 1e-6, transcribed in PyTorch 1.13,
with autograd's gradients of the input and of p (shape [1] or [channels]). Float64, then float32."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from formula_windows import grid_values, make_case, write_cases  # noqa: E402

EPSILON = 1e-6


def global_gem(keep_dims):
    def formula(x, p):
        dims = x.dim() - 2
        power = p.reshape(1, -1, *([1] * dims))
        spatial = tuple(range(2, 2 + dims))
        return x.clamp(min=EPSILON).pow(power).mean(spatial, keepdim=keep_dims).pow(
            1 / (power if keep_dims else power.reshape(1, -1)))
    return formula


def case(name, shape, p, keep_dims=False, **rest):
    options = {'keepDims': True} if keep_dims else {}
    parameters = [{'name': 'p', 'shape': [len(p)], 'values': p}]
    return make_case(name, 'globalGemPool', global_gem(keep_dims), shape, options, parameters, **rest)


def positive(shape):
    return np.abs(grid_values(shape)) + 1 / 64


CASES = [
    case('global gem 2d p=3', (2, 3, 5, 6), [3], values=positive((2, 3, 5, 6))),
    case('global gem 2d p per channel keepDims channelsLast', (2, 3, 4, 4), [1, 3, 8], keep_dims=True,
         values=positive((2, 3, 4, 4)), channels_last=True),
    case('global gem 2d mixed signs: negatives clamped to ε', (1, 2, 4, 5), [3]),
    case('global gem 1d channelsLast', (2, 3, 7), [2.5], values=positive((2, 3, 7)), channels_last=True),
    case('global gem 3d keepDims', (1, 2, 3, 4, 4), [3, 2], keep_dims=True, values=positive((1, 2, 3, 4, 4))),
]

if __name__ == '__main__':
    write_cases(__file__, CASES)
