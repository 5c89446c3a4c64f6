"""Writes cases.json: torchvision 0.14's roi_pool (CPU, float32) on random boxes (inside the image,
partly or wholly off it, inverted, at half-pixel rounding ties), forward and the input gradient for
a random upstream gradient, in poolkit's layouts and option names. Run with /usr/bin/python3
(Debian's python3-torch and python3-torchvision); seeds are fixed."""
import os
import sys

import torch
from torchvision.ops import roi_pool

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from kind_cases import grid_tensor, roi_case, write_cases  # noqa: E402


def make_case(name, shape, box_count, output_size, spatial_scale, seed, channels_last=False, values=None):
    options = {'outputSize': list(output_size) if isinstance(output_size, tuple) else output_size}
    pool = lambda x, boxes: roi_pool(x, boxes, output_size, spatial_scale)
    return roi_case(name, pool, shape, box_count, spatial_scale, seed, options, channels_last, values)


def main():
    special = torch.round(grid_tensor((1, 2, 6, 7), -2.0, 2.0, dtype=torch.float32))  # many ties
    special[0, 0, 1:3, 1:4] = float('nan')
    special[0, 1, 0, :] = float('nan')
    special[0, 1, 4, 4] = float('-inf')
    cases = [
        make_case('output 3, spatial scale 1', (2, 3, 7, 9), 14, 3, 1.0, 1),
        make_case('output [2, 3], spatial scale 0.5, channelsLast', (2, 2, 8, 6), 14, (2, 3), 0.5, 2,
                  channels_last=True),
        make_case('output 5 from small boxes, spatial scale 1', (1, 2, 5, 6), 12, 5, 1.0, 3),
        make_case('ties, NaN (a bin of NaN alone) and -inf', (1, 2, 6, 7), 14, 2, 1.0, 4, values=special),
        make_case('ties and NaN, channelsLast, output 3', (1, 2, 6, 7), 14, 3, 1.0, 5, channels_last=True,
                  values=special),
    ]
    write_cases(__file__, cases)


if __name__ == '__main__':
    main()
