// Keras's masks (1 = real step, 0 = padding, [batch, steps]) where merged inputs meet: one mask
// from several. The pooling kinds that read a mask (global and masked pooling over steps) take it
// as their op's `mask` option (src/pooling/kinds/).
import { fail } from '../errors.js';
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
