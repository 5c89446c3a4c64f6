"""Writes cases.json: detail-preserving pooling, Lite-DPP (Saeedan, Weber, Goesele & Roth, CVPR 2018),
transcribed in PyTorch 1.13 from the paper's equations: y = Σ wᵢxᵢ / Σ wᵢ over the window with
wᵢ = α + ρ_λ(xᵢ − x̃), x̃ the window mean (a box filter), ρ_Sym(d) = (√(d² + ε²))^λ and
ρ_Asym(d) = (√(max(0, d)² + ε²))^λ, ε² = 1e-3 (the authors' code), α and λ per channel (or one each),
with autograd's gradients of the input, α and λ. Float64, then rounded to float32."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from formula_windows import grid_values, make_case, scalar_parameter, windows, write_cases  # noqa: E402

EPSILON_SQUARED = 1e-3


def dpp_pool(options, dims, asymmetric):
    def formula(x, alpha, lam):
        values, mask = windows(x, options)
        mean = (values * mask).sum(-1, keepdim=True) / mask.sum(-1, keepdim=True)
        difference = values - mean
        if asymmetric:
            difference = torch.relu(difference)
        reward = torch.sqrt(difference ** 2 + EPSILON_SQUARED).pow(scalar_parameter(lam, dims))
        weights = (scalar_parameter(alpha, dims) + reward) * mask
        return (weights * values).sum(-1) / weights.sum(-1)
    return formula


def case(name, shape, options, alpha, lam, **rest):
    dims = len(shape) - 2
    asymmetric = options.get('reward') == 'asymmetric'
    parameters = [{'name': 'alpha', 'shape': [len(alpha)], 'values': alpha},
                  {'name': 'lambda', 'shape': [len(lam)], 'values': lam}]
    return make_case(name, f'dppPool{dims}d', dpp_pool(options, dims, asymmetric), shape, options, parameters, **rest)


ASYMMETRIC = {'reward': 'asymmetric'}

CASES = [
    case('dpp 2d 2x2 symmetric α = λ = 1', (2, 3, 4, 6), {'kernelSize': 2}, [1], [1]),
    case('dpp 2d 2x2 asymmetric α = λ = 1', (2, 3, 4, 6), {'kernelSize': 2, **ASYMMETRIC}, [1], [1]),
    case('dpp 2d α and λ per channel, 3x3 stride 2 padding 1 channelsLast', (2, 3, 7, 6),
         {'kernelSize': 3, 'stride': 2, 'padding': 1}, [0.5, 1, 2], [0.5, 2, 3], channels_last=True),
    case('dpp 2d asymmetric per channel channelsLast', (1, 3, 6, 6), {'kernelSize': 2, **ASYMMETRIC},
         [0.25, 1, 3], [1.5, 0.5, 4], channels_last=True),
    case('dpp 2d α = 0, large λ = 8 (the cell farthest from the mean dominates)', (1, 2, 4, 4),
         {'kernelSize': 2}, [0], [8]),
    case('dpp 2d negative λ = -1 (smoothing)', (1, 2, 4, 4), {'kernelSize': 2}, [0.5], [-1]),
    case('dpp 2d all-negative', (1, 2, 4, 4), {'kernelSize': 2, 'stride': 1}, [1], [2],
         values=-np.abs(grid_values((1, 2, 4, 4))) - 1),
    case('dpp 2d equal values', (1, 1, 4, 4), {'kernelSize': 2}, [1], [1], values=np.full((4, 4), 1.25)),
    case('dpp 2d dilation 2 padding 1', (1, 2, 7, 8), {'kernelSize': 3, 'stride': 1, 'padding': 1, 'dilation': 2},
         [1], [1]),
    case('dpp 2d ceil mode overhang asymmetric', (1, 2, 5, 7), {'kernelSize': 3, 'stride': 2, 'ceilMode': True,
                                                                **ASYMMETRIC}, [1], [2]),
    case('dpp 2d same padding channelsLast', (1, 2, 5, 5), {'kernelSize': 2, 'padding': 'same'}, [1, 2], [1, 0.5],
         channels_last=True),
    case('dpp 1d', (2, 3, 9), {'kernelSize': 3, 'stride': 2, 'padding': 1}, [1], [1]),
    case('dpp 1d asymmetric per channel channelsLast', (2, 2, 8), {'kernelSize': 2, **ASYMMETRIC}, [1, 0.5], [2, 1],
         channels_last=True),
    case('dpp 3d', (1, 2, 4, 5, 5), {'kernelSize': 2, 'stride': [1, 2, 2]}, [1], [1]),
    case('dpp 3d padding channelsLast asymmetric', (1, 2, 3, 4, 4),
         {'kernelSize': [2, 3, 3], 'stride': 2, 'padding': [1, 1, 0], **ASYMMETRIC}, [1, 2], [1, 3],
         channels_last=True),
]

if __name__ == '__main__':
    write_cases(__file__, CASES)
