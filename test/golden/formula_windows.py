"""Shared by the golden scripts of the formula-defined kinds (test/golden/<kind>/generate.py): the
windows of a pooling as a PyTorch tensor, so each script can transcribe its paper's equation over the
last axis and let autograd give the gradients. Run the scripts with /usr/bin/python3 (PyTorch 1.13).
encode() and to_layout() are pool/generate.py's: one JSON encoding and layout for every golden file.

windows() follows poolkit's geometry: explicit padding [before, after] per axis or TensorFlow's
'same', dilation, and PyTorch's ceil mode; taps are in window (row-major) order; the mask is 1 for
in-bounds cells and 0 for padding, whose values are 0 (each formula keeps them out with the mask)."""
import json
import math
import os

import numpy as np
import torch

from pool.generate import encode, to_layout  # noqa: F401 (re-exported to the kind scripts)

RNG = np.random.default_rng(20240914)


def per_axis(value, dims):
    return list(value) if isinstance(value, (list, tuple)) else [value] * dims


def axis_pads(size, kernel, stride, dilation, padding, ceil_mode):
    """(before, after, extra after for ceil mode, output size) of one axis, poolkit's rules."""
    extent = (kernel - 1) * dilation + 1
    if padding == 'same':
        out = -(-size // stride)
        total = max(0, (out - 1) * stride + extent - size)
        return total // 2, total - total // 2, 0, out
    before, after = padding
    span = size + before + after - extent
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + before:
        out -= 1
    extra = max(0, (out - 1) * stride + extent - (size + before + after))
    return before, after, extra, out


def windows(x, options):
    """x: [N, C, *spatial] (PyTorch's layout). Returns values and mask, [N, C, *out, taps]."""
    dims = x.dim() - 2
    kernel = per_axis(options['kernelSize'], dims)
    stride = per_axis(options.get('stride', options['kernelSize']), dims)
    dilation = per_axis(options.get('dilation', 1), dims)
    padding = options.get('padding', 'valid')
    if padding == 'valid':
        padding = 0
    pads = ['same'] * dims if padding == 'same' else [
        tuple(p) if isinstance(p, (list, tuple)) else (p, p) for p in per_axis(padding, dims)]
    axes = [axis_pads(x.shape[2 + axis], kernel[axis], stride[axis], dilation[axis], pads[axis],
                      options.get('ceilMode', False)) for axis in range(dims)]
    spec = [amount for before, after, extra, _ in reversed(axes) for amount in (before, after + extra)]
    values = torch.nn.functional.pad(x, spec)
    mask = torch.nn.functional.pad(torch.ones_like(x), spec)
    for axis in range(dims):
        extent = (kernel[axis] - 1) * dilation[axis] + 1
        values = values.unfold(2 + axis, extent, stride[axis])[..., ::dilation[axis]]
        mask = mask.unfold(2 + axis, extent, stride[axis])[..., ::dilation[axis]]
    taps = int(np.prod(kernel))
    flat = lambda t: t.reshape(*t.shape[:2 + dims], taps)
    # unfold appends one window axis per spatial axis after the output axes: [N, C, *out, k1, .., kd]
    return flat(values), flat(mask)


def scalar_parameter(parameter, dims):
    """A parameter of shape [1] or [C] shaped to broadcast against [N, C, *out, taps]."""
    return parameter.reshape(1, -1, *([1] * dims), 1)


def rank_parameter(weights, dims):
    """Rank weights of shape [taps] or [C, taps] shaped to broadcast against [N, C, *out, taps]."""
    channels = weights.shape[0] if weights.dim() == 2 else 1
    return weights.reshape(1, channels, *([1] * dims), weights.shape[-1])


def check_windows(x, options):
    """The masked max of windows() must be PyTorch's max pooling (explicit padding, dilation, ceil mode)."""
    padding = options.get('padding', 'valid')
    dims = x.dim() - 2
    pads = per_axis(0 if padding == 'valid' else padding, dims)
    if padding == 'same' or any(isinstance(p, (list, tuple)) for p in pads):
        return
    pool = {1: torch.nn.functional.max_pool1d, 2: torch.nn.functional.max_pool2d,
            3: torch.nn.functional.max_pool3d}[dims]
    expected = pool(x, options['kernelSize'], options.get('stride'), pads, options.get('dilation', 1),
                    options.get('ceilMode', False))
    values, mask = windows(x, options)
    got = torch.where(mask > 0, values, torch.tensor(-math.inf, dtype=x.dtype)).max(-1).values
    assert torch.equal(got, expected), f'windows() disagrees with max pooling for {options}'


def grid_values(shape, low=-4.0, high=4.0):
    """Multiples of 1/64: exact in float32 and short in JSON."""
    return RNG.integers(int(low * 64), int(high * 64) + 1, size=shape).astype(np.float32) / np.float32(64)


def distinct_values(shape, gap=1 / 16):
    """Distinct multiples of `gap` in random order, centred on 0: no ties, so selections are unique."""
    count = int(np.prod(shape))
    order = RNG.permutation(count)
    return ((order - count // 2) * gap).astype(np.float32).reshape(shape)


def make_case(name, op, formula, shape, options, parameters=(), values=None, channels_last=False, extra=None):
    """Runs `formula(x, *parameters)` (float64, PyTorch's layout) and its backward for a random upstream
    gradient; the case holds poolkit's layout and options, the parameters and their gradients."""
    data = grid_values(shape) if values is None else np.asarray(values, dtype=np.float32).reshape(shape)
    x = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    leaves = [torch.tensor(np.asarray(p['values'], dtype=np.float32).reshape(p['shape']), dtype=torch.float64,
                           requires_grad=True) for p in parameters]
    if 'kernelSize' in options and not np.isnan(data).any():
        check_windows(x.detach(), options)
    output = formula(x, *leaves)
    grad_output = torch.tensor(grid_values(tuple(output.shape), -1, 1), dtype=torch.float64)
    output.backward(grad_output)
    case = {
        'name': name, 'op': op, 'options': dict(options, dataFormat='channelsLast' if channels_last else 'channelsFirst'),
        'inputShape': list(to_layout(x, channels_last).shape),
        'input': encode(to_layout(x.detach(), channels_last).numpy()),
        'parameters': [{'name': p['name'], 'shape': list(p['shape']), 'values': encode(p['values'])}
                       for p in parameters],
        'outputShape': list(to_layout(output, channels_last).shape),
        'output': encode(to_layout(output.detach(), channels_last).numpy()),
        'gradOutput': encode(to_layout(grad_output, channels_last).numpy()),
        'gradInput': encode(to_layout(x.grad, channels_last).numpy()),
        'gradParameters': [encode(leaf.grad.numpy()) for leaf in leaves],
    }
    case.update(extra or {})
    return case


def write_cases(script, cases):
    """Writes cases.json beside the calling script."""
    folder = os.path.dirname(os.path.abspath(script))
    generator = os.path.relpath(os.path.abspath(script), os.path.join(folder, '..', '..', '..'))
    with open(os.path.join(folder, 'cases.json'), 'w') as handle:
        json.dump({'generator': generator, 'torch': torch.__version__, 'cases': cases}, handle,
                  separators=(',', ':'))
        handle.write('\n')
    print(f'{len(cases)} cases written to {os.path.join(folder, "cases.json")}')
