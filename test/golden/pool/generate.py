"""Writes cases.json: max, avg and Lp pooling computed by PyTorch 1.13 (CPU, float32), forward and
input gradients, in poolkit's layouts and option names. Run with /usr/bin/python3 (Debian's
python3-torch); the seeds are fixed, so the output is reproducible."""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(0)
RNG = np.random.default_rng(20240517)
POOL = {
    ('max', 1): F.max_pool1d, ('max', 2): F.max_pool2d, ('max', 3): F.max_pool3d,
    ('avg', 1): F.avg_pool1d, ('avg', 2): F.avg_pool2d, ('avg', 3): F.avg_pool3d,
}


def grid_values(shape, low=-4.0, high=4.0):
    """Multiples of 1/64: exact in float32 and short in JSON."""
    return RNG.integers(int(low * 64), int(high * 64) + 1, size=shape).astype(np.float32) / np.float32(64)


def encode(array):
    """Float32 values as the shortest decimal that rounds back to the same float32; NaN/inf as strings."""
    flat = np.asarray(array).reshape(-1)
    if flat.dtype.kind == 'i':
        return [int(v) for v in flat]
    out = []
    for v in flat.astype(np.float32):
        if math.isnan(v):
            out.append('NaN')
        elif math.isinf(v):
            out.append('Infinity' if v > 0 else '-Infinity')
        else:
            out.append(float(repr(v)) if '.' in repr(v) or 'e' in repr(v) else int(v))
    return out


def to_layout(t, channels_last):
    """NC... (PyTorch) to poolkit's layout: N...C for channelsLast."""
    if not channels_last:
        return t
    return t.permute(0, *range(2, t.dim()), 1)


def lp_pool(x, p, kernel, stride, ceil_mode, dims):
    """PyTorch's lp_pool formula (torch/nn/functional.py), also for 3D, which 1.13 lacks."""
    avg = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[dims]
    out = avg(x.pow(p), kernel, stride, 0, ceil_mode)
    volume = int(np.prod([kernel] * dims if isinstance(kernel, int) else kernel))
    return (torch.sign(out) * F.relu(torch.abs(out))).mul(volume).pow(1.0 / p)


