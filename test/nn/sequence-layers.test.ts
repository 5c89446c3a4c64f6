// The text, sequence, volume and merge layers: output shapes, finite-difference gradients of input
// and weights, config round trips through the layer table, argument errors, and masks made and
// passed on (Embedding maskZero, Masking, Conv1D 'same', Dense, merges) as Keras defines them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layerFromConfig, layers, PoolkitArgumentError, tensor, type Layer } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { randomTensor } from '../helpers/tfjs-grads.js';
import { checkLayer } from './layer-check.js';

const values = randomTensor;

function roundTrip(layer: Layer): void {
  const rebuilt = layerFromConfig(JSON.parse(JSON.stringify(layer.toJSON())));
  assert.equal(rebuilt.className, layer.className);
  assert.deepEqual(rebuilt.getConfig(), layer.getConfig());
}

test('Embedding: rows by index, weight gradient by finite differences, int32 or whole float32 indices', () => {
  const indices = tensor([1, 0, 3, 3, 2, 0], [2, 3]);
  const layer = layers.embedding({ inputDim: 4, outputDim: 3 });
  checkLayer(layer, indices, { skipInput: true });
  assert.deepEqual(layer.computeOutputShape([null, 3]), [null, 3, 3]);
  const table = layer.parameters[0]!.tensor;
  assert.deepEqual(layer.parameters[0]!.name, 'embeddings');
  assert.ok(
    table.values.every((value) => Math.abs(value) <= 0.05),
    "Keras's U(-0.05, 0.05) initialiser",
  );
  const fromInt = layer.apply(tensor([3, 1], [1, 2], 'int32'));
  assert.deepEqual(Array.from(fromInt.values), [...table.values.subarray(9, 12), ...table.values.subarray(3, 6)]);
  assert.throws(() => layer.apply(tensor([0.5, 1], [1, 2])), /indices must hold whole numbers in \[0, 4\)/);
  assert.throws(() => layers.embedding({ inputDim: 0, outputDim: 3 }), /inputDim must be a positive integer/);
});

test('Embedding with maskZero makes the mask 1 where the index is not 0; without it, none', () => {
  const indices = tensor([5, 2, 0, 0, 7, 0], [2, 3]);
  const masked = layers.embedding({ inputDim: 8, outputDim: 2, maskZero: true });
  assert.deepEqual(Array.from(masked.computeMask(indices, null)!.values), [1, 1, 0, 0, 1, 0]);
  assert.equal(layers.embedding({ inputDim: 8, outputDim: 2 }).computeMask(indices, null), null);
  roundTrip(layers.embedding({ inputDim: 8, outputDim: 2, maskZero: true, inputLength: 3 }));
  assert.deepEqual(layers.embedding({ inputDim: 8, outputDim: 2, inputLength: 3 }).config.inputShape, [3]);
});

test('Conv1D: valid, same with strides, causal and dilated, without bias; Keras kernel layout', () => {
  checkLayer(layers.conv1d({ filters: 3, kernelSize: 3, activation: 'tanh' }), values([2, 7, 2], 1));
  checkLayer(layers.conv1d({ filters: 2, kernelSize: 2, strides: 2, padding: 'same' }), values([1, 7, 3], 2));
  checkLayer(layers.conv1d({ filters: 2, kernelSize: 3, padding: 'causal', dilationRate: 2 }), values([2, 6, 2], 3));
  const layer = layers.conv1d({ filters: 4, kernelSize: 5, useBias: false });
  checkLayer(layer, values([1, 6, 2], 4));
  assert.deepEqual(
    layer.parameters.map((parameter) => [parameter.name, ...parameter.tensor.shape]),
    [['kernel', 5, 2, 4]],
  );
  assert.deepEqual(
    layers.conv1d({ filters: 2, kernelSize: 3, padding: 'causal' }).computeOutputShape([null, null, 4]),
    [null, null, 2],
  );
  assert.throws(
    () => layers.conv1d({ filters: 2, kernelSize: 3, padding: 'full' as 'same' }),
    /'valid', 'same' or 'causal'/,
  );
  assert.throws(() => layers.conv2d({ filters: 2, kernelSize: 3, padding: 'causal' }), /Conv1D only/);
});

test('Conv1D passes a mask on only when output steps are input steps (strides 1, same or causal)', () => {
  const mask = tensor([1, 1, 0, 0], [1, 4]);
  const input = values([1, 4, 2], 5);
  assert.equal(layers.conv1d({ filters: 2, kernelSize: 3, padding: 'same' }).computeMask(input, mask), mask);
  assert.equal(layers.conv1d({ filters: 2, kernelSize: 3, padding: 'causal' }).computeMask(input, mask), mask);
  assert.equal(layers.conv1d({ filters: 2, kernelSize: 3 }).computeMask(input, mask), null);
  assert.equal(
    layers.conv1d({ filters: 2, kernelSize: 1, strides: 2, padding: 'same' }).computeMask(input, mask),
    null,
  );
  assert.equal(layers.dense({ units: 2 }).computeMask(input, mask), mask, 'Dense supports masking, as in Keras');
  assert.equal(layers.flatten().computeMask(input, mask), null, 'Flatten drops it');
});

