"""Writes cases.json: AdaPool (Stergiou & Poppe, IEEE TIP 2023) transcribed from the paper's equations
in PyTorch 1.13 (float64), forward and the autograd gradients of the input and of beta, in poolkit's
layouts and option names. Run with /usr/bin/python3 (Debian's python3-torch); seeds are fixed.

Per window of in-bounds cells x_i (mean a): eDSCW = sum e^DSC(x_i, a) x_i / sum e^DSC(x_j, a) with
DSC(p, q) = 2pq / (p^2 + q^2) (1 where p = q = 0), eM = sum e^x_i x_i / sum e^x_j, and
y = beta eDSCW + (1 - beta) eM, beta one per output cell (or one in all)."""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from kind_cases import encode, grid_tensor, tensor_fields, write_cases  # noqa: E402

torch.manual_seed(14)
MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}


def per_axis(value, dims):
    return list(value) if isinstance(value, (list, tuple)) else [value] * dims


def windows(x, dims, options):
    """(cells, mask): every window's cells on a last axis (row-major taps) and 1 where a cell is in
    bounds (0 in padding or ceil-mode overhang); PyTorch's max pooling gives the output size."""
    kernel = per_axis(options['kernelSize'], dims)
    stride = per_axis(options.get('stride', options['kernelSize']), dims)
    padding = per_axis(options.get('padding', 0), dims)
    dilation = per_axis(options.get('dilation', 1), dims)
    out = MAX_POOL[dims](torch.zeros(x.shape), kernel, stride, padding, dilation, options.get('ceilMode', False)).shape[2:]
    spans = [(k - 1) * d + 1 for k, d in zip(kernel, dilation)]
    pads = []
    for axis in reversed(range(dims)):
        needed = (out[axis] - 1) * stride[axis] + spans[axis] - x.shape[2 + axis] - padding[axis]
        pads += [padding[axis], max(needed, padding[axis])]
    cells, mask = F.pad(x, pads), F.pad(torch.ones_like(x), pads)
    for axis in range(dims):
        cells = cells.unfold(2 + axis, spans[axis], stride[axis]).narrow(2 + axis, 0, out[axis])
        mask = mask.unfold(2 + axis, spans[axis], stride[axis]).narrow(2 + axis, 0, out[axis])
    taps = tuple(slice(None, None, d) for d in dilation)
    cells, mask = cells[(Ellipsis,) + taps], mask[(Ellipsis,) + taps]
    return cells.flatten(-dims), mask.flatten(-dims)


def ada_pool(x, beta, dims, options):
    cells, mask = windows(x, dims, options)
    count = mask.sum(-1, keepdim=True)
    mean = (cells * mask).sum(-1, keepdim=True) / count
    norm = cells * cells + mean * mean
    zero = norm == 0
    dice = torch.where(zero, torch.ones_like(norm), 2 * cells * mean / torch.where(zero, torch.ones_like(norm), norm))
    dice_weights = torch.exp(dice) * mask
    edscw = (dice_weights * cells).sum(-1) / dice_weights.sum(-1)
    exponential_weights = torch.exp(cells) * mask
    em = (exponential_weights * cells).sum(-1) / exponential_weights.sum(-1)
    return beta * edscw + (1 - beta) * em


def make_case(name, dims, shape, options, channels_last=False, beta_per_cell=True, values=None):
    x = (grid_tensor(shape) if values is None else values).clone().requires_grad_(True)
    out = MAX_POOL[dims](torch.zeros(shape), **{'kernel_size': options['kernelSize'],
                                                'stride': options.get('stride', options['kernelSize']),
                                                'padding': options.get('padding', 0),
                                                'dilation': options.get('dilation', 1),
                                                'ceil_mode': options.get('ceilMode', False)}).shape[2:]
    beta_shape = list(out) if beta_per_cell else [1]
    beta = grid_tensor(beta_shape, 0.0, 1.0).requires_grad_(True)
    output = ada_pool(x, beta, dims, options)
    grad_output = grid_tensor(tuple(output.shape), -1.0, 1.0)
    output.backward(grad_output)
    return {
        'name': name, 'dims': dims, **tensor_fields(options, x, output, grad_output, channels_last),
        'betaShape': beta_shape, 'beta': encode(beta), 'gradBeta': encode(beta.grad),
    }


def main():
    relu = grid_tensor((1, 2, 6, 6)).clamp(min=0)
    cases = [
        make_case('2d 2x2 (the paper), beta per cell', 2, (2, 3, 6, 8), {'kernelSize': 2}),
        make_case('2d 3x3 stride 2 padding 1, one beta, channelsLast', 2, (1, 3, 7, 6),
                  {'kernelSize': 3, 'stride': 2, 'padding': 1}, channels_last=True, beta_per_cell=False),
        make_case('2d dilation 2 padding 1 ceil mode', 2, (1, 2, 7, 8),
                  {'kernelSize': 3, 'stride': 2, 'padding': 1, 'dilation': 2, 'ceilMode': True}),
        make_case('2d ReLU-like input: zero cells and all-zero windows', 2, (1, 2, 6, 6),
                  {'kernelSize': 2, 'stride': 1}, channels_last=True, values=relu),
        make_case('1d 3 stride 2 ceil mode, channelsLast', 1, (2, 3, 10),
                  {'kernelSize': 3, 'stride': 2, 'ceilMode': True}, channels_last=True),
        make_case('3d 2x2x2 stride [1, 2, 2]', 3, (1, 2, 3, 4, 5), {'kernelSize': 2, 'stride': [1, 2, 2]}),
    ]
    write_cases(__file__, cases)


if __name__ == '__main__':
    main()
