// Min pooling against hand-worked windows, TensorFlow.js's −maxPool(−x), NaN and ties, and finite
// differences; the registry test (test/pooling/) covers its layer, saving and loading.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the gradients tf.grad needs
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, minPool1d, minPool2d, minPool3d, requireGrad, tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { gradcheck, spacedTensor } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';

test('a 4x4 input 1..16 pooled 2x2 gives [[1, 3], [9, 11]], and each argmin', () => {
  const input = tensor(
    Array.from({ length: 16 }, (_, index) => index + 1),
    [1, 4, 4, 1],
  );
  const { output, indices } = minPool2d(input, { kernelSize: 2, returnIndices: true });
  assert.deepEqual(Array.from(output.values), [1, 3, 9, 11]);
  assert.deepEqual(Array.from(indices.intValues), [0, 2, 8, 10]);
});

test('padding never wins: SAME on [5, -1, 7] with a 2-wide window gives [-1, 7]', () => {
  const output = minPool1d(tensor([5, -1, 7], [1, 3, 1]), { kernelSize: 2, padding: 'same' });
  assert.deepEqual(Array.from(output.values), [-1, 7]);
});

test('NaN propagates (last NaN is the argmin); the first of tied minima gets the gradient', () => {
  const { output, indices } = minPool1d(tensor([1, NaN, NaN, 0], [1, 4, 1]), { kernelSize: 4, returnIndices: true });
  assert.ok(Number.isNaN(output.values[0]));
  assert.equal(indices.intValues[0], 2);
  const tied = requireGrad(tensor([2, 2, 2, 2], [1, 2, 2, 1]));
  backward(minPool2d(tied, { kernelSize: 2 }));
  assert.deepEqual(Array.from(tied.grad!.values), [1, 0, 0, 0]);
});

test('equals TensorFlow.js −maxPool(−x), forward and gradient, on random 2D shapes and windows', () => {
  fc.assert(
    fc.property(
      fc.record({
        height: fc.integer({ min: 1, max: 7 }),
        width: fc.integer({ min: 1, max: 7 }),
        channels: fc.integer({ min: 1, max: 3 }),
        kernel: fc.integer({ min: 1, max: 3 }),
        stride: fc.integer({ min: 1, max: 3 }),
        same: fc.boolean(),
        seed: fc.integer({ min: 1, max: 1000 }),
      }),
      ({ height, width, channels, kernel, stride, same, seed }) => {
        const padding = same ? 'same' : 'valid';
        if (!same && (kernel > height || kernel > width)) return;
        const x = requireGrad(uniformTensor([2, height, width, channels], seed));
        const y = minPool2d(x, { kernelSize: kernel, stride, padding });
        const weights = uniformTensor(y.shape, seed + 1);
        backward(y, weights);
        const expected = tf.tidy(() => {
          const tx = tf.tensor4d(x.toFloat32Array(), [2, height, width, channels]);
          const pool = (input: tf.Tensor) => tf.neg(tf.maxPool(tf.neg(input) as tf.Tensor4D, kernel, stride, padding));
          const gradient = tf.grad(pool)(
            tx,
            tf.tensor4d(weights.toFloat32Array(), y.shape as [number, number, number, number]),
          );
          // −(−0) and 0 are the same gradient: compare values, not the sign of zero.
          return [pool(tx).dataSync(), gradient.dataSync()].map((values) => Array.from(values, (value) => value + 0));
        });
        assert.deepEqual(Array.from(y.values), expected[0]);
        // Overlapping windows add their shares in another order in TensorFlow.js: equal up to rounding.
        assertClose(x.grad!.values, expected[1]!, { label: 'gradient' });
      },
    ),
    { numRuns: 40, seed: 11 },
  );
});

test('finite differences agree in 1D, 2D and 3D (overlapping windows, padding, dilation)', () => {
  // Distinct values 0.1 apart: no two cells of a window within 2·epsilon, so the argmin cannot flip.
  gradcheck((x) => minPool1d(x!, { kernelSize: 3, stride: 2, padding: 1 }), [spacedTensor([2, 7, 2], 3)]);
  gradcheck((x) => minPool2d(x!, { kernelSize: 2, stride: 1, dilation: 2 }), [spacedTensor([1, 5, 5, 2], 4)]);
  gradcheck(
    (x) => minPool3d(x!, { kernelSize: 2, ceilMode: true, dataFormat: 'channelsFirst' }),
    [spacedTensor([1, 2, 3, 3, 3], 5)],
  );
});
