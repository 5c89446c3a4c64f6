// Every layer: output shape, finite-difference gradients of input and weights, config round trip.
import { test } from 'node:test';
import { layers, Random, tensor, type Tensor } from '../../src/index.js';
import { spacedValues } from '../helpers/gradcheck.js';
import { checkLayer } from './layer-check.js';

function values(shape: number[], seed: number, scale = 1): Tensor {
  const random = new Random(seed);
  const count = shape.reduce((total, extent) => total * extent, 1);
  return tensor(
    Float32Array.from({ length: count }, () => (random.uniform() * 2 - 1) * scale),
    shape,
  );
}

/** Distinct values (no near-ties for max pooling), offset from 0 (no kink for relu or |x|). */
function spaced(shape: number[], seed: number): Tensor {
  const count = shape.reduce((total, extent) => total * extent, 1);
  return tensor(
    spacedValues(count, seed).map((value) => value + 0.05),
    shape,
  );
}

test('Conv2D: VALID, SAME with strides, channelsFirst, without bias; smooth activations', () => {
  checkLayer(layers.conv2d({ filters: 2, kernelSize: 3, activation: 'tanh' }), values([2, 5, 5, 2], 1));
  checkLayer(layers.conv2d({ filters: 3, kernelSize: [2, 3], strides: 2, padding: 'same' }), values([1, 5, 6, 2], 2));
  checkLayer(
    layers.conv2d({ filters: 2, kernelSize: 2, dataFormat: 'channelsFirst', dilationRate: 2, activation: 'sigmoid' }),
    values([2, 2, 5, 5], 3),
  );
  checkLayer(layers.conv2d({ filters: 2, kernelSize: 1, useBias: false }), values([1, 3, 3, 3], 4));
});

test('Dense on rank 2 and rank 3 inputs, Activation softmax, Flatten, Dropout in training', () => {
  checkLayer(layers.dense({ units: 3, activation: 'sigmoid' }), values([4, 5], 5));
  checkLayer(layers.dense({ units: 2, useBias: false }), values([2, 3, 4], 6));
  checkLayer(layers.activation({ activation: 'softmax' }), values([3, 4], 7, 2));
  checkLayer(layers.flatten(), values([2, 3, 2, 2], 8));
  checkLayer(layers.dropout({ rate: 0.5 }), values([4, 6], 9), { training: true });
});

test('BatchNormalization in training and in inference', () => {
  checkLayer(layers.batchNormalization(), values([4, 3, 2], 10, 2), { training: true, epsilon: 1e-3 });
  checkLayer(layers.batchNormalization({ axis: 1, center: false }), values([3, 2, 2, 2], 11, 2), { epsilon: 1e-3 });
});

test('MaxPooling, AveragePooling and LpPooling in 1, 2 and 3 dimensions', () => {
  checkLayer(layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' }), spaced([2, 7, 2], 12));
  checkLayer(layers.maxPooling2d({ poolSize: 2 }), spaced([2, 4, 5, 2], 13));
  checkLayer(layers.maxPooling3d({ poolSize: [1, 2, 2], dataFormat: 'channelsFirst' }), spaced([1, 2, 2, 4, 4], 14));
  checkLayer(layers.averagePooling1d({ poolSize: 2 }), values([2, 6, 2], 15));
  checkLayer(layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }), values([1, 5, 5, 2], 16));
  checkLayer(layers.averagePooling3d({ poolSize: 2 }), values([1, 4, 4, 4, 1], 17));
  checkLayer(layers.lpPooling1d({ p: 2, poolSize: 2 }), spaced([1, 6, 2], 18));
  checkLayer(layers.lpPooling2d({ p: 3, poolSize: 2, padding: 'same' }), spaced([1, 5, 5, 1], 19));
  checkLayer(layers.lpPooling3d({ poolSize: [2, 2, 1] }), spaced([1, 4, 4, 2, 1], 20));
});

test('Global and adaptive pooling layers', () => {
  checkLayer(layers.globalMaxPooling1d(), spaced([2, 5, 3], 21));
  checkLayer(layers.globalMaxPooling2d({ keepDims: true }), spaced([2, 3, 3, 2], 22));
  checkLayer(layers.globalMaxPooling3d(), spaced([1, 2, 3, 3, 2], 23));
  checkLayer(layers.globalAveragePooling1d(), values([2, 5, 3], 24));
  checkLayer(layers.globalAveragePooling2d({ dataFormat: 'channelsFirst' }), values([2, 2, 3, 3], 25));
  checkLayer(layers.globalAveragePooling3d(), values([1, 2, 3, 3, 2], 26));
  checkLayer(layers.adaptiveMaxPooling1d({ outputSize: 3 }), spaced([2, 7, 2], 27));
  checkLayer(layers.adaptiveMaxPooling2d({ outputSize: [2, 3] }), spaced([1, 5, 7, 2], 28));
  checkLayer(layers.adaptiveMaxPooling3d({ outputSize: 2 }), spaced([1, 3, 3, 3, 1], 29));
  checkLayer(layers.adaptiveAveragePooling1d({ outputSize: 4 }), values([2, 7, 2], 30));
  checkLayer(layers.adaptiveAveragePooling2d({ outputSize: [3, null] }), values([1, 5, 4, 2], 31));
  checkLayer(
    layers.adaptiveAveragePooling3d({ outputSize: 2, dataFormat: 'channelsFirst' }),
    values([1, 1, 3, 4, 5], 32),
  );
});
