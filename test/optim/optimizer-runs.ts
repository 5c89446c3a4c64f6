// Runs an optimizer (poolkit's or TensorFlow.js's) through a fixed sequence of gradients on one
// parameter and returns the parameter after each step: what the optimizer tests compare.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Random, tensor, type Optimizer, type Tensor } from '../../src/index.js';

export const SIZE = 12;
export const STEPS = 6;

/** A fixed sequence of `steps` gradients with magnitudes from 10^smallest to 10, random signs. */
export function gradients(seed: number, smallest = -3, steps = STEPS): Float32Array[] {
  const random = new Random(seed);
  return Array.from({ length: steps }, () =>
    Float32Array.from(
      { length: SIZE },
      () => (random.uniform() < 0.5 ? -1 : 1) * 10 ** (smallest + random.uniform() * (1 - smallest)),
    ),
  );
}

export const start = Float32Array.from({ length: SIZE }, (_, index) => Math.sin(index + 1));

/** Applies each gradient to `parameter` (named 'w'); returns copies of the parameter after each step. */
export function applySteps(optimizer: Optimizer, grads: readonly Float32Array[], parameter: Tensor): Float32Array[] {
  return grads.map((grad) => {
    parameter.grad = tensor(grad, [SIZE]);
    optimizer.applyGradients([{ name: 'w', tensor: parameter }]);
    assert.equal(parameter.grad, null);
    return parameter.toFloat32Array();
  });
}

/** Runs poolkit's optimizer from `start` through the gradient sequence. */
export function runPoolkit(optimizer: Optimizer, grads: readonly Float32Array[]): Float32Array[] {
  return applySteps(optimizer, grads, tensor(start, [SIZE]));
}

let variables = 0;

/** Runs a TensorFlow.js optimizer from `start` through the same gradients. */
export function runTfjs(optimizer: tf.Optimizer, grads: readonly Float32Array[]): Float32Array[] {
  const name = `w${variables++}`;
  const variable = tf.variable(tf.tensor1d(start), true, name);
  return grads.map((grad) => {
    optimizer.applyGradients({ [name]: tf.tensor1d(grad) });
    return variable.dataSync() as Float32Array;
  });
}

export { tf };
