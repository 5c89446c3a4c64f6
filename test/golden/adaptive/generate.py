# Golden cases for adaptive pooling, global pooling and max unpooling, computed with PyTorch 1.13.
# Run: /usr/bin/python3 test/golden/adaptive/generate.py  (writes cases.json beside this file).
# Each case: the op, its poolkit options, input (and indices), PyTorch's output (and indices), a
# random upstream gradient and PyTorch's input gradient. Channels-last cases are computed in NC...
# layout and permuted, so poolkit's channelsLast path is checked against the same numbers.
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(20261123)
CASES = []


def encode(tensor):
    """Shortest float32 text per value (exact round trip); non-finite values as strings."""
    values = tensor.detach().to(torch.float32).flatten().tolist()
    out = []
    for value in values:
        if np.isnan(value):
            out.append('NaN')
        elif np.isinf(value):
            out.append('Infinity' if value > 0 else '-Infinity')
        else:
            out.append(float(str(np.float32(value))))
    return out


def to_last(tensor):
    """NC... → N...C."""
    return tensor.permute(0, *range(2, tensor.dim()), 1)


def record(name, op, options, fn, inputs, channels_last, extra_input=None):
    """Runs fn on inputs[0] (NC... layout), records forward and backward in the requested layout."""
    x = inputs.clone().requires_grad_(True)
    result = fn(x)
    output, indices = result if isinstance(result, tuple) else (result, None)
    grad_output = torch.randn(output.shape)
    output.backward(grad_output)
    layout = to_last if channels_last else (lambda t: t)
    case = {
        'name': name + (' (channelsLast)' if channels_last else ' (channelsFirst)'),
        'op': op,
        'options': dict(options, dataFormat='channelsLast' if channels_last else 'channelsFirst'),
        'inputShape': list(layout(inputs).shape),
        'input': encode(layout(inputs)),
        'outputShape': list(layout(output).shape),
        'output': encode(layout(output)),
        'gradOutput': encode(layout(grad_output)),
        'gradInput': encode(layout(x.grad)),
    }
    if indices is not None:
        case['outputIndices'] = layout(indices).flatten().tolist()
    if extra_input is not None:
        case['indices'] = layout(extra_input).flatten().tolist()
    CASES.append(case)


def both_layouts(name, op, options, fn, inputs, extra_input=None):
    for channels_last in (False, True):
        record(name, op, options, fn, inputs, channels_last, extra_input)


def adaptive_cases():
    torch_max = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}
    torch_avg = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}
    shapes = [
        ((2, 3, 7), [3]),
        ((2, 2, 5), [4]),
        ((1, 2, 10), [7]),
        ((2, 2, 3), [5]),  # output larger than input
        ((2, 2, 7, 5), [3, 4]),
        ((1, 3, 10, 6), [7, None]),
        ((2, 2, 3, 2), [5, 4]),  # larger on both axes
        ((1, 2, 6, 6), [3, 3]),  # divides
        ((1, 2, 4, 3, 5), [3, 2, 4]),
        ((1, 2, 5, 7, 4), [2, None, 3]),
        ((1, 2, 2, 3, 3), [3, 5, 2]),  # larger on two axes
    ]
    for shape, size in shapes:
        dims = len(size)
        x = torch.randn(shape)
        torch_size = tuple(size)
        label = f'{list(shape)} -> {size}'.replace('None', 'null')
        both_layouts(
            f'adaptiveMaxPool{dims}d {label}',
            f'adaptiveMaxPool{dims}d',
            {'outputSize': size, 'returnIndices': True},
            lambda t, d=dims, s=torch_size: torch_max[d](t, s if d > 1 else s[0], return_indices=True),
            x,
        )
        both_layouts(
            f'adaptiveAvgPool{dims}d {label}',
            f'adaptiveAvgPool{dims}d',
            {'outputSize': size},
            lambda t, d=dims, s=torch_size: torch_avg[d](t, s if d > 1 else s[0]),
            x,
        )


