"""Writes cases.json: spectral pooling (Rippel, Snoek & Adams, NeurIPS 2015) and DiffStride's learnable
strides (Riad et al., ICLR 2022) transcribed with torch.fft in PyTorch 1.13, in float64 from float32
inputs: X = fftn(x, norm='forward') over the spatial axes; per axis the DiffStride mask
m(k) = clamp((R + T − |k|)/R, 0, 1), T = max(N/(2S), 1) (spectral pooling: m = 1); the bins
−⌊out/2⌋ … ⌈out/2⌉ − 1 kept, out = the mask's support (m > 0) or a given size; y = ifftn(·, norm=
'forward').real. Gradients of the input and of the strides by autograd."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from golden_common import encode, grid_values, layout_case, write_cases  # noqa: E402

RNG = np.random.default_rng(20151207)


def kept_bins(size, out):
    half = -(-out // 2)
    return [b if b < half else size - out + b for b in range(out)]


def frequencies(size):
    return torch.tensor([b if b < -(-size // 2) else b - size for b in range(size)], dtype=torch.float64)


def stride_mask(size, stride, smoothness):
    threshold = torch.maximum(size / (2 * stride), torch.tensor(1.0, dtype=torch.float64))
    return torch.clamp((smoothness + threshold - frequencies(size).abs()) / smoothness, 0, 1)


def spectral(x, out_sizes, masks=None):
    dims = list(range(2, x.dim()))
    spectrum = torch.fft.fftn(x, dim=dims, norm='forward')
    for axis, out in zip(dims, out_sizes):
        size = x.shape[axis]
        if masks is not None:
            shape = [1] * x.dim()
            shape[axis] = size
            spectrum = spectrum * masks[axis - 2].reshape(shape)
        spectrum = spectrum.index_select(axis, torch.tensor(kept_bins(size, out)))
    return torch.fft.ifftn(spectrum, dim=dims, norm='forward').real


def make_spectral(name, shape, options, channels_last=False):
    x = torch.tensor(grid_values(RNG, shape), requires_grad=True)
    sizes = shape[2:]
    if 'outputSize' in options:
        out = options['outputSize']
        out_sizes = [out] * len(sizes) if isinstance(out, int) else out
    else:
        stride = options.get('stride', 2)
        strides = [stride] * len(sizes) if not isinstance(stride, list) else stride
        out_sizes = [int(np.ceil(n / s)) for n, s in zip(sizes, strides)]
    y = spectral(x.double(), out_sizes)
    grad_output = torch.tensor(grid_values(RNG, tuple(y.shape), -1, 1))
    y.backward(grad_output.double())
    full = dict(options, dataFormat='channelsLast' if channels_last else 'channelsFirst')
    return {'name': name, 'kind': 'spectral', 'dims': len(sizes), 'options': full,
            **layout_case(x, y.float(), grad_output, channels_last)}


def make_diff_stride(name, shape, strides, smoothness=4.0, output_size=None, channels_last=False):
    x = torch.tensor(grid_values(RNG, shape), requires_grad=True)
    sizes = shape[2:]
    s = torch.tensor(strides, dtype=torch.float64, requires_grad=True)
    per_axis = [s[0] if len(strides) == 1 else s[a] for a in range(len(sizes))]
    masks = [stride_mask(n, stride, smoothness) for n, stride in zip(sizes, per_axis)]
    if output_size is None:
        out_sizes = [int((m > 0).sum()) for m in masks]
    else:
        out_sizes = [output_size] * len(sizes) if isinstance(output_size, int) else output_size
    y = spectral(x.double(), out_sizes, masks)
    grad_output = torch.tensor(grid_values(RNG, tuple(y.shape), -1, 1))
    y.backward(grad_output.double())
    options = {'smoothness': smoothness, 'dataFormat': 'channelsLast' if channels_last else 'channelsFirst'}
    if output_size is not None:
        options['outputSize'] = output_size
    case = {'name': name, 'kind': 'diffStride', 'dims': len(sizes), 'options': options,
            **layout_case(x, y.float(), grad_output, channels_last)}
    case.update({'strides': encode(np.array(strides)), 'gradStrides': encode(s.grad.numpy())})
    return case


def main():
    cases = [
        make_spectral('spectral 2d 8x8 → 4x4', (2, 2, 8, 8), {'outputSize': 4}),
        make_spectral('spectral 2d 9x7 → 4x3 (odd in, even and odd out) channelsLast', (1, 3, 9, 7),
                      {'outputSize': [4, 3]}, channels_last=True),
        make_spectral('spectral 2d stride 2 on 13x26 (prime and composite lengths)', (1, 1, 13, 26), {}),
        make_spectral('spectral 2d stride 1.5', (1, 1, 10, 11), {'stride': 1.5}),
        make_spectral('spectral 2d identity (outputSize = input)', (1, 2, 5, 6), {'outputSize': [5, 6]}),
        make_spectral('spectral 1d length 37 (Bluestein) → 12', (2, 2, 37), {'outputSize': 12}, channels_last=True),
        make_spectral('spectral 1d to one cell (the mean)', (1, 2, 6), {'outputSize': 1}),
        make_spectral('spectral 3d', (1, 2, 4, 6, 5), {'outputSize': [3, 3, 2]}),
        make_diff_stride('diffStride 2d [2.3, 1.7] on 16x16, support crop', (1, 2, 16, 16), [2.3, 1.7]),
        make_diff_stride('diffStride 2d 2.2 shared on 26x26, R 4', (1, 1, 26, 26), [2.2]),
        make_diff_stride('diffStride 2d 3.1 smoothness 2, odd sizes channelsLast', (1, 3, 15, 13), [3.1, 2.6],
                         smoothness=2.0, channels_last=True),
        make_diff_stride('diffStride 2d fixed output 9x9', (1, 1, 20, 20), [2.7, 3.3], output_size=9),
        make_diff_stride('diffStride 2d stride near 1 keeps everything', (1, 1, 8, 8), [1.05, 1.05], smoothness=1.5),
        make_diff_stride('diffStride 1d', (2, 2, 30), [3.3], smoothness=3.0, channels_last=True),
        make_diff_stride('diffStride 3d', (1, 1, 6, 8, 7), [1.7, 2.1, 2.9], smoothness=1.0),
    ]
    write_cases(__file__, cases)


if __name__ == '__main__':
    main()
