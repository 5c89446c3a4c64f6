// The extra pooling layers: output shapes, config round trips through the layer table, training
// draws from the call's Random (same seed, same numbers), learnable weights get gradients, and a
// tiny Sequential trains with each of them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backward,
  fractionalMaxPool3d,
  layerFromConfig,
  layers,
  Random,
  sequential,
  tensor,
  tidy,
  type Layer,
} from '../../src/index.js';
import { spacedValues } from '../helpers/gradcheck.js';

const input = () =>
  tensor(
    Float32Array.from(spacedValues(2 * 6 * 6 * 3, 1), (value) => value + 5),
    [2, 6, 6, 3],
  );

const cases: [string, () => Layer, number[]][] = [
  ['stochasticPooling2d', () => layers.stochasticPooling2d({ poolSize: 2 }), [2, 3, 3, 3]],
  ['randomPooling2d', () => layers.randomPooling2d({ poolSize: 2 }), [2, 3, 3, 3]],
  ['mixedPooling2d', () => layers.mixedPooling2d({ poolSize: 2, alphaScope: 'channel' }), [2, 3, 3, 3]],
  ['gatedPooling2d', () => layers.gatedPooling2d({ poolSize: 3, strides: 1 }), [2, 4, 4, 3]],
  ['fractionalMaxPooling2d', () => layers.fractionalMaxPooling2d({ outputRatio: 0.7 }), [2, 4, 4, 3]],
  [
    'fractionalMaxPooling2d (PyTorch)',
    () => layers.fractionalMaxPooling2d({ outputSize: 4, poolSize: 2 }),
    [2, 4, 4, 3],
  ],
  ['spatialPyramidPooling', () => layers.spatialPyramidPooling({ levels: [1, 2] }), [2, 15]],
  ['lstmPooling2d', () => layers.lstmPooling2d({ poolSize: 2, units: 4 }), [2, 3, 3, 4]],
];

for (const [name, make, shape] of cases) {
  test(`${name}: shape, config round trip, seeded training draws, gradients to weights`, () => {
    tidy(() => {
      const layer = make();
      const x = input();
      const inference = layer.apply(x);
      assert.deepEqual(inference.shape, shape);
      assert.deepEqual(layer.computeOutputShape([null, 6, 6, 3]), [null, ...shape.slice(1)]);
      const rebuilt = layerFromConfig(JSON.parse(JSON.stringify(layer.toJSON())));
      assert.equal(rebuilt.className, layer.className);
      assert.deepEqual(rebuilt.getConfig(), layer.getConfig());
      const train = (seed: number) => Array.from(layer.apply(x, { training: true, random: new Random(seed) }).values);
      assert.deepEqual(train(3), train(3));
      const output = layer.apply(x, { training: true, random: new Random(4) });
      if (layer.parameters.length > 0) {
        backward(output, tensor(Float32Array.from(spacedValues(output.size, 2)), output.shape));
        for (const parameter of layer.parameters) {
          assert.ok(parameter.tensor.grad !== null, `${parameter.name} has a gradient`);
          assert.ok(
            parameter.tensor.grad.values.some((value) => value !== 0),
            `${parameter.name} gradient is not all 0`,
          );
        }
      }
    });
  });
}

test('drawing layers differ between seeds when training and agree with the expectation at inference', () => {
  const x = input();
  for (const layer of [layers.stochasticPooling2d(), layers.randomPooling2d(), layers.fractionalMaxPooling2d()]) {
    const draw = (seed: number) => Array.from(layer.apply(x, { training: true, random: new Random(seed) }).values);
    assert.notDeepEqual(draw(1), draw(2), layer.className);
    assert.deepEqual(Array.from(layer.apply(x).values), Array.from(layer.apply(x).values));
  }
});

test('maskedPooling1d ignores all-maskValue steps', () => {
  const layer = layers.maskedPooling1d({ mode: 'average' });
  const x = tensor([1, 2, 3, 4, 0, 0, 5, 6, 0, 0, 0, 0], [2, 3, 2]);
  assert.deepEqual(Array.from(layer.apply(x).values), [2, 3, 5, 6]);
  assert.deepEqual(layer.computeOutputShape([null, 3, 2]), [null, 2]);
  assert.equal(layerFromConfig(layer.toJSON()).className, 'MaskedPooling1D');
});

test('spatialPyramidPooling takes any height and width', () => {
  const layer = layers.spatialPyramidPooling();
  assert.deepEqual(layer.computeOutputShape([null, null, null, 8]), [null, 168]);
  assert.deepEqual(layer.apply(tensor(new Float32Array(5 * 7 * 8), [1, 5, 7, 8])).shape, [1, 168]);
});

test('a small Sequential with mixed pooling trains and moves its alpha', async () => {
  const model = sequential({
    seed: 1,
    layers: [
      layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 1] }),
      layers.mixedPooling2d({ poolSize: 2 }),
      layers.flatten(),
      layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const x = tensor(Float32Array.from(spacedValues(16 * 36, 3)), [16, 6, 6, 1]);
  const y = tensor(
    Array.from({ length: 16 }, (_, index) => index % 2),
    [16],
  );
  const before = model.parameters.find((parameter) => parameter.name.endsWith('alpha'))!.tensor.values[0];
  await model.fit(x, y, { epochs: 2, batchSize: 8 });
  const after = model.parameters.find((parameter) => parameter.name.endsWith('alpha'))!.tensor.values[0];
  assert.notEqual(after, before);
});

test('fractionalMaxPooling3d: shapes in both layouts, inference equals the op at u = 0.5, training is seeded', () => {
  tidy(() => {
    const x = tensor(Float32Array.from(spacedValues(2 * 5 * 6 * 7 * 3, 5)), [2, 5, 6, 7, 3]);
    const layer = layers.fractionalMaxPooling3d({ outputSize: [3, 4, 4], poolSize: 2 });
    assert.deepEqual(layer.computeOutputShape([null, 5, 6, 7, 3]), [null, 3, 4, 4, 3]);
    const expected = fractionalMaxPool3d(x, {
      outputSize: [3, 4, 4],
      kernelSize: 2,
      sequence: 'pseudoRandom',
      samples: new Float32Array(2 * 3 * 3).fill(0.5),
    });
    assert.deepEqual(Array.from(layer.apply(x).values), Array.from(expected.values));
    const train = (seed: number) => Array.from(layer.apply(x, { training: true, random: new Random(seed) }).values);
    assert.deepEqual(train(7), train(7));
    assert.notDeepEqual(train(7), train(8));
    const rebuilt = layerFromConfig(JSON.parse(JSON.stringify(layer.toJSON())));
    assert.equal(rebuilt.className, 'FractionalMaxPooling3D');
    assert.deepEqual(rebuilt.getConfig(), layer.getConfig());
    const first = layers.fractionalMaxPooling3d({ outputRatio: 0.5, dataFormat: 'channelsFirst' });
    assert.deepEqual(first.computeOutputShape([null, 3, 8, 6, 4]), [null, 3, 4, 3, 2]);
    assert.throws(() => layer.computeOutputShape([null, 6, 7, 3]), /FractionalMaxPooling3D.*input/);
  });
});
