// The ops behind the text, signal, volume and merge layers, against TensorFlow.js's CPU backend
// (forward and gradients) and finite differences: conv1d, conv3d, embeddingLookup, upSampling2d,
// concat, stepMask and maskSteps.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import {
  conv1d,
  conv3d,
  embeddingLookup,
  maskSteps,
  PoolkitArgumentError,
  Random,
  stepMask,
  tensor,
  upSampling2d,
} from '../../src/index.js';
import { concat } from '../../src/ops/nn/slice-concat.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { compareWithTfjs, randomValues } from '../helpers/tfjs-grads.js';

before(async () => {
  await tf.setBackend('cpu');
});

test('conv1d matches tf.conv1d + bias for valid and same, strides and dilation; causal equals a left-padded valid conv', () => {
  const cases = [
    { padding: 'valid', stride: 1, dilation: 1 },
    { padding: 'same', stride: 1, dilation: 1 },
    { padding: 'same', stride: 2, dilation: 1 },
    { padding: 'valid', stride: 3, dilation: 1 },
    { padding: 'same', stride: 1, dilation: 2 },
  ] as const;
  cases.forEach((options, index) => {
    const shapes = [[2, 9, 3], [3, 3, 4], [4]];
    compareWithTfjs(
      (x, f, b) => conv1d(x!, f!, b!, options),
      (x, f, b) =>
        tf.add(
          tf.conv1d(x as tf.Tensor3D, f as tf.Tensor3D, options.stride, options.padding, 'NWC', options.dilation),
          b!,
        ),
      { label: `conv1d ${JSON.stringify(options)}`, shapes, seed: 10 + index },
      options.dilation > 1, // tfjs has no gradient of dilated conv1d
    );
  });
  compareWithTfjs(
    (x, f) => conv1d(x!, f!, null, { padding: 'causal', dilation: 2 }),
    (x, f) =>
      tf.conv1d(
        tf.pad(x as tf.Tensor3D, [
          [0, 0],
          [4, 0],
          [0, 0],
        ]),
        f as tf.Tensor3D,
        1,
        'valid',
        'NWC',
        2,
      ),
    {
      label: 'causal conv1d',
      shapes: [
        [2, 7, 2],
        [3, 2, 3],
      ],
      seed: 20,
    },
    true,
  );
});

test('conv1d gradients (causal, dilated, strided) pass finite differences', () => {
  const random = new Random(3);
  const input = tensor(randomValues(2 * 8 * 2, random), [2, 8, 2]);
  const filter = tensor(randomValues(3 * 2 * 3, random), [3, 2, 3]);
  const bias = tensor(randomValues(3, random), [3]);
  gradcheck((x, f, b) => conv1d(x!, f!, b!, { padding: 'causal', dilation: 2 }), [input, filter, bias]);
  gradcheck((x, f, b) => conv1d(x!, f!, b!, { padding: 'same', stride: 2 }), [input, filter, bias]);
});

test('conv3d matches tf.conv3d: forward and gradients of input and filter, valid and same, strided', () => {
  const cases = [
    { padding: 'valid', stride: [1, 1, 1] },
    { padding: 'same', stride: [1, 1, 1] },
    { padding: 'same', stride: [2, 1, 2] },
    { padding: 'valid', stride: [1, 2, 1] },
  ] as const;
  cases.forEach((options, index) => {
    compareWithTfjs(
      (x, f) => conv3d(x!, f!, null, { padding: options.padding, stride: options.stride }),
      (x, f) =>
        tf.conv3d(x as tf.Tensor5D, f as tf.Tensor5D, [...options.stride] as [number, number, number], options.padding),
      {
        label: `conv3d ${JSON.stringify(options)}`,
        shapes: [
          [2, 4, 5, 4, 2],
          [2, 3, 2, 2, 3],
        ],
        seed: 30 + index,
      },
    );
  });
  compareWithTfjs(
    (x, f, b) => conv3d(x!, f!, b!, { dilation: [2, 1, 1] }),
    (x, f, b) => tf.add(tf.conv3d(x as tf.Tensor5D, f as tf.Tensor5D, 1, 'valid', 'NDHWC', [2, 1, 1]), b!),
    { label: 'dilated conv3d', shapes: [[1, 5, 3, 3, 2], [2, 2, 2, 2, 2], [2]], seed: 40 },
    true, // tfjs: no gradient of dilated conv3d
  );
});

test('conv3d gradients (input, filter, bias; dilated, explicit padding, channels first) pass finite differences', () => {
  const random = new Random(4);
  const input = tensor(randomValues(1 * 4 * 3 * 4 * 2, random), [1, 4, 3, 4, 2]);
  const filter = tensor(randomValues(2 * 2 * 2 * 2 * 2, random), [2, 2, 2, 2, 2]);
  const bias = tensor(randomValues(2, random), [2]);
  gradcheck((x, f, b) => conv3d(x!, f!, b!, { dilation: [2, 1, 1], padding: [1, 0, 1] }), [input, filter, bias]);
  const first = tensor(randomValues(1 * 2 * 3 * 3 * 3, random), [1, 2, 3, 3, 3]);
  gradcheck(
    (x, f) => conv3d(x!, f!, null, { dataFormat: 'channelsFirst', stride: 2, padding: 'same' }),
    [first, filter],
  );
});

