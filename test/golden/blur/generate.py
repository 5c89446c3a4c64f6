"""Writes cases.json: BlurPool and MaxBlurPool (Zhang, ICML 2019) transcribed from the paper's code
(antialiased-cnns: BlurPool = pad, then a depthwise conv2d with the normalised outer product of a
binomial row, stride s; MaxBlurPool = MaxPool2d(k, stride=1) then BlurPool) in PyTorch 1.13, forward
and input gradients by autograd. 1D and 3D use conv1d/conv3d with the same separable filter."""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from golden_common import grid_values, layout_case, write_cases  # noqa: E402

RNG = np.random.default_rng(20190609)
BINOMIAL = {1: [1.], 2: [1., 1.], 3: [1., 2., 1.], 4: [1., 3., 3., 1.], 5: [1., 4., 6., 4., 1.],
            6: [1., 5., 10., 10., 5., 1.], 7: [1., 6., 15., 20., 15., 6., 1.]}
PAD_MODE = {'reflect': 'reflect', 'replicate': 'replicate', 'zero': 'constant'}


def blur(x, filter_size, stride, pad_mode):
    """antialiased-cnns BlurPool for any rank: pad [(f-1)//2, ceil((f-1)/2)] per side, depthwise conv."""
    dims = x.dim() - 2
    a = torch.tensor(BINOMIAL[filter_size], dtype=torch.float64)
    filt = a
    for _ in range(dims - 1):
        filt = filt[..., None] * a
    filt = (filt / filt.sum()).to(torch.float32)
    channels = x.shape[1]
    weight = filt[None, None].repeat(channels, *([1] * (dims + 1)))
    before, after = (filter_size - 1) // 2, filter_size - 1 - (filter_size - 1) // 2
    padded = F.pad(x, [before, after] * dims, mode=PAD_MODE[pad_mode]) if filter_size > 1 else x
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[dims]
    return conv(padded, weight, stride=stride, groups=channels)


def max_blur(x, kernel, filter_size, stride, pad_mode):
    pool = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[x.dim() - 2]
    return blur(pool(x, kernel, stride=1), filter_size, stride, pad_mode)


def make_case(name, kind, shape, options, channels_last=False, values=None):
    data = grid_values(RNG, shape) if values is None else np.asarray(values, dtype=np.float32).reshape(shape)
    x = torch.tensor(data, requires_grad=True)
    f, s, mode = options.get('filterSize', 4), options.get('stride', 2), options.get('padMode', 'reflect')
    if kind == 'blur':
        y = blur(x, f, s, mode)
    else:
        y = max_blur(x, options.get('kernelSize', 2), f, s, mode)
    grad_output = torch.tensor(grid_values(RNG, tuple(y.shape), -1, 1))
    y.backward(grad_output)
    full = dict(options, dataFormat='channelsLast' if channels_last else 'channelsFirst')
    return {'name': name, 'kind': kind, 'dims': x.dim() - 2, 'options': full,
            **layout_case(x, y, grad_output, channels_last)}


def main():
    cases = []
    for size in range(1, 8):
        cases.append(make_case(f'blur 2d filterSize {size}', 'blur', (1, 2, 9, 8), {'filterSize': size}))
    cases += [
        make_case('blur 2d default (4) channelsLast', 'blur', (2, 3, 7, 6), {}, channels_last=True),
        make_case('blur 2d stride [1, 3] replicate', 'blur', (1, 2, 6, 8),
                  {'filterSize': 5, 'stride': [1, 3], 'padMode': 'replicate'}),
        make_case('blur 2d zero padding', 'blur', (1, 2, 5, 5), {'filterSize': 3, 'padMode': 'zero'}),
        make_case('blur 2d reflect on the smallest legal input', 'blur', (1, 1, 3, 4), {'filterSize': 5}),
        make_case('blur 2d stride 1 (blur only)', 'blur', (1, 2, 5, 6), {'filterSize': 3, 'stride': 1},
                  channels_last=True),
        make_case('blur 1d', 'blur', (2, 3, 11), {'filterSize': 3, 'stride': 2}, channels_last=True),
        make_case('blur 1d stride 3 filter 7', 'blur', (1, 2, 10), {'filterSize': 7, 'stride': 3}),
        make_case('blur 3d', 'blur', (1, 2, 4, 5, 6), {'filterSize': 3, 'stride': [1, 2, 2]}),
        make_case('blur 3d replicate channelsLast', 'blur', (1, 2, 3, 4, 4),
                  {'filterSize': 4, 'padMode': 'replicate'}, channels_last=True),
        make_case('maxBlur 2d default', 'maxBlur', (2, 2, 8, 8), {}),
        make_case('maxBlur 2d kernel 3 filter 3 channelsLast', 'maxBlur', (1, 3, 9, 7),
                  {'kernelSize': 3, 'filterSize': 3}, channels_last=True),
        make_case('maxBlur 2d ties go to the first', 'maxBlur', (1, 1, 5, 5), {'filterSize': 2},
                  values=np.full((5, 5), 2.0)),
        make_case('maxBlur 1d', 'maxBlur', (2, 2, 12), {'kernelSize': 3, 'filterSize': 5, 'stride': 3}),
        make_case('maxBlur 3d zero padding', 'maxBlur', (1, 2, 5, 5, 5), {'filterSize': 3, 'padMode': 'zero'}),
    ]
    write_cases(__file__, cases)


if __name__ == '__main__':
    main()
