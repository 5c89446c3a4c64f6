"""Writes cases.json: wavelet pooling (Williams & Li, ICLR 2018) transcribed in PyTorch 1.13: a
two-level Haar fast wavelet transform of every plane (odd lengths extended by repeating the last
cell, MATLAB's 'sym' mode for Haar), the first-level detail sub-bands discarded, the second-level
sub-bands all kept and inverted once (cut back to the first level's length, as waverec2). Forward
and input gradients by autograd; 1D, 2D and 3D, both layouts."""
import itertools
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from golden_common import grid_values, layout_case, write_cases  # noqa: E402

RNG = np.random.default_rng(20180430)
R = 1 / math.sqrt(2)


def dwt_axis(x, axis):
    """Haar analysis along `axis`: (low, high), the odd last cell paired with itself."""
    if x.shape[axis] % 2:
        x = torch.cat([x, x.narrow(axis, x.shape[axis] - 1, 1)], axis)
    even = x.narrow(axis, 0, x.shape[axis] // 2 * 2).unfold(axis, 2, 2)
    a, b = even[..., 0], even[..., 1]
    return (a + b) * R, (a - b) * R


def idwt_axis(low, high, axis, length):
    """Haar synthesis along `axis`, interleaving (l + h)/√2 and (l − h)/√2, cut to `length` cells."""
    pair = torch.stack([(low + high) * R, (low - high) * R], axis + 1)
    shape = list(low.shape)
    shape[axis] *= 2
    return pair.reshape(shape).narrow(axis, 0, length)


def dwt(x, axes):
    """All 2^len(axes) sub-bands of one level, keyed by 'L'/'H' per axis."""
    bands = {'': x}
    for axis in axes:
        bands = {key + tag: part for key, value in bands.items()
                 for tag, part in zip('LH', dwt_axis(value, axis))}
    return bands


def idwt(bands, axes, lengths):
    for index in reversed(range(len(axes))):
        merged = {}
        for key in {k[:index] for k in bands}:
            merged[key] = idwt_axis(bands[key + 'L'], bands[key + 'H'], axes[index], lengths[index])
        bands = merged
    return bands['']


def wavelet_pool(x):
    axes = list(range(2, x.dim()))
    level1 = dwt(x, axes)
    approximation = level1['L' * len(axes)]  # the detail sub-bands of level 1 are discarded
    level2 = dwt(approximation, axes)  # every second-level sub-band is kept
    return idwt(level2, axes, [approximation.shape[a] for a in axes])


def make_case(name, shape, channels_last=False, values=None):
    data = grid_values(RNG, shape) if values is None else np.asarray(values, dtype=np.float32).reshape(shape)
    x = torch.tensor(data, requires_grad=True)
    y = wavelet_pool(x.double()).float()
    grad_output = torch.tensor(grid_values(RNG, tuple(y.shape), -1, 1))
    y.backward(grad_output)
    full = {'dataFormat': 'channelsLast' if channels_last else 'channelsFirst'}
    return {'name': name, 'dims': x.dim() - 2, 'options': full, **layout_case(x, y, grad_output, channels_last)}


def main():
    cases = [
        make_case('wavelet 2d 8x8', (2, 3, 8, 8)),
        make_case('wavelet 2d 6x10 (level 1 odd: 3x5) channelsLast', (1, 2, 6, 10), channels_last=True),
        make_case('wavelet 2d odd 7x9', (1, 2, 7, 9)),
        make_case('wavelet 2d 1x5', (1, 1, 1, 5)),
        make_case('wavelet 2d 13x13', (1, 1, 13, 13), channels_last=True),
        make_case('wavelet 1d 11', (2, 2, 11)),
        make_case('wavelet 1d 4 channelsLast', (1, 3, 4), channels_last=True),
        make_case('wavelet 3d 4x5x6', (1, 2, 4, 5, 6)),
        make_case('wavelet 3d 3x3x3 channelsLast', (1, 2, 3, 3, 3), channels_last=True),
    ]
    write_cases(__file__, cases)


if __name__ == '__main__':
    main()
