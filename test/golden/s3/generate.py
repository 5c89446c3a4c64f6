"""Writes cases.json: S3Pool (Zhai et al., CVPR 2017) as the paper's code computes it (Shuangfei/s3pool
build_net.py: pool_2d(max, stride 1, ignore_border) then input[:, :, idx_h][:, :, :, idx_w]) in PyTorch
1.13, for any rank: the inference grid (rows 0, s, 2s, ...) and training rows drawn per block of g
cells (sorted randperm(block)[:ceil(block/s)], here by numpy; the case stores them as `rows`),
forward and input gradients by autograd."""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from golden_common import grid_values, layout_case, write_cases  # noqa: E402

RNG = np.random.default_rng(20170721)


def per_axis(value, dims):
    return list(value) if isinstance(value, (list, tuple)) else [value] * dims


def drawn_rows(size, stride, grid):
    rows = []
    for offset in range(0, size, grid):
        block = min(grid, size - offset)
        rows += sorted(offset + int(r) for r in RNG.permutation(block)[:-(-block // stride)])
    return rows


def make_case(name, shape, options, training=False, channels_last=False, values=None):
    dims = len(shape) - 2
    data = grid_values(RNG, shape) if values is None else np.asarray(values, dtype=np.float32).reshape(shape)
    x = torch.tensor(data, requires_grad=True)
    pool = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[dims]
    m = pool(x, options.get('kernelSize', 2), stride=1)
    stride = per_axis(options.get('stride', 2), dims)
    grid = per_axis(options.get('gridSize', stride), dims)
    sizes = m.shape[2:]
    rows = [drawn_rows(sizes[a], stride[a], grid[a]) if training else list(range(0, sizes[a], stride[a]))
            for a in range(dims)]
    y = m
    for axis, kept in enumerate(rows):
        y = y.index_select(2 + axis, torch.tensor(kept))
    grad_output = torch.tensor(grid_values(RNG, tuple(y.shape), -1, 1))
    y.backward(grad_output)
    full = dict(options, dataFormat='channelsLast' if channels_last else 'channelsFirst')
    if training:
        full['rows'] = rows
    return {'name': name, 'dims': dims, 'training': training, 'options': full,
            **layout_case(x, y, grad_output, channels_last)}


def main():
    cases = [
        make_case('s3 2d inference grid', (2, 3, 8, 8), {}),
        make_case('s3 2d inference odd sizes channelsLast', (1, 2, 9, 6), {'kernelSize': 3}, channels_last=True),
        make_case('s3 2d training grid 4', (2, 2, 9, 9), {'gridSize': 4}, training=True),
        make_case('s3 2d training grid [4, 2] stride [2, 1] channelsLast', (1, 3, 10, 7),
                  {'gridSize': [4, 2], 'stride': [2, 1]}, training=True, channels_last=True),
        make_case('s3 2d training ties go to the first', (1, 1, 6, 6), {'gridSize': 4}, training=True,
                  values=np.full((6, 6), 1.0)),
        make_case('s3 1d training stride 3 grid 6', (2, 2, 14), {'stride': 3, 'gridSize': 6}, training=True),
        make_case('s3 1d inference', (1, 2, 7), {'kernelSize': 3, 'stride': 2}, channels_last=True),
        make_case('s3 3d training', (1, 2, 5, 6, 6), {'gridSize': [2, 4, 4]}, training=True),
        make_case('s3 3d inference channelsLast', (1, 2, 4, 5, 5), {}, channels_last=True),
    ]
    write_cases(__file__, cases)


if __name__ == '__main__':
    main()
