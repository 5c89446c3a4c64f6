// Runs one function in poolkit (the tape) and in TensorFlow.js's CPU backend on the same inputs:
// the outputs, and the gradients of Σ weights·f for a random weights tensor, for the test files
// that compare ops with TensorFlow.js.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself; tfjs-layers registers them all.
import '@tensorflow/tfjs-layers';
import { backward, Random, requireGrad, tensor, tidy, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

export interface Result {
  readonly output: Float32Array | Int32Array;
  readonly shape: readonly number[];
  readonly grads: (Float32Array | null)[];
}

export async function useTfjsCpu(): Promise<void> {
  await tf.setBackend('cpu');
}

export function randomArray(count: number, random: Random, scale = 1): Float32Array {
  return Float32Array.from({ length: count }, () => (random.uniform() * 2 - 1) * scale);
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((total, extent) => total * extent, 1);
}

/** poolkit's output and, when `weights` is given, the gradients of Σ weights·f(inputs). */
export function poolkitRun(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Float32Array[],
  shapes: readonly (readonly number[])[],
  weightSeed: number | null,
): Result {
  return tidy(() => {
    const leaves = inputs.map((values, index) => requireGrad(tensor(values, shapes[index])));
    const output = fn(...leaves);
    const result = { output: output.dataSync(), shape: [...output.shape] };
    if (weightSeed === null) return { ...result, grads: [] };
    backward(output, tensor(randomArray(output.size, new Random(weightSeed)), output.shape));
    return { ...result, grads: leaves.map((leaf) => leaf.grad?.toFloat32Array() ?? null) };
  });
}

/** TensorFlow.js's output and gradients for the same inputs and weights. */
export function tfjsRun(
  fn: (...inputs: tf.Tensor[]) => tf.Tensor,
  inputs: readonly Float32Array[],
  shapes: readonly (readonly number[])[],
  weightSeed: number | null,
): Result {
  return tf.tidy(() => {
    const tensors = inputs.map((values, index) => tf.tensor(values, [...shapes[index]!]));
    const output = fn(...tensors);
    const result = { output: output.dataSync() as Float32Array | Int32Array, shape: output.shape };
    if (weightSeed === null) return { ...result, grads: [] };
    const weights = tf.tensor(randomArray(output.size, new Random(weightSeed)), output.shape);
    const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(fn(...args), weights)))(tensors);
    return { ...result, grads: grads.map((grad) => grad.dataSync() as Float32Array) };
  });
}

/** Same shape, outputs and gradients within float32 tolerances. */
export function assertSameResult(label: string, ours: Result, theirs: Result, tolerance = 1e-5): void {
  assertClose(ours.shape, theirs.shape, { absolute: 0, relative: 0, label: `${label} shape` });
  assertClose(ours.output, theirs.output, { absolute: tolerance, relative: tolerance, label: `${label} output` });
  theirs.grads.forEach((grad, index) => {
    const mine = ours.grads[index] ?? new Float32Array(grad!.length);
    assertClose(mine, grad!, { absolute: tolerance, relative: tolerance, label: `${label} gradient ${index}` });
  });
}

export { tf };
