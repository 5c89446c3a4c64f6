// stochasticPool2d: Zeiler & Fergus's stochastic pooling ("Stochastic Pooling for Regularization of
// Deep Convolutional Neural Networks", ICLR 2013).
import { recordGrad } from '../../../autograd/tape.js';
import { poolGeometry, type PoolOptions } from '../../../geometry/pool-geometry.js';
import { extraKernel } from '../../../kernels/reference/extra/index.js';
import { Tensor } from '../../../tensor/tensor.js';
import { checkOptions, checkTensor } from '../../checks.js';
import { checkTraining, drawUniforms, resolveRandom, zeroTensor, type RandomPoolOptions } from './common.js';

export interface StochasticPoolOptions extends PoolOptions, RandomPoolOptions {}

/**
 * Stochastic pooling over [batch, height, width, channels] (or NCHW with channelsFirst).
 *
 * With a⁺ = max(a, 0) (negative activations count as 0, as the paper pools ReLU outputs) and
 * p_i = a⁺_i / Σ_j a⁺_j over a window's in-bounds cells:
 * - training: y = a⁺_k for one cell k drawn with probability p_k; the gradient goes to cell k
 *   (none if a_k < 0). One uniform draw per output element, in output order, from `seed`/`random`.
 * - inference (default): y = Σ p_i a⁺_i = Σ a⁺² / Σ a⁺, with ∂y/∂a_j = (2a_j·S − Q)/S².
 * A window whose a⁺ sum to 0 outputs 0 and sends its gradient to its first cell (the limit of
 * both formulas along that cell). A window holding NaN outputs NaN (training: its first NaN cell).
 * @example stochasticPool2d(x, { kernelSize: 2, training: true, seed: 1 })
 * @example stochasticPool2d(x, { kernelSize: 2 }) // inference: probability-weighted average
 */
export function stochasticPool2d(input: Tensor, options: StochasticPoolOptions): Tensor {
  const op = 'stochasticPool2d';
  checkTensor(op, 'input', input);
  const checked = checkOptions(op, options, true);
  const geometry = poolGeometry(op, input.shape, 2, checked);
  const training = checkTraining(op, checked.training);
  const output = Tensor.allocate(geometry.outputShape);
  if (!training) {
    extraKernel('stochasticPoolInference')(input.values, output.values, geometry);
    recordGrad(op, output, [input], (gradOutput) => {
      const gradInput = zeroTensor(input.shape);
      extraKernel('stochasticPoolInferenceBackward')(input.values, gradOutput.values, gradInput.values, geometry);
      return [gradInput];
    });
    return output;
  }
  const draws = drawUniforms(resolveRandom(op, checked), output.size);
  const chosen = Tensor.allocate(geometry.outputShape, 'int32');
  extraKernel('stochasticPoolForward')(input.values, output.values, chosen.intValues, draws, geometry);
  recordGrad(
    op,
    output,
    [input],
    (gradOutput) => {
      const gradInput = zeroTensor(input.shape);
      extraKernel('stochasticPoolBackward')(
        input.values,
        chosen.intValues,
        gradOutput.values,
        gradInput.values,
        geometry,
      );
      return [gradInput];
    },
    [chosen],
  );
  if (!output.requiresGrad) chosen.dispose();
  return output;
}
