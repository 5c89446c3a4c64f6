"""Writes cases.json: GeM pooling (Radenović, Tolias & Chum, TPAMI 2018) transcribed in PyTorch 1.13 from
the paper's equation y = (mean over the window of clamp(x, ε)^p)^(1/p), ε = 1e-6, with autograd's
gradients of the input and of p (shape [1] or [channels]). Float64, then rounded to float32."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from formula_windows import grid_values, make_case, scalar_parameter, windows, write_cases  # noqa: E402

EPSILON = 1e-6


def gem_pool(options, dims):
    def formula(x, p):
        values, mask = windows(x, options)
        power = scalar_parameter(p, dims)
        mean = (values.clamp(min=EPSILON).pow(power) * mask).sum(-1) / mask.sum(-1)
        return mean.pow(1 / power.squeeze(-1))
    return formula


def case(name, shape, options, p, **rest):
    dims = len(shape) - 2
    parameters = [{'name': 'p', 'shape': [len(p)], 'values': p}]
    return make_case(name, f'gemPool{dims}d', gem_pool(options, dims), shape, options, parameters, **rest)


def positive(shape):
    return np.abs(grid_values(shape)) + 1 / 64


CASES = [
    case('gem 2d 2x2 p=3 (the paper\'s initial p), positive input', (2, 3, 4, 6), {'kernelSize': 2}, [3],
         values=positive((2, 3, 4, 6))),
    case('gem 2d mixed signs: negatives clamped to ε', (1, 2, 4, 6), {'kernelSize': 2}, [3]),
    case('gem 2d p per channel, 3x3 stride 2 padding 1 channelsLast', (2, 3, 7, 6),
         {'kernelSize': 3, 'stride': 2, 'padding': 1}, [1, 2.5, 6], values=positive((2, 3, 7, 6)), channels_last=True),
    case('gem 2d p=1 is the mean of clamp(x, ε)', (1, 2, 4, 4), {'kernelSize': 2, 'stride': 1}, [1],
         values=positive((1, 2, 4, 4))),
    case('gem 2d negative p=-1.5 (a power mean too)', (1, 2, 4, 4), {'kernelSize': 2}, [-1.5],
         values=positive((1, 2, 4, 4))),
    case('gem 2d large p=20', (1, 2, 4, 4), {'kernelSize': 2}, [20], values=positive((1, 2, 4, 4))),
    case('gem 2d dilation 2 padding 1', (1, 2, 7, 8), {'kernelSize': 3, 'stride': 1, 'padding': 1, 'dilation': 2}, [3],
         values=positive((1, 2, 7, 8))),
    case('gem 2d ceil mode overhang', (1, 2, 5, 7), {'kernelSize': 3, 'stride': 2,
                                                                           'ceilMode': True}, [2],
         values=positive((1, 2, 5, 7))),
    case('gem 2d same padding channelsLast', (1, 2, 5, 5), {'kernelSize': 2, 'padding': 'same'}, [3],
         values=positive((1, 2, 5, 5)), channels_last=True),
    case('gem 2d equal values', (1, 1, 4, 4), {'kernelSize': 2}, [3], values=np.full((4, 4), 0.75)),
    case('gem 1d', (2, 3, 9), {'kernelSize': 3, 'stride': 2, 'padding': 1}, [3], values=positive((2, 3, 9))),
    case('gem 1d p per channel channelsLast', (2, 2, 8), {'kernelSize': 2}, [2, 4], values=positive((2, 2, 8)),
         channels_last=True),
    case('gem 3d', (1, 2, 4, 5, 5), {'kernelSize': 2, 'stride': [1, 2, 2]}, [3], values=positive((1, 2, 4, 5, 5))),
    case('gem 3d padding channelsLast', (1, 2, 3, 4, 4), {'kernelSize': [2, 3, 3], 'stride': 2, 'padding': [1, 1, 0]},
         [3, 1.5], values=positive((1, 2, 3, 4, 4)), channels_last=True),
]

if __name__ == '__main__':
    write_cases(__file__, CASES)
