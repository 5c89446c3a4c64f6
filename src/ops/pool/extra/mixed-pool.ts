// mixedPool2d: mixed max-average pooling with a learnable proportion (Lee, Gallagher & Tu,
// "Generalizing Pooling Functions in Convolutional Neural Networks: Mixed, Gated, and Tree", AISTATS 2016).
import { recordGrad } from '../../../autograd/tape.js';
import { poolGeometry, type PoolOptions } from '../../../geometry/pool-geometry.js';
import { extraKernel } from '../../../kernels/reference/extra/index.js';
import { Tensor } from '../../../tensor/tensor.js';
import { checkOptions, checkTensor } from '../../checks.js';
import { checkParameterShape, zeroTensor } from './common.js';

/**
 * Mixed pooling over [batch, height, width, channels] (or NCHW with channelsFirst):
 * y = a·max(x_window) + (1 − a)·mean(x_window), the mean over the window's in-bounds cells.
 * `alpha` (a) has shape [1] (one per layer) or [channels] (one per channel); it is not clamped, so
 * a learned a may leave [0, 1] (start it at 0.5). Gradients: ∂y/∂x = a at the max cell (first of
 * ties; NaN propagates as in max pooling) + (1 − a)/n at every in-bounds cell; ∂y/∂a = max − mean.
 * @example mixedPool2d(x, tensor([0.5]), { kernelSize: 2 })
 */
export function mixedPool2d(input: Tensor, alpha: Tensor, options: PoolOptions): Tensor {
  const op = 'mixedPool2d';
  checkTensor(op, 'input', input);
  const checked = checkOptions(op, options, true);
  const geometry = poolGeometry(op, input.shape, 2, checked);
  checkParameterShape(op, 'alpha', alpha, [[1], [geometry.channels]]);
  const output = Tensor.allocate(geometry.outputShape);
  extraKernel('mixedPoolForward')(input.values, alpha.values, output.values, geometry);
  recordGrad(op, output, [input, alpha], (gradOutput) => {
    const gradInput = zeroTensor(input.shape);
    const gradAlpha = zeroTensor(alpha.shape);
    extraKernel('mixedPoolBackward')(
      input.values,
      alpha.values,
      gradOutput.values,
      gradInput.values,
      gradAlpha.values,
      geometry,
    );
    return [gradInput, gradAlpha];
  });
  return output;
}
