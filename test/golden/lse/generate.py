"""Writes cases.json: LSE pooling (Pinheiro & Collobert, CVPR 2015) transcribed in PyTorch 1.13 from
y = x_max + (1/r)·log(mean over the window of e^{r(x − x_max)}), with autograd's gradients of the
input and of r (shape [1] or [channels]). Float64, then rounded to float32. r > 0 here, as the paper;
poolkit's shift for r < 0 (the window min) is the same function, and one case checks it."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from formula_windows import grid_values, make_case, scalar_parameter, windows, write_cases  # noqa: E402


def lse_pool(options, dims, extreme='max'):
    def formula(x, r):
        values, mask = windows(x, options)
        inside = mask > 0
        fill = -np.inf if extreme == 'max' else np.inf
        masked = torch.where(inside, values, torch.tensor(fill, dtype=x.dtype))
        top = masked.amax(-1, keepdim=True) if extreme == 'max' else masked.amin(-1, keepdim=True)
        rate = scalar_parameter(r, dims)
        shifted = torch.where(inside, values, top) - top
        mean = (torch.exp(rate * shifted) * mask).sum(-1) / mask.sum(-1)
        return top.squeeze(-1) + torch.log(mean) / rate.squeeze(-1)
    return formula


def case(name, shape, options, r, extreme='max', **rest):
    dims = len(shape) - 2
    parameters = [{'name': 'r', 'shape': [len(r)], 'values': r}]
    return make_case(name, f'lsePool{dims}d', lse_pool(options, dims, extreme), shape, options, parameters, **rest)


CASES = [
    case('lse 2d 2x2 r=1', (2, 3, 4, 6), {'kernelSize': 2}, [1]),
    case('lse 2d r per channel, 3x3 stride 2 padding 1 channelsLast', (2, 3, 7, 6),
         {'kernelSize': 3, 'stride': 2, 'padding': 1}, [0.5, 2, 8], channels_last=True),
    case('lse 2d large r=30 nears max', (1, 2, 4, 4), {'kernelSize': 2}, [30]),
    case('lse 2d small r=0.01 nears the mean', (1, 2, 4, 4), {'kernelSize': 2, 'stride': 1}, [0.01]),
    case('lse 2d negative r=-2 (shifted by the window min) nears min', (1, 2, 4, 4), {'kernelSize': 2}, [-2],
         extreme='min'),
    case('lse 2d all-negative', (1, 2, 4, 4), {'kernelSize': 2, 'stride': 1}, [2],
         values=-np.abs(grid_values((1, 2, 4, 4))) - 1),
    case('lse 2d large values (exp would overflow unshifted)', (1, 1, 4, 4), {'kernelSize': 2}, [4],
         values=grid_values((1, 1, 4, 4), 300, 400)),
    case('lse 2d equal values', (1, 1, 4, 4), {'kernelSize': 2}, [3], values=np.full((4, 4), -0.5)),
    case('lse 2d dilation 2 padding 1', (1, 2, 7, 8), {'kernelSize': 3, 'stride': 1, 'padding': 1, 'dilation': 2}, [1]),
    case('lse 2d ceil mode overhang', (1, 2, 5, 7), {'kernelSize': 3, 'stride': 2, 'ceilMode': True}, [1.5]),
    case('lse 2d same padding channelsLast', (1, 2, 5, 5), {'kernelSize': 2, 'padding': 'same'}, [1],
         channels_last=True),
    case('lse 1d', (2, 3, 9), {'kernelSize': 3, 'stride': 2, 'padding': 1}, [1]),
    case('lse 1d r per channel channelsLast', (2, 2, 8), {'kernelSize': 2}, [1, 5], channels_last=True),
    case('lse 3d', (1, 2, 4, 5, 5), {'kernelSize': 2, 'stride': [1, 2, 2]}, [2]),
    case('lse 3d padding channelsLast', (1, 2, 3, 4, 4), {'kernelSize': [2, 3, 3], 'stride': 2, 'padding': [1, 1, 0]},
         [1, 3], channels_last=True),
]

if __name__ == '__main__':
    write_cases(__file__, CASES)
