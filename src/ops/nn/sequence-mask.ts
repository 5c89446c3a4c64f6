// Masks of padded time steps, as Keras's Masking layer makes and applies them: a step is padding
// when every feature equals the mask value; masked steps are zeroed (their gradient too).
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkTensor } from '../checks.js';

/**
 * 1 where any feature (last axis) differs from `maskValue`, else 0: [..., features] → [...].
 * Not differentiable (a mask is data). NaN differs from every value, so a NaN step is kept.
 * @example stepMask(x, 0) // [batch, time, features] → [batch, time]
 */
export function stepMask(input: Tensor, maskValue = 0): Tensor {
  checkTensor('stepMask', 'input', input);
  if (input.rank < 2) fail('stepMask', 'input', 'must have rank at least 2 [..., features]', input.toString());
  if (typeof maskValue !== 'number') fail('stepMask', 'maskValue', 'must be a number', maskValue);
  const features = input.shape[input.rank - 1]!;
  const mask = Tensor.allocate(input.shape.slice(0, -1));
  const [values, target] = [input.values, mask.values];
  for (let step = 0; step < target.length; step++) {
    let padding = true;
    for (let feature = 0; feature < features && padding; feature++)
      padding = values[step * features + feature] === maskValue;
    target[step] = padding ? 0 : 1;
  }
  return mask;
}

/**
 * input · mask, the mask repeated over the last (feature) axis: masked steps become 0.
 * @example maskSteps(x, stepMask(x, -1)) // [batch, time, features] and [batch, time]
 */
export function maskSteps(input: Tensor, mask: Tensor): Tensor {
  checkTensor('maskSteps', 'input', input);
  checkTensor('maskSteps', 'mask', mask);
  const features = input.shape[input.rank - 1] ?? 0;
  if (input.rank < 2 || mask.shape.join() !== input.shape.slice(0, -1).join()) {
    const wanted = `[${input.shape.slice(0, -1).join(', ')}] (the input's shape without its last axis)`;
    fail('maskSteps', 'mask', `must have shape ${wanted}`, `shape [${mask.shape.join(', ')}]`);
  }
  const output = Tensor.allocate(input.shape);
  scaleSteps(input.values, mask.values, output.values, features);
  recordGrad(
    'maskSteps',
    output,
    [input],
    (gradOutput) => {
      const gradInput = Tensor.allocate(input.shape);
      scaleSteps(gradOutput.values, mask.values, gradInput.values, features);
      return [gradInput];
    },
    [mask],
  );
  return output;
}

/** target[step, feature] = source[step, feature] · factors[step]; a 0 factor gives exactly 0. */
function scaleSteps(source: Float32Array, factors: Float32Array, target: Float32Array, features: number): void {
  for (let step = 0; step < factors.length; step++) {
    const factor = factors[step]!;
    for (let feature = 0; feature < features; feature++) {
      const index = step * features + feature;
      target[index] = factor === 0 ? 0 : source[index]! * factor;
    }
  }
}
