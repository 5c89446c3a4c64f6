// gatedPool2d: max-average pooling mixed by a learned, input-dependent gate (Lee, Gallagher & Tu,
// "Generalizing Pooling Functions in Convolutional Neural Networks: Mixed, Gated, and Tree", AISTATS 2016).
import { recordGrad } from '../../../autograd/tape.js';
import { poolGeometry, type PoolOptions } from '../../../geometry/pool-geometry.js';
import { extraKernel } from '../../../kernels/reference/extra/index.js';
import { Tensor } from '../../../tensor/tensor.js';
import { checkOptions, checkTensor } from '../../checks.js';
import { checkParameterShape, zeroTensor } from './common.js';

/**
 * Gated pooling over [batch, height, width, channels] (or NCHW with channelsFirst):
 * s = sigmoid(wᵀx_window), y = s·max(x_window) + (1 − s)·mean(x_window).
 * `gateWeights` (w) has one weight per window tap, row-major: shape [kernelHeight·kernelWidth]
 * (one gate per layer, shared by every channel) or [channels, kernelHeight·kernelWidth] (per channel).
 * Padded taps read as 0 in wᵀx; the mean is over in-bounds cells; max as max pooling.
 * Gradients: ∂y/∂x_k = s·[k is the max] + (1 − s)/n + (max − mean)·s(1 − s)·w_k and
 * ∂y/∂w_k = (max − mean)·s(1 − s)·x_k.
 * @example gatedPool2d(x, zeros([4]), { kernelSize: 2 }) // w = 0: s = 1/2, the mean of max and average
 */
export function gatedPool2d(input: Tensor, gateWeights: Tensor, options: PoolOptions): Tensor {
  const op = 'gatedPool2d';
  checkTensor(op, 'input', input);
  const checked = checkOptions(op, options, true);
  const geometry = poolGeometry(op, input.shape, 2, checked);
  const taps = geometry.kernelHeight * geometry.kernelWidth;
  checkParameterShape(op, 'gateWeights', gateWeights, [[taps], [geometry.channels, taps]]);
  const output = Tensor.allocate(geometry.outputShape);
  extraKernel('gatedPoolForward')(input.values, gateWeights.values, output.values, geometry);
  recordGrad(op, output, [input, gateWeights], (gradOutput) => {
    const gradInput = zeroTensor(input.shape);
    const gradWeights = zeroTensor(gateWeights.shape);
    const weights = gateWeights.values;
    extraKernel('gatedPoolBackward')(
      input.values,
      weights,
      gradOutput.values,
      gradInput.values,
      gradWeights.values,
      geometry,
    );
    return [gradInput, gradWeights];
  });
  return output;
}