def lp_definition(x, p, kernel, stride, padding, ceil_mode, dims, dilation=1):
    """ONNX LpPool's definition built from PyTorch ops: (sum of |x|^p over in-bounds cells)^(1/p).
    divisor_override=1 turns avg_pool into a sum with zero padding; unfold handles dilation (2D)."""
    powered = x.abs().pow(p)
    if dilation == 1:
        avg = {2: F.avg_pool2d, 3: F.avg_pool3d}[dims]
        total = avg(powered, kernel, stride, padding, ceil_mode, True, 1)
    else:
        columns = F.unfold(powered, kernel, dilation, padding, stride)
        size = [(n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1 for n in x.shape[2:]]
        total = columns.view(x.shape[0], x.shape[1], kernel * kernel, -1).sum(2).view(*x.shape[:2], *size)
    return total.pow(1.0 / p)


def torch_options(options):
    """poolkit option names to PyTorch keyword arguments for max/avg pooling."""
    names = {'kernelSize': 'kernel_size', 'stride': 'stride', 'padding': 'padding', 'dilation': 'dilation',
             'ceilMode': 'ceil_mode', 'countIncludePad': 'count_include_pad',
             'divisorOverride': 'divisor_override'}
    return {names[k]: tuple(v) if isinstance(v, list) else v for k, v in options.items() if k in names}


def make_case(name, op, dims, shape, options, values=None, channels_last=False):
    """shape is PyTorch's NC...; the case stores poolkit's layout and options."""
    data = grid_values(shape) if values is None else np.asarray(values, dtype=np.float32).reshape(shape)
    x = torch.tensor(data, requires_grad=True)
    indices = None
    if op == 'max':
        output, indices = POOL[(op, dims)](x, return_indices=True, **torch_options(options))
    elif op == 'avg':
        output = POOL[(op, dims)](x, **torch_options(options))
    elif 'onnx' in name:
        output = lp_definition(x, options['p'], options['kernelSize'], options.get('stride'),
                               options.get('padding', 0), options.get('ceilMode', False), dims,
                               options.get('dilation', 1))
    else:
        output = lp_pool(x, options['p'], options['kernelSize'], options.get('stride'),
                         options.get('ceilMode', False), dims)
    grad_output = torch.tensor(grid_values(tuple(output.shape), -1, 1))
    output.backward(grad_output)
    full = dict(options, dataFormat='channelsLast' if channels_last else 'channelsFirst')
    if op == 'max':
        full['returnIndices'] = True
    case = {
        'name': name, 'op': op, 'dims': dims, 'options': full,
        'inputShape': list(to_layout(x, channels_last).shape),
        'input': encode(to_layout(x.detach(), channels_last).numpy()),
        'output': encode(to_layout(output.detach(), channels_last).numpy()),
        'gradOutput': encode(to_layout(grad_output, channels_last).numpy()),
        'gradInput': encode(to_layout(x.grad, channels_last).numpy()),
    }
    if indices is not None:
        case['indices'] = encode(to_layout(indices, channels_last).numpy())
    return case


def max_cases():
    nan_tie = np.array([[1, 3, 3, 0], [float('nan'), 2, 3, float('nan')], [5, 5, 1, 1], [5, 5, 0, 2]])
    return [
        make_case('max 2d 2x2 stride 2', 'max', 2, (2, 3, 4, 6), {'kernelSize': 2}),
        make_case('max 2d 3x3 stride 2 padding 1 channelsLast', 'max', 2, (2, 3, 7, 6),
                  {'kernelSize': 3, 'stride': 2, 'padding': 1}, channels_last=True),
        make_case('max 2d ceil mode drops window starting in right padding', 'max', 2, (1, 2, 3, 5),
                  {'kernelSize': 2, 'stride': 2, 'padding': 1, 'ceilMode': True}),
        make_case('max 2d ceil mode overhang, no padding', 'max', 2, (1, 2, 5, 7),
                  {'kernelSize': 3, 'stride': 2, 'ceilMode': True}, channels_last=True),
        make_case('max 2d dilation 2 padding 1', 'max', 2, (1, 2, 7, 8),
                  {'kernelSize': 3, 'stride': 1, 'padding': 1, 'dilation': 2}),
        make_case('max 2d dilation [2, 3] ceil mode channelsLast', 'max', 2, (1, 2, 8, 9),
                  {'kernelSize': [2, 3], 'stride': [2, 3], 'dilation': [2, 3], 'ceilMode': True, 'padding': [1, 1]},
                  channels_last=True),
        make_case('max 2d NaN propagates (last NaN) and ties go to the first', 'max', 2, (1, 1, 4, 4),
                  {'kernelSize': 2}, values=nan_tie),
        make_case('max 2d overlapping ties', 'max', 2, (1, 1, 4, 4),
                  {'kernelSize': 3, 'stride': 1, 'padding': 1}, values=np.full((4, 4), 2.0)),
        make_case('max 2d all-negative input with padding', 'max', 2, (1, 2, 5, 5),
                  {'kernelSize': 3, 'stride': 2, 'padding': 1}, values=-np.abs(grid_values((1, 2, 5, 5))) - 1),
        make_case('max 2d 1x1 window', 'max', 2, (1, 2, 3, 4), {'kernelSize': 1}, channels_last=True),
        make_case('max 2d window as large as the input', 'max', 2, (2, 2, 3, 4), {'kernelSize': [3, 4]}),
        make_case('max 2d stride larger than the window', 'max', 2, (1, 2, 7, 7), {'kernelSize': 2, 'stride': 3}),
        make_case('max 1d', 'max', 1, (2, 3, 9), {'kernelSize': 3, 'stride': 2, 'padding': 1}),
        make_case('max 1d ceil mode dilation channelsLast', 'max', 1, (2, 3, 10),
                  {'kernelSize': 2, 'stride': 3, 'dilation': 2, 'ceilMode': True}, channels_last=True),
        make_case('max 1d NaN and -inf', 'max', 1, (1, 1, 6), {'kernelSize': 3},
                  values=[float('-inf'), float('-inf'), float('-inf'), 1, float('nan'), 2]),
        make_case('max 1d two NaN in a window: the last is the argmax; ties', 'max', 1, (1, 2, 6), {'kernelSize': 3},
                  values=[float('nan'), 1, float('nan'), 0, 5, 5, 4, 4, 4, float('nan'), -1, float('nan')],
                  channels_last=True),
        make_case('max 3d', 'max', 3, (1, 2, 4, 5, 5), {'kernelSize': 2, 'stride': [1, 2, 2]}),
        make_case('max 3d padding ceil mode channelsLast', 'max', 3, (1, 2, 4, 5, 5),
                  {'kernelSize': [2, 3, 3], 'stride': 2, 'padding': [1, 1, 0], 'ceilMode': True}, channels_last=True),
        make_case('max 3d dilation', 'max', 3, (1, 1, 5, 5, 6), {'kernelSize': 2, 'stride': 1, 'dilation': [1, 2, 3]}),
    ]


def avg_cases():
    cases = []
    for include in (True, False):
        tag = 'countIncludePad ' + str(include).lower()
        cases += [
            make_case(f'avg 2d padding 1 {tag}', 'avg', 2, (2, 2, 5, 6),
                      {'kernelSize': 3, 'stride': 2, 'padding': 1, 'countIncludePad': include}),
            make_case(f'avg 2d ceil mode overhang {tag} channelsLast', 'avg', 2, (1, 3, 5, 7),
                      {'kernelSize': 3, 'stride': 2, 'padding': 1, 'ceilMode': True, 'countIncludePad': include},
                      channels_last=True),
            make_case(f'avg 1d ceil mode {tag}', 'avg', 1, (2, 2, 8),
                      {'kernelSize': 3, 'stride': 2, 'padding': 1, 'ceilMode': True, 'countIncludePad': include}),
            make_case(f'avg 3d padding ceil mode {tag}', 'avg', 3, (1, 2, 4, 5, 5),
                      {'kernelSize': [2, 3, 3], 'stride': 2, 'padding': [1, 1, 0], 'ceilMode': True,
                       'countIncludePad': include}, channels_last=not include),
        ]
    cases += [
        make_case('avg 2d default countIncludePad with padding', 'avg', 2, (1, 2, 4, 4),
                  {'kernelSize': 3, 'stride': 1, 'padding': 1}),
        make_case('avg 2d ceil mode drops window starting in right padding', 'avg', 2, (1, 1, 3, 5),
                  {'kernelSize': 2, 'stride': 2, 'padding': 1, 'ceilMode': True}),
        make_case('avg 2d divisorOverride 3', 'avg', 2, (1, 2, 5, 5),
                  {'kernelSize': 3, 'stride': 2, 'padding': 1, 'divisorOverride': 3, 'ceilMode': True}),
        make_case('avg 2d divisorOverride -2 channelsLast', 'avg', 2, (1, 2, 4, 4),
                  {'kernelSize': 2, 'divisorOverride': -2}, channels_last=True),
        make_case('avg 3d divisorOverride 5', 'avg', 3, (1, 1, 3, 4, 4),
                  {'kernelSize': 2, 'stride': 1, 'padding': 1, 'divisorOverride': 5}),
        make_case('avg 2d 1x1 window', 'avg', 2, (1, 2, 3, 3), {'kernelSize': 1}),
        make_case('avg 2d window as large as the input', 'avg', 2, (2, 3, 3, 4), {'kernelSize': [3, 4]},
                  channels_last=True),
        make_case('avg 2d stride larger than the window', 'avg', 2, (1, 2, 7, 8), {'kernelSize': 2, 'stride': 3}),
        make_case('avg 2d all-negative input', 'avg', 2, (1, 2, 4, 4), {'kernelSize': 2, 'stride': 1},
                  values=-np.abs(grid_values((1, 2, 4, 4))) - 1),
        make_case('avg 3d channelsLast', 'avg', 3, (2, 2, 3, 4, 4), {'kernelSize': [1, 2, 2]}, channels_last=True),
    ]
    return cases


def away_from_zero(shape):
    """Mixed signs with |x| >= 0.25, so no window's norm is near the kink at 0."""
    values = grid_values(shape)
    return np.where(values >= 0, values + 0.25, values - 0.25)


def lp_cases():
    positive = lambda shape: np.abs(grid_values(shape)) + 0.25
    return [
        make_case('lp 2d p=2 mixed signs', 'lp', 2, (2, 2, 4, 6), {'p': 2, 'kernelSize': 2}),
        make_case('lp 2d p=2 overlapping channelsLast', 'lp', 2, (1, 3, 5, 5),
                  {'p': 2, 'kernelSize': 3, 'stride': 1}, channels_last=True),
        make_case('lp 2d p=3 non-negative', 'lp', 2, (1, 2, 6, 6),
                  {'p': 3, 'kernelSize': [2, 3], 'stride': [2, 1]}, values=positive((1, 2, 6, 6))),
        make_case('lp 2d p=1.5 non-negative stride larger than window', 'lp', 2, (1, 2, 7, 7),
                  {'p': 1.5, 'kernelSize': 2, 'stride': 3}, values=positive((1, 2, 7, 7))),
        make_case('lp 2d p=1 non-negative window as large as the input', 'lp', 2, (1, 2, 3, 4),
                  {'p': 1, 'kernelSize': [3, 4]}, values=positive((1, 2, 3, 4))),
        make_case('lp 2d p=2 ceil mode without overhang', 'lp', 2, (1, 2, 5, 5),
                  {'p': 2, 'kernelSize': 3, 'stride': 2, 'ceilMode': True}),
        make_case('lp 1d p=2', 'lp', 1, (2, 3, 9), {'p': 2, 'kernelSize': 3, 'stride': 2}),
        make_case('lp 1d p=3 non-negative channelsLast', 'lp', 1, (2, 3, 8),
                  {'p': 3, 'kernelSize': 2}, values=positive((2, 3, 8)), channels_last=True),
        make_case('lp 3d p=2 (PyTorch formula)', 'lp', 3, (1, 2, 4, 4, 4), {'p': 2, 'kernelSize': 2}),
        make_case('lp 3d p=1.5 non-negative channelsLast', 'lp', 3, (1, 2, 3, 4, 5),
                  {'p': 1.5, 'kernelSize': [1, 2, 2], 'stride': [1, 2, 1]}, values=positive((1, 2, 3, 4, 5)),
                  channels_last=True),
        make_case('lp 2d p=2 1x1 window is |x|', 'lp', 2, (1, 2, 3, 3), {'p': 2, 'kernelSize': 1}),
        # ONNX's definition (|x|^p, padding adds 0), computed with PyTorch ops where lp_pool cannot.
        make_case('lp 2d p=3 mixed signs (onnx definition)', 'lp', 2, (1, 2, 4, 6),
                  {'p': 3, 'kernelSize': 2}, values=away_from_zero((1, 2, 4, 6))),
        make_case('lp 2d p=1.5 padding ceil mode overhang (onnx definition)', 'lp', 2, (1, 2, 5, 6),
                  {'p': 1.5, 'kernelSize': 3, 'stride': 2, 'padding': 1, 'ceilMode': True},
                  values=away_from_zero((1, 2, 5, 6)), channels_last=True),
        make_case('lp 2d p=2 dilation padding (onnx definition)', 'lp', 2, (1, 2, 7, 7),
                  {'p': 2, 'kernelSize': 3, 'stride': 2, 'padding': 1, 'dilation': 2},
                  values=away_from_zero((1, 2, 7, 7))),
        make_case('lp 3d p=3 padding (onnx definition)', 'lp', 3, (1, 2, 3, 4, 4),
                  {'p': 3, 'kernelSize': 2, 'stride': 2, 'padding': 1}, values=away_from_zero((1, 2, 3, 4, 4))),
    ]


def lp_differences():
    """Where PyTorch's lp_pool2d departs from poolkit (ONNX's definition), with the factor that
    explains it: in ceil mode an overhanging window is scaled by (kernelVolume / inBounds)^(1/p)."""
    x = torch.tensor(np.abs(grid_values((1, 2, 5, 5))) + 0.25)
    p, kernel, stride = 2, 2, 2
    torch_out = F.lp_pool2d(x, p, kernel, stride, ceil_mode=True)
    in_bounds = F.avg_pool2d(torch.ones_like(x), kernel, stride, 0, True, True, 1)
    scale = (kernel * kernel / in_bounds).pow(1.0 / p)
    negative = torch.tensor(grid_values((1, 1, 4, 4)))
    return [
        {'name': 'PyTorch lp_pool2d scales ceil-mode overhang windows', 'options': {
            'p': p, 'kernelSize': kernel, 'stride': stride, 'ceilMode': True, 'dataFormat': 'channelsFirst'},
         'inputShape': list(x.shape), 'input': encode(x.numpy()), 'pytorchOutput': encode(torch_out.numpy()),
         'scale': encode(scale.numpy())},
        {'name': 'PyTorch lp_pool2d with p=3 has no absolute value (NaN for a negative sum)', 'options': {
            'p': 3, 'kernelSize': 2, 'dataFormat': 'channelsFirst'},
         'inputShape': list(negative.shape), 'input': encode(negative.numpy()),
         'pytorchOutput': encode(F.lp_pool2d(negative, 3, 2).numpy())},
    ]


def geometry_cases(count=400):
    """[in, kernel, stride, padding, dilation, ceilMode, out] for 1D windows as PyTorch's max_pool1d sizes
    them; out is 0 where PyTorch raises or returns an empty tensor."""
    rows = []
    for _ in range(count):
        size, kernel, stride = int(RNG.integers(1, 13)), int(RNG.integers(1, 6)), int(RNG.integers(1, 5))
        padding, dilation, ceil = int(RNG.integers(0, kernel // 2 + 2)), int(RNG.integers(1, 4)), bool(RNG.integers(0, 2))
        try:
            out = F.max_pool1d(torch.zeros(1, 1, size), kernel, stride, padding, dilation, ceil).shape[-1]
        except RuntimeError:
            out = 0
        rows.append([size, kernel, stride, padding, dilation, ceil, out])
    return rows


def main():
    cases = max_cases() + avg_cases() + lp_cases()
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'cases.json')
    with open(path, 'w') as handle:
        json.dump({'generator': 'test/golden/pool/generate.py', 'torch': torch.__version__, 'cases': cases,
                   'lpDifferences': lp_differences(), 'geometry': geometry_cases()},
                  handle, separators=(',', ':'))
        handle.write('\n')
    print(f'{len(cases)} cases, {os.path.getsize(path)} bytes')


if __name__ == '__main__':
    main()
