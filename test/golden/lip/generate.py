"""Writes cases.json: LIP (Gao, Wang & Wu, ICCV 2019) with the logit module of the paper's simple form,
G = coefficient * sigmoid(1x1 convolution of x), transcribed in PyTorch 1.13 (float64) as the authors'
lip2d: avg_pool(x * e^G) / avg_pool(e^G); forward and the autograd gradients of the input and of the
convolution's kernel and bias, in poolkit's layouts and option names. Run with /usr/bin/python3
(Debian's python3-torch); seeds are fixed.

poolkit's kernel is [in channels, out channels] (Keras's 1x1 kernel without its unit axes), so the
PyTorch weight is its transpose with unit spatial axes."""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from kind_cases import encode, grid_tensor, tensor_fields, write_cases  # noqa: E402

AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def lip(x, kernel, bias, dims, options):
    weight = kernel.t().reshape(*kernel.shape, *([1] * dims))
    logits = options.get('coefficient', 12.0) * torch.sigmoid(CONV[dims](x, weight, bias))
    importance = logits.exp()
    window = (options['kernelSize'], options.get('stride', options['kernelSize']), options.get('padding', 0),
              options.get('ceilMode', False))
    return AVG_POOL[dims](x * importance, *window) / AVG_POOL[dims](importance, *window)


def make_case(name, dims, shape, options, channels_last=False):
    channels = shape[1]
    x = grid_tensor(shape).requires_grad_(True)
    kernel = grid_tensor((channels, channels), -1.0, 1.0).requires_grad_(True)
    bias = grid_tensor((channels,), -1.0, 1.0).requires_grad_(True)
    output = lip(x, kernel, bias, dims, options)
    grad_output = grid_tensor(tuple(output.shape), -1.0, 1.0)
    output.backward(grad_output)
    return {
        'name': name, 'dims': dims, **tensor_fields(options, x, output, grad_output, channels_last),
        'logitKernel': encode(kernel), 'logitBias': encode(bias),
        'gradLogitKernel': encode(kernel.grad), 'gradLogitBias': encode(bias.grad),
    }


def main():
    cases = [
        make_case("2d the paper's window 3x3 stride 2 padding 1", 2, (2, 3, 7, 6),
                  {'kernelSize': 3, 'stride': 2, 'padding': 1}),
        make_case('2d 2x2, channelsLast', 2, (2, 2, 6, 8), {'kernelSize': 2}, channels_last=True),
        make_case('2d [2, 3] stride 1, coefficient 4', 2, (1, 3, 5, 6),
                  {'kernelSize': [2, 3], 'stride': 1, 'coefficient': 4.0}),
        make_case('1d 3 stride 2 padding 1 ceil mode, channelsLast', 1, (2, 3, 10),
                  {'kernelSize': 3, 'stride': 2, 'padding': 1, 'ceilMode': True}, channels_last=True),
        make_case('3d 2x2x2 stride [1, 2, 2]', 3, (1, 2, 3, 4, 5), {'kernelSize': 2, 'stride': [1, 2, 2]}),
    ]
    write_cases(__file__, cases)


if __name__ == '__main__':
    main()
