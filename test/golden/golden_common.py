"""Shared by the golden generators of the kinds of issue #14 (BlurPool, S3Pool, wavelet, spectral,
DiffStride, covariance, attention): seeded grid values, poolkit's layouts, float32 encoding and the
JSON writer. Run the generators with /usr/bin/python3 (Debian's python3-torch, PyTorch 1.13)."""
import json
import math
import os

import numpy as np
import torch


def grid_values(rng, shape, low=-4.0, high=4.0):
    """Multiples of 1/64: exact in float32 and short in JSON."""
    return rng.integers(int(low * 64), int(high * 64) + 1, size=shape).astype(np.float32) / np.float32(64)


def encode(array):
    """Float32 values as the shortest decimal that rounds back to the same float32; NaN/inf as strings."""
    flat = np.asarray(array, dtype=np.float64).reshape(-1).astype(np.float32)
    out = []
    for v in flat:
        if math.isnan(v):
            out.append('NaN')
        elif math.isinf(v):
            out.append('Infinity' if v > 0 else '-Infinity')
        else:
            text = repr(v)
            out.append(float(text) if '.' in text or 'e' in text else int(v))
    return out


def to_layout(t, channels_last):
    """NC... (PyTorch) to poolkit's layout: N...C for channelsLast."""
    t = t.detach() if isinstance(t, torch.Tensor) else torch.as_tensor(t)
    return t.permute(0, *range(2, t.dim()), 1) if channels_last else t


def layout_case(x, output, grad_output, channels_last):
    """Input, output, upstream gradient and input gradient in poolkit's layout (x.grad must be filled)."""
    return {
        'inputShape': list(to_layout(x, channels_last).shape),
        'input': encode(to_layout(x, channels_last).numpy()),
        'outputShape': list(to_layout(output, channels_last).shape),
        'output': encode(to_layout(output, channels_last).numpy()),
        'gradOutput': encode(to_layout(grad_output, channels_last).numpy()),
        'gradInput': encode(to_layout(x.grad, channels_last).numpy()),
    }


def write_cases(script, cases, **extra):
    """Writes cases.json beside the generating script."""
    path = os.path.join(os.path.dirname(os.path.abspath(script)), 'cases.json')
    with open(path, 'w') as handle:
        generator = os.path.relpath(os.path.abspath(script), os.path.join(os.path.dirname(__file__), '..', '..'))
        json.dump({'generator': generator, 'torch': torch.__version__, 'cases': cases, **extra}, handle,
                  separators=(',', ':'))
        handle.write('\n')
    print(f'{len(cases)} cases, {os.path.getsize(path)} bytes')
