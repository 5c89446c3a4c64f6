"""Writes cases.json: SoftPool (Stergiou, Poppe & Kalliatakis, ICCV 2021) transcribed in PyTorch 1.13 from
the paper's equation y = Σ softmax(x)ᵢ·xᵢ over each window (the softmax shifted by the window max, a
constant for the softmax), with autograd's input gradients. Float64, then rounded to float32.
Run with /usr/bin/python3 from the repository root or anywhere; the seeds are fixed."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from formula_windows import grid_values, make_case, windows, write_cases  # noqa: E402


def soft_pool(options):
    def formula(x):
        values, mask = windows(x, options)
        inside = mask > 0
        top = torch.where(inside, values, torch.tensor(-np.inf, dtype=x.dtype)).amax(-1, keepdim=True).detach()
        weights = torch.exp(torch.where(inside, values, top) - top) * mask
        return (weights * values).sum(-1) / weights.sum(-1)
    return formula


def case(name, shape, options, **rest):
    return make_case(name, f'softPool{len(shape) - 2}d', soft_pool(options), shape, options, **rest)


CASES = [
    case('soft 2d 2x2', (2, 3, 4, 6), {'kernelSize': 2}),
    case('soft 2d 3x3 stride 2 padding 1 channelsLast', (2, 3, 7, 6), {'kernelSize': 3, 'stride': 2, 'padding': 1},
         channels_last=True),
    case('soft 2d dilation 2 padding 1', (1, 2, 7, 8), {'kernelSize': 3, 'stride': 1, 'padding': 1, 'dilation': 2}),
    case('soft 2d ceil mode overhang', (1, 2, 5, 7), {'kernelSize': 3, 'stride': 2, 'ceilMode': True}),
    case('soft 2d same padding channelsLast', (1, 2, 5, 5), {'kernelSize': 2, 'stride': 2, 'padding': 'same'},
         channels_last=True),
    case('soft 2d all-negative', (1, 2, 4, 4), {'kernelSize': 2, 'stride': 1},
         values=-np.abs(grid_values((1, 2, 4, 4))) - 1),
    case('soft 2d large values (exp would overflow unshifted)', (1, 1, 4, 4), {'kernelSize': 2},
         values=grid_values((1, 1, 4, 4), 700, 900)),
    case('soft 2d equal values (ties share equally)', (1, 1, 4, 4), {'kernelSize': 2, 'stride': 1},
         values=np.full((4, 4), 1.5)),
    case('soft 1d', (2, 3, 9), {'kernelSize': 3, 'stride': 2, 'padding': 1}),
    case('soft 1d dilation ceil mode channelsLast', (2, 2, 10), {'kernelSize': 2, 'stride': 3, 'dilation': 2,
                                                               'ceilMode': True}, channels_last=True),
    case('soft 3d', (1, 2, 4, 5, 5), {'kernelSize': 2, 'stride': [1, 2, 2]}),
    case('soft 3d padding channelsLast', (1, 2, 3, 4, 4), {'kernelSize': [2, 3, 3], 'stride': 2, 'padding': [1, 1, 0]},
         channels_last=True),
]

if __name__ == '__main__':
    write_cases(__file__, CASES)
