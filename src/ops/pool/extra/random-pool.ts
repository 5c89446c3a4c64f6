// randomPool2d: random pooling as seed article 000 describes it (one value of each window chosen
// at random); its expectation, the in-bounds average, is the inference output.
import { recordGrad } from '../../../autograd/tape.js';
import { poolGeometry, type PoolOptions } from '../../../geometry/pool-geometry.js';
import { kernel } from '../../../kernels/backend.js';
import { extraKernel } from '../../../kernels/reference/extra/index.js';
import { Tensor } from '../../../tensor/tensor.js';
import { checkOptions, checkTensor } from '../../checks.js';
import { poolingPlanes } from '../argmax-planes.js';
import { checkTraining, drawUniforms, resolveRandom, zeroTensor, type RandomPoolOptions } from './common.js';

export interface RandomPoolOptions2d extends PoolOptions, RandomPoolOptions {}

/**
 * Random pooling over [batch, height, width, channels] (or NCHW with channelsFirst).
 * - training: y = x_k for one in-bounds cell k of the window drawn uniformly (k = floor(u·n), one
 *   uniform u per output element in output order); the gradient goes to x_k.
 * - inference (default): y = (1/n) Σ x_i over the n in-bounds cells (padding never counts), the
 *   expectation of the training output.
 * NaN is not special: a drawn NaN is output, and any NaN makes the average NaN.
 * @example randomPool2d(x, { kernelSize: 2, training: true, seed: 7 })
 */
export function randomPool2d(input: Tensor, options: RandomPoolOptions2d): Tensor {
  const op = 'randomPool2d';
  checkTensor(op, 'input', input);
  const checked = checkOptions(op, options, true);
  const geometry = poolGeometry(op, input.shape, 2, checked);
  const training = checkTraining(op, checked.training);
  const output = Tensor.allocate(geometry.outputShape);
  if (!training) {
    extraKernel('inBoundsAverageForward')(input.values, output.values, geometry);
    recordGrad(op, output, [input], (gradOutput) => {
      const gradInput = zeroTensor(input.shape);
      extraKernel('inBoundsAverageBackward')(gradOutput.values, gradInput.values, geometry);
      return [gradInput];
    });
    return output;
  }
  const draws = drawUniforms(resolveRandom(op, checked), output.size);
  const chosen = Tensor.allocate(geometry.outputShape, 'int32');
  extraKernel('randomPoolForward')(input.values, output.values, chosen.intValues, draws, geometry);
  recordGrad(
    op,
    output,
    [input],
    (gradOutput) => {
      const gradInput = zeroTensor(input.shape);
      kernel('argmaxScatterAdd')(gradOutput.values, chosen.intValues, gradInput.values, poolingPlanes(geometry));
      return [gradInput];
    },
    [chosen],
  );
  if (!output.requiresGrad) chosen.dispose();
  return output;
}
