"""What the golden generators of the kinds added for issue #14 share (lip, ada-pool, roi-align,
roi-pool): pool/generate.py's float32 encoding and grid values, layouts, and writing cases.json
beside a generator. Import with sys.path set to this folder."""
import importlib.util
import json
import os

import torch

_POOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'pool', 'generate.py')
_SPEC = importlib.util.spec_from_file_location('pool_golden', _POOL)
_pool = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_pool)
grid_values = _pool.grid_values


def encode(tensor):
    """A tensor's values as float32 JSON numbers (shortest round trip; NaN and ±Infinity as strings)."""
    return _pool.encode(tensor.detach().to(torch.float32).numpy())


def layout(tensor, channels_last):
    """NC... (PyTorch's layout) to poolkit's N...C when channels_last."""
    return _pool.to_layout(tensor, channels_last)


def grid_tensor(shape, low=-4.0, high=4.0, dtype=torch.float64):
    """Multiples of 1/64 in [low, high]: exact in float32, so poolkit reads the very same inputs."""
    return torch.tensor(grid_values(tuple(shape), low, high), dtype=dtype)


def tensor_fields(options, x, output, grad_output, channels_last):
    """A case's options (with its data format), input, output, upstream gradient and input gradient, in
    poolkit's layout; x is the leaf after backward."""
    return {
        'options': dict(options, dataFormat='channelsLast' if channels_last else 'channelsFirst'),
        'inputShape': list(layout(x, channels_last).shape), 'input': encode(layout(x, channels_last)),
        'output': encode(layout(output, channels_last)), 'gradOutput': encode(layout(grad_output, channels_last)),
        'gradInput': encode(layout(x.grad, channels_last)),
    }


def write_cases(generator, cases, **extra):
    """Writes {generator, torch, cases, ...extra} to cases.json beside the generator file."""
    path = os.path.join(os.path.dirname(os.path.abspath(generator)), 'cases.json')
    relative = os.path.relpath(os.path.abspath(generator), os.path.join(os.path.dirname(_POOL), '..', '..'))
    with open(path, 'w') as handle:
        json.dump({'generator': relative, 'torch': torch.__version__, **extra, 'cases': cases}, handle,
                  separators=(',', ':'))
        handle.write('\n')
    print(f'{len(cases)} cases, {os.path.getsize(path)} bytes')


def random_boxes(count, batch, height, width, scale=1.0, seed=0):
    """[count, 5] float32 rows (batch index, x1, y1, x2, y2) in input pixels before `scale`: boxes
    inside the image, partly off it, wholly off it, inverted (x2 < x1) and thinner than a pixel,
    at quarter-pixel and arbitrary positions (half-pixel ties for RoI pooling's rounding)."""
    generator = torch.Generator().manual_seed(seed)
    uniform = lambda low, high: low + (high - low) * torch.rand(count, generator=generator, dtype=torch.float64)
    span_x, span_y = width / scale, height / scale
    x1, y1 = uniform(-0.3 * span_x, 1.1 * span_x), uniform(-0.3 * span_y, 1.1 * span_y)
    x2, y2 = x1 + uniform(-0.2 * span_x, 0.8 * span_x), y1 + uniform(-0.2 * span_y, 0.8 * span_y)
    corners = torch.stack([x1, y1, x2, y2], 1)
    quarter = torch.arange(count) % 3 == 0
    corners[quarter] = torch.round(corners[quarter] * 4) / 4
    index = torch.randint(0, batch, (count, 1), generator=generator).to(torch.float64)
    return torch.cat([index, corners], 1).to(torch.float32)


def roi_case(name, pool, shape, box_count, spatial_scale, seed, options, channels_last=False, values=None):
    """A case of an RoI op: pool(x, boxes) on an NCHW float32 input (grid values, or `values`) and
    random boxes, backward with a random upstream gradient; options are poolkit's."""
    x = (grid_tensor(shape, dtype=torch.float32) if values is None else values).clone().requires_grad_(True)
    boxes = random_boxes(box_count, shape[0], shape[2], shape[3], spatial_scale, seed)
    output = pool(x, boxes)
    grad_output = grid_tensor(tuple(output.shape), -1.0, 1.0, dtype=torch.float32)
    output.backward(grad_output)
    fields = tensor_fields(dict(options, spatialScale=spatial_scale), x, output, grad_output, channels_last)
    return {'name': name, **fields, 'boxes': encode(boxes), 'boxCount': box_count}