def nan_and_tie_cases():
    # Small integers tie often; NaN placed in a few windows (also two NaN in one window).
    x = torch.randint(0, 3, (2, 2, 7, 6)).to(torch.float32)
    x[0, 0, 1, 1] = float('nan')
    x[0, 1, 5, 4] = float('nan')
    x[0, 1, 6, 5] = float('nan')
    x[1, 0, 0, 0] = float('-inf')
    both_layouts(
        'adaptiveMaxPool2d ties and NaN [2, 2, 7, 6] -> [3, 4]',
        'adaptiveMaxPool2d',
        {'outputSize': [3, 4], 'returnIndices': True},
        lambda t: F.adaptive_max_pool2d(t, (3, 4), return_indices=True),
        x,
    )
    y = torch.randint(0, 2, (1, 2, 3, 4, 5)).to(torch.float32)
    y[0, 0, 2, 3, 4] = float('nan')
    both_layouts(
        'adaptiveMaxPool3d ties and NaN [1, 2, 3, 4, 5] -> [2, 3, 3]',
        'adaptiveMaxPool3d',
        {'outputSize': [2, 3, 3], 'returnIndices': True},
        lambda t: F.adaptive_max_pool3d(t, (2, 3, 3), return_indices=True),
        y,
    )


def global_cases():
    for shape in [(2, 3, 9), (2, 3, 5, 4), (1, 2, 3, 4, 2)]:
        spatial = tuple(range(2, len(shape)))
        x = torch.randn(shape)
        for keep in (False, True):
            options = {'keepDims': keep}
            both_layouts(
                f'globalMaxPool {list(shape)} keepDims {keep}',
                'globalMaxPool',
                options,
                lambda t, k=keep, s=spatial: torch.amax(t, dim=s, keepdim=k),
                x,
            )
            both_layouts(
                f'globalAvgPool {list(shape)} keepDims {keep}',
                'globalAvgPool',
                options,
                lambda t, k=keep, s=spatial: torch.mean(t, dim=s, keepdim=k),
                x,
            )
        for p in (1, 2, 3, 2.5):
            both_layouts(
                f'globalLpPool p={p} {list(shape)}',
                'globalLpPool',
                {'p': p},
                lambda t, q=p, s=spatial: torch.linalg.vector_norm(t, ord=q, dim=s),
                x,
            )


def unpool_cases():
    torch_pool = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
    torch_unpool = {1: F.max_unpool1d, 2: F.max_unpool2d, 3: F.max_unpool3d}
    settings = [
        # (input shape of the max pool, kernel, stride, padding, ceil mode, explicit output size)
        ((2, 2, 8), [2], [2], [0], False, None),
        ((2, 2, 9), [3], [2], [1], False, [9]),
        ((2, 2, 6, 8), [2, 2], [2, 2], [0, 0], False, None),
        ((2, 2, 7, 5), [2, 2], [2, 2], [0, 0], False, [7, 5]),
        ((1, 2, 7, 7), [3, 3], [2, 2], [1, 1], False, None),  # overlapping windows: repeated indices
        ((1, 2, 6, 5), [2, 3], [2, 2], [1, 1], True, [6, 5]),
        ((1, 2, 4, 4, 6), [2, 2, 2], [2, 2, 2], [0, 0, 0], False, None),
        ((1, 2, 5, 4, 5), [2, 2, 3], [2, 2, 2], [0, 1, 1], False, [5, 4, 5]),
    ]
    for shape, kernel, stride, padding, ceil_mode, output_size in settings:
        dims = len(kernel)
        pooled, indices = torch_pool[dims](
            torch.randn(shape), kernel, stride, padding, ceil_mode=ceil_mode, return_indices=True
        )
        options = {'kernelSize': kernel, 'stride': stride, 'padding': padding}
        if output_size is not None:
            options['outputSize'] = output_size
        both_layouts(
            f'maxUnpool{dims}d {list(pooled.shape)} k{kernel} s{stride} p{padding} outputSize {output_size}',
            f'maxUnpool{dims}d',
            options,
            lambda t, d=dims, i=indices, o=output_size: torch_unpool[d](
                t, i, kernel, stride, padding, output_size=o
            ),
            pooled,
            indices,
        )


adaptive_cases()
nan_and_tie_cases()
global_cases()
unpool_cases()
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'cases.json')
with open(path, 'w') as file:
    json.dump({'torch': torch.__version__, 'cases': CASES}, file, separators=(',', ':'))
print(f'{len(CASES)} cases, {os.path.getsize(path)} bytes')
