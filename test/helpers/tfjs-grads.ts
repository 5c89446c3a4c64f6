// One op (or a chain of ops) in poolkit and in TensorFlow.js's CPU backend: forward values and the
// gradients of Σ w·f(inputs) for the same random w, compared element by element.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself; tfjs-layers registers them all.
import '@tensorflow/tfjs-layers';
import { backward, Random, requireGrad, tensor, tidy, type Tensor } from '../../src/index.js';
import { assertClose } from './assert-close.js';

export interface GradientCase {
  readonly label: string;
  readonly shapes: readonly number[][];
  /** Values of each input (default: uniform in [−1, 1) from the seed). */
  readonly values?: readonly Float32Array[];
  readonly seed: number;
  /** Inputs whose gradient is compared (default all); tfjs gives none for integer inputs. */
  readonly differentiable?: readonly number[];
  readonly tolerance?: number;
}

export function randomValues(count: number, random: Random, scale = 1): Float32Array {
  return Float32Array.from({ length: count }, () => (random.uniform() * 2 - 1) * scale);
}

/** A tensor of `shape` uniform in [−scale, scale), from a seed. */
export function randomTensor(shape: number[], seed: number, scale = 1): Tensor {
  return tensor(
    randomValues(
      shape.reduce((total, extent) => total * extent, 1),
      new Random(seed),
      scale,
    ),
    shape,
  );
}

/** Compares ours(...inputs) with theirs(...inputs): outputs, and gradients unless `forwardOnly`. */
export function compareWithTfjs(
  ours: (...inputs: Tensor[]) => Tensor,
  theirs: (...inputs: tf.Tensor[]) => tf.Tensor,
  testCase: GradientCase,
  forwardOnly = false,
): void {
  const random = new Random(testCase.seed);
  const values =
    testCase.values ??
    testCase.shapes.map((shape) =>
      randomValues(
        shape.reduce((a, b) => a * b, 1),
        random,
      ),
    );
  const checked = testCase.differentiable ?? testCase.shapes.map((_, index) => index);
  const tolerance = { absolute: testCase.tolerance ?? 1e-4, relative: testCase.tolerance ?? 1e-4 };
  const mine = tidy(() => {
    const leaves = values.map((array, index) => {
      const leaf = tensor(array, testCase.shapes[index]);
      return checked.includes(index) ? requireGrad(leaf) : leaf;
    });
    const output = ours(...leaves);
    const weights = randomValues(output.size, random);
    backward(output, tensor(weights, output.shape));
    return {
      output: output.toFloat32Array(),
      shape: [...output.shape],
      weights,
      grads: checked.map((index) => leaves[index]!.grad!.toFloat32Array()),
    };
  });
  const reference = tf.tidy(() => {
    const inputs = values.map((array, index) => tf.tensor(array, testCase.shapes[index] as number[]));
    const output = theirs(...inputs);
    if (forwardOnly) return { output: output.dataSync() as Float32Array, shape: output.shape, grads: [] };
    const loss = (...args: tf.Tensor[]) => {
      const all = inputs.map((input, index) => (checked.includes(index) ? args[checked.indexOf(index)]! : input));
      return tf.sum(tf.mul(theirs(...all), tf.tensor(mine.weights, output.shape)));
    };
    const grads = tf.grads(loss)(checked.map((index) => inputs[index]!));
    return {
      output: output.dataSync() as Float32Array,
      shape: output.shape,
      grads: grads.map((grad) => grad.dataSync() as Float32Array),
    };
  });
  assertClose(mine.shape, reference.shape, { label: `${testCase.label} shape` });
  assertClose(mine.output, reference.output, { ...tolerance, label: `${testCase.label} output` });
  reference.grads.forEach((grad, index) => {
    assertClose(mine.grads[index]!, grad, { ...tolerance, label: `${testCase.label} gradient of input ${index}` });
  });
}
