// Global max and average pooling against TensorFlow.js's CPU backend: tf.max and tf.mean over the
// spatial axes, forward and gradient (tf.grad), 1D to 3D, both data formats, with and without keepDims.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers the gradients tf.grad needs
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import {
  backward,
  globalAvgPool,
  globalMaxPool,
  randomNormal,
  requireGrad,
  tensor,
  tidy,
  type DataFormat,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { spacedValues } from '../helpers/gradcheck.js';

before(async () => {
  await tf.setBackend('cpu');
});

const ops = { max: { poolkit: globalMaxPool, tf: tf.max }, mean: { poolkit: globalAvgPool, tf: tf.mean } };

const cases = fc.record({
  kind: fc.constantFrom<keyof typeof ops>('max', 'mean'),
  batch: fc.integer({ min: 1, max: 3 }),
  channels: fc.integer({ min: 1, max: 4 }),
  spatial: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
  format: fc.constantFrom<DataFormat>('channelsLast', 'channelsFirst'),
  keepDims: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1000 }),
});

test('globalMaxPool / globalAvgPool equal tf.max / tf.mean over the spatial axes, values and gradients', () => {
  fc.assert(
    fc.property(cases, ({ kind, batch, channels, spatial, format, keepDims, seed }) => {
      const shape = format === 'channelsLast' ? [batch, ...spatial, channels] : [batch, channels, ...spatial];
      const axes = spatial.map((_, axis) => axis + (format === 'channelsLast' ? 1 : 2));
      const size = shape.reduce((total, extent) => total * extent, 1);
      // Distinct values for max: tf.max's gradient goes to every tied maximum, poolkit's to the first.
      const values = spacedValues(size, seed);
      const upstream = randomNormal(
        keepDims ? shape.map((extent, axis) => (axes.includes(axis) ? 1 : extent)) : [batch, channels],
        { seed },
      );
      const expected = tf.tidy(() => {
        const reduce = (x: tf.Tensor): tf.Tensor => ops[kind].tf(x, axes, keepDims);
        const input = tf.tensor(values, shape);
        const gradient = tf.grad(reduce)(input, tf.tensor(upstream.toFloat32Array(), [...upstream.shape]));
        return { output: reduce(input).dataSync(), gradient: gradient.dataSync(), shape: reduce(input).shape };
      });
      tidy(() => {
        const input = requireGrad(tensor(values, shape));
        const output = ops[kind].poolkit(input, { dataFormat: format, keepDims });
        assert.deepEqual(output.shape, expected.shape);
        assertClose(output.values, expected.output, {
          absolute: kind === 'max' ? 0 : 1e-6,
          relative: kind === 'max' ? 0 : 1e-5,
        });
        backward(output, upstream);
        assertClose(input.grad!.values, expected.gradient, { label: 'gradient' });
      });
    }),
    { numRuns: 60, seed: 20261123 },
  );
});

test('on ties the two differ only in who gets the gradient: tf.max shares it, poolkit gives it to the first', () => {
  const input = requireGrad(tensor([2, 7, 7, 1], [1, 4, 1]));
  backward(globalMaxPool(input), tensor([1], [1, 1]));
  assert.deepEqual(Array.from(input.grad!.values), [0, 1, 0, 0]);
  const shared = tf.tidy(() =>
    tf
      .grad((x: tf.Tensor) => tf.max(x, [1]))(tf.tensor([2, 7, 7, 1], [1, 4, 1]))
      .dataSync(),
  );
  assert.deepEqual(Array.from(shared), [0, 1, 1, 0]);
});
