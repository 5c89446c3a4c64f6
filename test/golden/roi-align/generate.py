"""Writes cases.json: torchvision 0.14's roi_align (CPU, float32) on random boxes (inside the image,
partly or wholly off it, inverted, thinner than a pixel), forward and the input gradient for a
random upstream gradient, in poolkit's layouts and option names. Run with /usr/bin/python3 (Debian's
python3-torch and python3-torchvision); seeds are fixed."""
import os
import sys

import torch
from torchvision.ops import roi_align

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from kind_cases import grid_tensor, roi_case, write_cases  # noqa: E402


def make_case(name, shape, box_count, output_size, spatial_scale, sampling_ratio, aligned, seed,
              channels_last=False, values=None):
    options = {'outputSize': list(output_size) if isinstance(output_size, tuple) else output_size,
               'samplingRatio': sampling_ratio, 'aligned': aligned}
    pool = lambda x, boxes: roi_align(x, boxes, output_size, spatial_scale, sampling_ratio, aligned)
    return roi_case(name, pool, shape, box_count, spatial_scale, seed, options, channels_last, values)


def main():
    special = grid_tensor((1, 2, 6, 7), dtype=torch.float32)
    special[0, 0, 0, 0] = float('nan')  # a plane's first cell: samples off the image read it as 0·x
    special[0, 1, 3, 4] = float('inf')
    special[0, 1, 5, 6] = float('-inf')
    cases = [
        make_case("adaptive sampling, not aligned (torchvision's defaults)", (2, 3, 7, 9), 14, 3, 1.0, -1, False, 1),
        make_case('aligned, sampling 2, channelsLast', (2, 2, 8, 6), 14, (2, 3), 1.0, 2, True, 2, channels_last=True),
        make_case('aligned, adaptive, spatial scale 0.5', (1, 3, 6, 6), 12, 2, 0.5, 0, True, 3),
        make_case('not aligned, sampling 1, spatial scale 0.25, channelsLast', (2, 2, 5, 7), 12, (3, 2), 0.25, 1,
                  False, 4, channels_last=True),
        make_case('small boxes into a 5x4 grid, sampling 3', (1, 2, 5, 5), 10, (5, 4), 1.0, 3, False, 5),
        make_case('NaN and infinities in the input, not aligned', (1, 2, 6, 7), 12, 2, 1.0, 2, False, 6,
                  values=special),
        make_case('NaN and infinities in the input, aligned, adaptive', (1, 2, 6, 7), 12, 3, 1.0, 0, True, 7,
                  values=special),
    ]
    write_cases(__file__, cases)


if __name__ == '__main__':
    main()