test('conv3d refuses an unknown option and names the nearest one', () => {
  const input = tensor(new Float32Array(64), [1, 4, 4, 4, 1]);
  const filter = tensor(new Float32Array(8), [2, 2, 2, 1, 1]);
  const options = { stride: 1, paddin: 'same' } as unknown as Parameters<typeof conv3d>[3];
  assert.throws(
    () => conv3d(input, filter, null, options),
    /conv3d: options has no 'paddin'; did you mean 'padding'\?/,
  );
});

test('embeddingLookup matches tf.gather: rows by index, and the scatter-add gradient for repeated indices', () => {
  const indices = Float32Array.from([3, 0, 3, 1, 4, 3]);
  compareWithTfjs(
    (table, positions) => embeddingLookup(table!, positions!),
    (table, positions) => tf.gather(table!, tf.cast(positions!, 'int32')),
    {
      label: 'embedding',
      shapes: [
        [5, 4],
        [2, 3],
      ],
      values: [randomValues(20, new Random(5)), indices],
      seed: 5,
      differentiable: [0],
    },
  );
  const table = tensor(randomValues(20, new Random(6)), [5, 4]);
  gradcheck((weights) => embeddingLookup(weights!, tensor(indices, [2, 3])), [table]);
  const asInt = embeddingLookup(table, tensor([3, 0], [2], 'int32'));
  assert.deepEqual(Array.from(asInt.values), [...table.values.subarray(12, 16), ...table.values.subarray(0, 4)]);
});

test('embeddingLookup rejects fractional, negative and out-of-range indices by name', () => {
  const table = tensor(randomValues(8, new Random(1)), [4, 2]);
  for (const bad of [[1.5], [-1], [4]]) {
    assert.throws(
      () => embeddingLookup(table, tensor(bad, [1])),
      (error: Error) => {
        assert.ok(error instanceof PoolkitArgumentError);
        assert.match(error.message, /indices must hold whole numbers in \[0, 4\)/);
        return true;
      },
    );
  }
});

test('upSampling2d matches tf.image.resizeNearestNeighbor and resizeBilinear (forward and gradient)', () => {
  const sizes = [
    [2, 2],
    [3, 2],
    [1, 3],
  ] as const;
  sizes.forEach((size, index) => {
    const out: [number, number] = [3 * size[0], 4 * size[1]];
    // tfjs's CPU nearest-neighbour gradient offsets batch b of dy by b·(input's batch stride), so
    // it is wrong past the first example: its gradient is compared on one example, ours checked
    // on two by finite differences below.
    for (const batch of [1, 2]) {
      compareWithTfjs(
        (x) => upSampling2d(x!, { size }),
        (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, out),
        { label: `nearest ${size} batch ${batch}`, shapes: [[batch, 3, 4, 2]], seed: 50 + index },
        batch > 1,
      );
    }
    compareWithTfjs(
      (x) => upSampling2d(x!, { size, interpolation: 'bilinear' }),
      (x) => tf.image.resizeBilinear(x as tf.Tensor4D, out),
      { label: `bilinear ${size}`, shapes: [[2, 3, 4, 2]], seed: 60 + index },
      true, // tfjs's gradient of resizeBilinear swaps height and width on non-square inputs
    );
    compareWithTfjs(
      (x) => upSampling2d(x!, { size, interpolation: 'bilinear' }),
      (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [4 * size[0], 4 * size[1]]),
      { label: `bilinear ${size} square`, shapes: [[2, 4, 4, 2]], seed: 60 + index },
    );
  });
  const input = tensor(randomValues(2 * 3 * 3 * 2, new Random(7)), [2, 2, 3, 3]);
  gradcheck((x) => upSampling2d(x!, { size: [2, 3], interpolation: 'bilinear', dataFormat: 'channelsFirst' }), [input]);
  gradcheck((x) => upSampling2d(x!, { size: [3, 2] }), [input]);
});

test('concat matches tf.concat along every axis, gradients split back to each input', () => {
  for (const axis of [0, 1, 2, -1]) {
    const shapes = [2, 3, 4].map((_, index) =>
      [2, 3, 4].map((extent, other) => (other === (axis + 3) % 3 ? extent + index : extent)),
    );
    compareWithTfjs(
      (a, b, c) => concat([a!, b!, c!], axis),
      (a, b, c) => tf.concat([a!, b!, c!], axis),
      { label: `concat axis ${axis}`, shapes, seed: 70 + axis },
    );
  }
  assert.throws(() => concat([tensor([1, 2], [1, 2]), tensor([1, 2, 3], [1, 3])], 0), /except along axis 0/);
});

test('stepMask marks steps whose features all equal the mask value; maskSteps zeroes them and their gradient', () => {
  const x = tensor([1, 0, 0, 0, 0, 2, -1, -1, 3, 3, 0, 0], [2, 3, 2]);
  assert.deepEqual(Array.from(stepMask(x).values), [1, 0, 1, 1, 1, 0]);
  assert.deepEqual(Array.from(stepMask(x, -1).values), [1, 1, 1, 0, 1, 1]);
  const mask = stepMask(x);
  assert.deepEqual(Array.from(maskSteps(x, mask).values), [1, 0, 0, 0, 0, 2, -1, -1, 3, 3, 0, 0]);
  compareWithTfjs(
    (input) => maskSteps(input!, mask),
    (input) => tf.mul(input!, tf.expandDims(tf.tensor(mask.toFloat32Array(), [2, 3]), -1)),
    { label: 'maskSteps', shapes: [[2, 3, 2]], seed: 80 },
  );
  assert.throws(() => maskSteps(x, tensor([1, 0], [2])), /mask must have shape \[2, 3\]/);
});
