// Helpers for Keras's masks (1 = real step, 0 = padding, [batch, steps]): combining the masks of
// merged inputs, and the masked pooling over steps that GlobalMax/AveragePooling1D and
// MaskedPooling1D apply when a mask reaches them.
import { fail } from '../errors.js';
import { reshape } from '../ops/nn/shape.js';
import { transpose } from '../ops/nn/shape.js';
import { maskedPool1d } from '../ops/pool/index.js';
import { Tensor } from '../tensor/tensor.js';

/** 1 where every given mask is 1 (a missing mask counts as all ones); null when none is given. */
export function intersectMasks(masks: readonly (Tensor | null)[]): Tensor | null {
  const given = masks.filter((mask): mask is Tensor => mask !== null);
  if (given.length === 0) return null;
  const first = given[0]!;
  given.forEach((mask) => {
    if (mask.shape.join() !== first.shape.join())
      fail(
        'mask',
        'masks',
        `must all have shape [${first.shape.join(', ')}] to be combined`,
        `shape [${mask.shape.join(', ')}]`,
      );
  });
  const result = Tensor.allocate(first.shape);
  const target = result.values;
  target.set(first.values);
  for (const mask of given.slice(1)) {
    const values = mask.values;
    for (let index = 0; index < target.length; index++) target[index] = target[index]! * values[index]!;
  }
  return result;
}

/**
 * Masked global pooling over steps, as Keras's GlobalAveragePooling1D with a mask (the average of
 * the real steps); max takes the largest real step. A sequence with no real step gives 0 (Keras's
 * average gives NaN there). channelsFirst input [batch, features, steps] is pooled the same way.
 */
export function maskedGlobalPool1d(
  input: Tensor,
  mask: Tensor,
  options: { mode: 'max' | 'average'; channelsFirst: boolean; keepDims: boolean },
): Tensor {
  const steps = options.channelsFirst ? transpose(input, [0, 2, 1]) : input;
  const pooled = maskedPool1d(steps, { mask, mode: options.mode });
  if (!options.keepDims) return pooled;
  const [batch, features] = pooled.shape as [number, number];
  return reshape(pooled, options.channelsFirst ? [batch, features, 1] : [batch, 1, features]);
}
