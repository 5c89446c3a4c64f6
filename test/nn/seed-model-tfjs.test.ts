// The seed articles' model against the same model in TensorFlow.js layers (CPU backend) with the
// same weights: predictions, the loss, and the gradient of every weight.
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { backward, layers, Random, sequential, sparseSoftmaxCrossEntropy, tensor, tidy } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

before(async () => {
  await tf.setBackend('cpu');
});

test('seed model: predictions, sparse cross-entropy and all six weight gradients equal tfjs-layers', () => {
  const ours = sequential([
    layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: 128, activation: 'relu' }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  const theirs = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 128, activation: 'relu' }),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  // Random non-zero biases, so the bias paths are exercised too.
  const random = new Random(12);
  const weights = ours.getWeights().map((weight) => {
    const values = weight.toFloat32Array();
    if (weight.rank === 1) values.forEach((_, index) => (values[index] = (random.uniform() - 0.5) * 0.1));
    return values;
  });
  const shapes = ours.parameters.map((parameter) => [...parameter.tensor.shape]);
  ours.setWeights(weights.map((values, index) => tensor(values, shapes[index])));
  theirs.setWeights(weights.map((values, index) => tf.tensor(values, shapes[index])));

  const batch = 4;
  const pixels = Float32Array.from({ length: batch * 784 }, () => (random.uniform() < 0.7 ? 0 : random.uniform()));
  const labels = [3, 7, 0, 9];
  const theirProbabilities = (theirs.predict(tf.tensor(pixels, [batch, 28, 28, 1])) as tf.Tensor).dataSync();
  assertClose(ours.predict(tensor(pixels, [batch, 28, 28, 1])).values, theirProbabilities, {
    absolute: 1e-6,
    relative: 1e-4,
    label: 'probabilities',
  });

  const theirGradients = tf.variableGrads(() => {
    const probabilities = theirs.apply(tf.tensor(pixels, [batch, 28, 28, 1])) as tf.Tensor;
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(probabilities)), -1))) as tf.Scalar;
  });
  tidy(() => {
    const logits = ours.call(tensor(pixels, [batch, 28, 28, 1]), { training: true, logits: true });
    const loss = sparseSoftmaxCrossEntropy(logits, tensor(labels, [batch]));
    backward(loss);
    assertClose(loss.values, theirGradients.value.dataSync(), { relative: 1e-5, label: 'loss' });
    ours.parameters.forEach((parameter, index) => {
      const expected = theirGradients.grads[theirs.trainableWeights[index]!.name]!;
      assertClose(parameter.tensor.grad!.values, expected.dataSync(), {
        absolute: 1e-5,
        relative: 1e-3,
        label: `gradient of ${parameter.name}`,
      });
    });
    for (const parameter of ours.parameters) parameter.tensor.grad = null; // freed by this tidy()
  });
});