test('Conv3D: valid, same with strides, channels first, dilated', () => {
  checkLayer(layers.conv3d({ filters: 2, kernelSize: 2, activation: 'sigmoid' }), values([1, 3, 3, 3, 2], 6));
  checkLayer(
    layers.conv3d({ filters: 2, kernelSize: [2, 1, 2], strides: 2, padding: 'same' }),
    values([1, 3, 4, 3, 1], 7),
  );
  checkLayer(
    layers.conv3d({ filters: 1, kernelSize: 2, dataFormat: 'channelsFirst', dilationRate: [1, 2, 1] }),
    values([1, 2, 3, 4, 3], 8),
  );
  assert.deepEqual(layers.conv3d({ filters: 8, kernelSize: 3 }).computeOutputShape([null, 5, 6, 7, 2]), [
    null,
    3,
    4,
    5,
    8,
  ]);
});

test('Reshape infers one -1 and keeps the batch; UpSampling2D nearest and bilinear', () => {
  checkLayer(layers.reshape({ targetShape: [-1, 4] }), values([2, 6, 2], 9));
  assert.deepEqual(layers.reshape({ targetShape: [3, -1] }).computeOutputShape([null, 2, 6]), [null, 3, 4]);
  assert.throws(
    () => layers.reshape({ targetShape: [5, -1] }).computeOutputShape([null, 2, 6]),
    /must hold 12 values per example/,
  );
  assert.throws(() => layers.reshape({ targetShape: [-1, -1] }), /at most one -1/);
  checkLayer(layers.upSampling2d({ size: [2, 3] }), values([2, 2, 3, 2], 10));
  checkLayer(layers.upSampling2d({ interpolation: 'bilinear', dataFormat: 'channelsFirst' }), values([1, 2, 3, 2], 11));
  assert.deepEqual(layers.upSampling2d().computeOutputShape([null, 7, null, 3]), [null, 14, null, 3]);
});

test('Masking zeroes the steps whose features all equal maskValue and outputs their mask', () => {
  const input = tensor([1, 2, -1, -1, 0, 3, -1, -1], [2, 2, 2]);
  const layer = layers.masking({ maskValue: -1 });
  assert.deepEqual(Array.from(layer.apply(input).values), [1, 2, 0, 0, 0, 3, 0, 0]);
  assert.deepEqual(Array.from(layer.computeMask(input, null).values), [1, 0, 1, 0]);
  checkLayer(layers.masking({ maskValue: 5 }), values([2, 3, 2], 12));
});

test('Concatenate and Add: shapes, values, gradients to every input, masks, and errors', () => {
  const [a, b] = [values([2, 3, 2], 13), values([2, 3, 4], 14)];
  const concatenate = layers.concatenate();
  assert.deepEqual(
    concatenate.computeOutputShape([
      [null, 3, 2],
      [null, 3, 4],
    ] as never),
    [null, 3, 6],
  );
  assert.deepEqual(concatenate.apply([a, b]).shape, [2, 3, 6]);
  gradcheck((x, y) => concatenate.apply([x!, y!]), [a, b]);
  const along = layers.concatenate({ axis: 1 });
  assert.deepEqual(
    along.computeOutputShape([
      [null, 3, 2],
      [null, null, 2],
    ] as never),
    [null, null, 2],
  );
  const sum = layers.add();
  const c = values([2, 3, 2], 15);
  assertClose(
    sum.apply([a, c]).values,
    Array.from(a.values, (value, index) => value + c.values[index]!),
  );
  gradcheck((x, y) => sum.apply([x!, y!]), [a, c]);
  const [maskA, maskB] = [tensor([1, 1, 0, 1, 0, 0], [2, 3]), tensor([1, 0, 0, 1, 1, 0], [2, 3])];
  assert.deepEqual(Array.from(sum.computeMask([a, c], [maskA, maskB])!.values), [1, 0, 0, 1, 0, 0]);
  assert.deepEqual(Array.from(concatenate.computeMask([a, b], [maskA, null])!.values), Array.from(maskA.values));
  assert.deepEqual(along.computeMask([a, c], [maskA, null])!.shape, [2, 6]);
  assert.equal(sum.computeMask([a, c], [null, null]), null);
  assert.throws(() => sum.apply([a]), /must be a list of at least 2 tensors/);
  assert.throws(
    () =>
      sum.computeOutputShape([
        [null, 3, 2],
        [null, 3, 4],
      ] as never),
    /must have equal shapes/,
  );
  assert.throws(() => layers.concatenate({ axis: 0 }), /axis 0 is the batch/);
  roundTrip(layers.concatenate({ axis: 1, name: 'joined' }));
  roundTrip(sum);
});

test('bad configs name the argument', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => layers.conv1d({ filters: 0, kernelSize: 3 }), /filters must be a positive integer/],
    [() => layers.conv3d({ filters: 2, kernelSize: [2, 2] }), /kernelSize must be an integer of at least 1, or 3 such/],
    [
      () => layers.upSampling2d({ interpolation: 'cubic' as 'nearest' }),
      /interpolation must be 'nearest' or 'bilinear'/,
    ],
    [
      () => layers.embedding({ inputDim: 5, outputDim: 2, maskZero: 1 as unknown as boolean }),
      /maskZero must be a boolean/,
    ],
  ];
  for (const [make, message] of cases) {
    assert.throws(make, (error: Error) => error instanceof PoolkitArgumentError && message.test(error.message));
  }
});
