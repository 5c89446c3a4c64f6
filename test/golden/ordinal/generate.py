"""Writes cases.json: ordinal pooling (Kumar, arXiv:1804.02702, 2018) transcribed in PyTorch 1.13: each
window's in-bounds cells sorted largest first (torch.sort, stable, so ties keep window order; NaN sorts
first), y = Σ_r w_r·x_(r) over the first n ranks, n the window's in-bounds count, with autograd's
gradients of the input and of the rank weights ([taps] or [channels, taps]). Float64, then float32."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from formula_windows import distinct_values, grid_values, make_case, rank_parameter, windows, write_cases  # noqa: E402


def ordinal_pool(options, dims):
    def formula(x, weights):
        values, mask = windows(x, options)
        inside = mask > 0
        ranked = torch.where(inside, values, torch.tensor(-np.inf, dtype=x.dtype)).sort(
            stable=True, dim=-1, descending=True).values
        count = mask.sum(-1, keepdim=True)
        valid = torch.arange(values.shape[-1], dtype=x.dtype) < count
        return (rank_parameter(weights, dims) * torch.where(valid, ranked, torch.zeros_like(ranked))).sum(-1)
    return formula


def case(name, shape, options, weights, **rest):
    dims = len(shape) - 2
    parameters = [{'name': 'rankWeights', 'shape': list(np.shape(weights)), 'values': np.ravel(weights).tolist()}]
    return make_case(name, f'ordinalPool{dims}d', ordinal_pool(options, dims), shape, options, parameters, **rest)


def weights(*shape):
    return grid_values(shape, -1, 1)


NAN = float('nan')

CASES = [
    case('ordinal 2d 2x2 shared weights', (2, 3, 4, 6), {'kernelSize': 2}, weights(4), values=distinct_values((2, 3, 4, 6))),
    case('ordinal 2d per channel weights, 3x3 stride 2 padding 1 channelsLast (windows of 4, 6, 9 cells)', (2, 3, 7, 6),
         {'kernelSize': 3, 'stride': 2, 'padding': 1}, weights(3, 9), values=distinct_values((2, 3, 7, 6)),
         channels_last=True),
    case('ordinal 2d max pooling weights [1, 0, 0, 0]', (1, 2, 4, 4), {'kernelSize': 2}, [1, 0, 0, 0],
         values=distinct_values((1, 2, 4, 4))),
    case('ordinal 2d ties keep window order (stable sort)', (1, 2, 4, 4), {'kernelSize': 2, 'stride': 1}, weights(2, 4),
         values=np.round(grid_values((1, 2, 4, 4), -1, 1))),
    case('ordinal 2d all-negative', (1, 2, 4, 4), {'kernelSize': 2}, weights(4),
         values=-np.abs(distinct_values((1, 2, 4, 4))) - 1),
    case('ordinal 2d dilation 2 padding 1', (1, 2, 7, 8), {'kernelSize': 3, 'stride': 1, 'padding': 1, 'dilation': 2},
         weights(9), values=distinct_values((1, 2, 7, 8))),
    case('ordinal 2d ceil mode overhang', (1, 2, 5, 7), {'kernelSize': 3, 'stride': 2, 'ceilMode': True}, weights(9),
         values=distinct_values((1, 2, 5, 7))),
    case('ordinal 2d same padding channelsLast', (1, 2, 5, 5), {'kernelSize': 2, 'padding': 'same'}, weights(2, 4),
         values=distinct_values((1, 2, 5, 5)), channels_last=True),
    case('ordinal 1d NaN ranks first', (1, 1, 6), {'kernelSize': 3}, [0.5, 0.25, 0.25],
         values=[1, NAN, 3, 2, 5, 4]),
    case('ordinal 1d', (2, 3, 9), {'kernelSize': 3, 'stride': 2, 'padding': 1}, weights(3, 3),
         values=distinct_values((2, 3, 9))),
    case('ordinal 3d', (1, 2, 4, 5, 5), {'kernelSize': 2, 'stride': [1, 2, 2]}, weights(8),
         values=distinct_values((1, 2, 4, 5, 5))),
    case('ordinal 3d padding channelsLast', (1, 2, 3, 4, 4), {'kernelSize': [2, 3, 3], 'stride': 2, 'padding': [1, 1, 0]},
         weights(2, 18), values=distinct_values((1, 2, 3, 4, 4)), channels_last=True),
]

if __name__ == '__main__':
    write_cases(__file__, CASES)
