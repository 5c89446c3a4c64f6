// Seeded uniform values in [-1, 1) as a tensor: the inputs of the op tests that compare two paths.
import { Random, tensor, type Tensor } from '../../src/index.js';

export function uniformTensor(shape: readonly number[], seed: number): Tensor {
  const random = new Random(seed);
  const count = shape.reduce((total, extent) => total * extent, 1);
  return tensor(
    Float32Array.from({ length: count }, () => random.uniform() * 2 - 1),
    [...shape],
  );
}
