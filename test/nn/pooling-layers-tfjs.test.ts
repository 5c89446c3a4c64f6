// Pooling and batch-norm layers against the same tfjs-layers layers: Keras's poolSize/strides/padding
// defaults, 'same' averages divided by the in-bounds count, global pooling, inference batch norm.
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { layers, Random, tensor, type Layer } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

before(async () => {
  await tf.setBackend('cpu');
});

function compareLayer(ours: Layer, theirs: tfl.layers.Layer, shape: number[], seed: number): void {
  const random = new Random(seed);
  const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.uniform() * 4 - 2);
  const expected = (theirs.apply(tf.tensor(values, shape)) as tf.Tensor).dataSync();
  const actual = ours.apply(tensor(values, shape));
  assertClose(actual.values, expected, { absolute: 1e-5, relative: 1e-5, label: ours.className });
}

test('MaxPooling and AveragePooling 1D/2D/3D with VALID and SAME match tfjs-layers', () => {
  for (const padding of ['valid', 'same'] as const) {
    compareLayer(
      layers.maxPooling1d({ poolSize: 3, strides: 2, padding }),
      tfl.layers.maxPooling1d({ poolSize: 3, strides: 2, padding }),
      [2, 8, 3],
      1,
    );
    compareLayer(
      layers.averagePooling1d({ poolSize: 3, strides: 2, padding }),
      tfl.layers.averagePooling1d({ poolSize: 3, strides: 2, padding }),
      [2, 8, 3],
      2,
    );
    compareLayer(layers.maxPooling2d({ padding }), tfl.layers.maxPooling2d({ poolSize: 2, padding }), [2, 5, 7, 3], 3);
    compareLayer(
      layers.averagePooling2d({ poolSize: 3, strides: 2, padding }),
      tfl.layers.averagePooling2d({ poolSize: 3, strides: 2, padding }),
      [2, 7, 6, 2],
      4,
    );
    compareLayer(
      layers.maxPooling3d({ poolSize: 2, padding }),
      tfl.layers.maxPooling3d({ poolSize: 2, padding }),
      [1, 5, 4, 5, 2],
      5,
    );
    compareLayer(
      layers.averagePooling3d({ poolSize: [2, 3, 2], padding }),
      tfl.layers.averagePooling3d({ poolSize: [2, 3, 2], padding }),
      [1, 5, 5, 4, 2],
      6,
    );
  }
});

test('global max and average pooling match tfjs-layers', () => {
  compareLayer(layers.globalMaxPooling1d(), tfl.layers.globalMaxPooling1d(), [2, 6, 3], 7);
  compareLayer(layers.globalAveragePooling1d(), tfl.layers.globalAveragePooling1d({}), [2, 6, 3], 8);
  compareLayer(layers.globalMaxPooling2d(), tfl.layers.globalMaxPooling2d({}), [2, 4, 5, 3], 9);
  compareLayer(layers.globalAveragePooling2d(), tfl.layers.globalAveragePooling2d({}), [2, 4, 5, 3], 10);
});

test('BatchNormalization in inference matches tfjs-layers with the same weights', () => {
  const ours = layers.batchNormalization({ epsilon: 0.01 });
  const theirs = tfl.layers.batchNormalization({ epsilon: 0.01 });
  const shape = [3, 2, 4];
  ours.build([null, 2, 4]);
  theirs.build(shape);
  const weights = [
    [0.5, 1, 1.5, 2],
    [0, 0.1, -0.2, 0.3],
    [0.1, -0.1, 0.2, 0],
    [1, 2, 0.5, 0.25],
  ];
  ours.parameters.forEach((parameter, index) => parameter.tensor.values.set(weights[index]!));
  theirs.setWeights(weights.map((values) => tf.tensor1d(values)));
  compareLayer(ours, theirs, shape, 11);
});
