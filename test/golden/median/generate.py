"""Writes cases.json: median pooling with torch.median (PyTorch 1.13) over each window: the lower of the
two middle values for an even count; with padding, torch.nanmedian over the window with NaN in the
padded taps (the same median of the in-bounds cells). Autograd's input gradient goes to the cell the
median is taken from; among ties torch's choice is unspecified, so tie cases compare values only."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from formula_windows import distinct_values, grid_values, make_case, windows, write_cases  # noqa: E402


def median_pool(options):
    def formula(x):
        values, mask = windows(x, options)
        if bool((mask > 0).all()):
            return values.median(-1).values
        return torch.where(mask > 0, values, torch.tensor(np.nan, dtype=x.dtype)).nanmedian(-1).values
    return formula


def case(name, shape, options, ties=False, **rest):
    values = rest.pop('values', None)
    values = distinct_values(shape) if values is None else values
    extra = {'skipGradients': True} if ties else None
    return make_case(name, f'medianPool{len(shape) - 2}d', median_pool(options), shape, options, values=values,
                     extra=extra, **rest)


NAN, INF = float('nan'), float('inf')

CASES = [
    case('median 2d 3x3 stride 2 padding 1 (9, 6 and 4 cells)', (2, 3, 7, 6), {'kernelSize': 3, 'stride': 2, 'padding': 1}),
    case('median 2d 2x2: the lower of the two middle values', (2, 3, 4, 6), {'kernelSize': 2}),
    case('median 2d 3x3 stride 1 channelsLast', (1, 2, 5, 5), {'kernelSize': 3, 'stride': 1}, channels_last=True),
    case('median 2d dilation 2 padding 1', (1, 2, 7, 8), {'kernelSize': 3, 'stride': 1, 'padding': 1, 'dilation': 2}),
    case('median 2d ceil mode overhang', (1, 2, 5, 7), {'kernelSize': 3, 'stride': 2, 'ceilMode': True}),
    case('median 2d same padding channelsLast', (1, 2, 5, 5), {'kernelSize': 3, 'stride': 2, 'padding': 'same'},
         channels_last=True),
    case('median 2d all-negative', (1, 2, 4, 4), {'kernelSize': 3, 'stride': 1},
         values=-np.abs(distinct_values((1, 2, 4, 4))) - 1),
    case('median 2d ties (values only)', (1, 2, 6, 6), {'kernelSize': 3, 'stride': 1}, ties=True,
         values=np.round(grid_values((1, 2, 6, 6), -2, 2))),
    case('median 1d NaN propagates (first NaN chosen), ±Infinity are values', (1, 2, 8), {'kernelSize': 4},
         values=[1, NAN, 3, NAN, INF, -INF, 2, 5, -INF, 0, -1, 7, NAN, 4, INF, 6]),
    case('median 1d', (2, 3, 9), {'kernelSize': 3, 'stride': 2, 'padding': 1}),
    case('median 1d even window channelsLast', (2, 2, 8), {'kernelSize': 4, 'stride': 2}, channels_last=True),
    case('median 3d', (1, 2, 4, 5, 5), {'kernelSize': [2, 3, 3], 'stride': [1, 2, 2]}),
    case('median 3d padding channelsLast', (1, 2, 3, 4, 4), {'kernelSize': 3, 'stride': 2, 'padding': 1},
         channels_last=True),
]

if __name__ == '__main__':
    write_cases(__file__, CASES)
