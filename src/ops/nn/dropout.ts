// dropout: zeroes each element with probability `rate` and scales the survivors by 1 / (1 − rate)
// (inverted dropout, as Keras and tf.nn.dropout), so inference needs no rescaling. The mask comes
// from a seeded Random; the backward pass multiplies by the same mask.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { Random } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkTensor } from '../checks.js';

/**
 * Inverted dropout with a seeded mask. rate 0 returns the input itself.
 * @example dropout(x, 0.5, new Random(1))
 */
export function dropout(input: Tensor, rate: number, random: Random): Tensor {
  checkTensor('dropout', 'input', input);
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) fail('dropout', 'rate', 'must be a number in [0, 1)', rate);
  if (!(random instanceof Random)) fail('dropout', 'random', 'must be a Random (seeded)', random);
  if (rate === 0) return input;
  const scale = 1 / (1 - rate);
  const mask = Tensor.allocate(input.shape);
  const output = Tensor.allocate(input.shape);
  const [keep, source, target] = [mask.values, input.values, output.values];
  for (let index = 0; index < keep.length; index++) {
    keep[index] = random.uniform() >= rate ? scale : 0;
    target[index] = source[index]! * keep[index]!;
  }
  recordGrad('dropout', output, [input], (gradOutput) => {
    const gradInput = Tensor.allocate(input.shape);
    const [result, grad, factors] = [gradInput.values, gradOutput.values, mask.values];
    for (let index = 0; index < result.length; index++) result[index] = grad[index]! * factors[index]!;
    return [gradInput];
  });
  return output;
}
