// Finite-difference gradient check: compares the tape's gradient of L = Σ w·f(inputs) (w random, so
// a wrong routing cannot hide behind equal weights) with central differences of L, input by input.
import assert from 'node:assert/strict';
import { backward, noGrad, Random, requireGrad, tensor, tidy, type Tensor } from '../../src/index.js';

export interface GradcheckOptions {
  /** Step of the central difference; inputs should be spaced wider than 2·epsilon where f has kinks. */
  epsilon?: number;
  absolute?: number;
  relative?: number;
  seed?: number;
  /** Indices of the inputs to check (default: all). */
  check?: number[];
}

export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): void {
  const { epsilon = 1e-2, absolute = 2e-3, relative = 2e-2, seed = 7 } = options;
  const checked = options.check ?? inputs.map((_, index) => index);
  tidy(() => {
    const leaves = inputs.map((input) => requireGrad(input.clone()));
    const output = fn(...leaves);
    const random = new Random(seed);
    const weights = Float32Array.from({ length: output.size }, () => random.uniform() * 2 - 1);
    backward(output, tensor(weights, output.shape));
    for (const inputIndex of checked) {
      const analytic = leaves[inputIndex]!.grad?.toFloat32Array() ?? new Float32Array(leaves[inputIndex]!.size);
      const numeric = numericGradient(fn, inputs, inputIndex, weights, epsilon);
      for (let index = 0; index < numeric.length; index++) {
        const tolerance = absolute + relative * Math.abs(numeric[index]!);
        assert.ok(
          Math.abs(analytic[index]! - numeric[index]!) <= tolerance,
          `gradient of input ${inputIndex} at ${index}: tape ${analytic[index]} vs finite difference ${numeric[index]}`,
        );
      }
    }
  });
}

function numericGradient(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  inputIndex: number,
  weights: Float32Array,
  epsilon: number,
): Float64Array {
  const base = inputs[inputIndex]!;
  const gradient = new Float64Array(base.size);
  const weighted = (values: Float32Array): number => {
    return tidy(() =>
      noGrad(() => {
        const replaced = inputs.map((input, index) => (index === inputIndex ? tensor(values, base.shape) : input));
        const output = fn(...replaced).values;
        let sum = 0;
        for (let index = 0; index < output.length; index++) sum += weights[index]! * output[index]!;
        return sum;
      }),
    );
  };
  const values = base.toFloat32Array();
  for (let index = 0; index < values.length; index++) {
    const original = values[index]!;
    values[index] = original + epsilon;
    const plus = weighted(values);
    values[index] = original - epsilon;
    const minus = weighted(values);
    values[index] = original;
    gradient[index] = (plus - minus) / (2 * epsilon);
  }
  return gradient;
}

/** Distinct values spaced `gap` apart in random order: max pooling has no near-ties to confuse differences. */
export function spacedValues(count: number, seed: number, gap = 0.1): Float32Array {
  const order = new Random(seed).permutation(count);
  return Float32Array.from(order, (rank) => (rank - count / 2) * gap);
}

/** spacedValues shaped as a tensor: inputs for finite differences through a max. */
export function spacedTensor(shape: readonly number[], seed: number, gap = 0.1): Tensor {
  return tensor(
    spacedValues(
      shape.reduce((total, extent) => total * extent, 1),
      seed,
      gap,
    ),
    [...shape],
  );
}
