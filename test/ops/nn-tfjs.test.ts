// conv2d, dense, softmax and the cross-entropies against TensorFlow.js's CPU backend: forward
// values and the gradients of Σ w·f for a random w, on seeded random shapes and options.
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself; tfjs-layers registers them all.
import '@tensorflow/tfjs-layers';
import {
  backward,
  conv2d,
  dense,
  logSoftmax,
  Random,
  requireGrad,
  softmax,
  softmaxCrossEntropy,
  sparseSoftmaxCrossEntropy,
  tensor,
  tidy,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

before(async () => {
  await tf.setBackend('cpu');
});

function randomValues(count: number, random: Random, scale = 1): Float32Array {
  return Float32Array.from({ length: count }, () => (random.uniform() * 2 - 1) * scale);
}

/** Gradients of Σ weights·f(inputs) in poolkit (the tape) and the output. */
function poolkitGrads(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: Float32Array[],
  shapes: number[][],
  weights: Float32Array,
) {
  return tidy(() => {
    const leaves = inputs.map((values, index) => requireGrad(tensor(values, shapes[index])));
    const output = fn(...leaves);
    backward(output, tensor(weights, output.shape));
    return { output: output.toFloat32Array(), grads: leaves.map((leaf) => leaf.grad!.toFloat32Array()) };
  });
}

/** tfjs's output and gradients; `forwardOnly` where tfjs has no gradient (dilated conv2d). */
function tfjsGrads(
  fn: (...inputs: tf.Tensor[]) => tf.Tensor,
  inputs: Float32Array[],
  shapes: number[][],
  weights: Float32Array,
  forwardOnly = false,
) {
  return tf.tidy(() => {
    const tensors = inputs.map((values, index) => tf.tensor(values, shapes[index]));
    const output = fn(...tensors);
    if (forwardOnly) return { output: output.dataSync() as Float32Array, grads: [] };
    const loss = (...args: tf.Tensor[]) => tf.sum(tf.mul(fn(...args), tf.tensor(weights, output.shape)));
    const grads = tf.grads(loss)(tensors);
    return { output: output.dataSync() as Float32Array, grads: grads.map((grad) => grad.dataSync() as Float32Array) };
  });
}

function compare(label: string, ours: ReturnType<typeof poolkitGrads>, theirs: ReturnType<typeof tfjsGrads>): void {
  assertClose(ours.output, theirs.output, { absolute: 1e-4, relative: 1e-4, label: `${label} output` });
  if (theirs.grads.length === 0) return;
  ours.grads.forEach((grad, index) => {
    assertClose(grad, theirs.grads[index]!, { absolute: 1e-4, relative: 1e-4, label: `${label} gradient ${index}` });
  });
}

test('conv2d matches tf.conv2d + bias: forward and gradients of input, filter and bias (forward only when dilated)', () => {
  const random = new Random(2024);
  for (let trial = 0; trial < 8; trial++) {
    const kernel = [1 + random.integer(3), 1 + random.integer(3)];
    // Trial 0 is SAME with stride 2 and trial 1 dilated; the rest are drawn at random.
    const stride = trial === 0 ? [2, 2] : trial === 1 ? [1, 1] : [1 + random.integer(2), 1 + random.integer(2)];
    const dilation = trial === 1 ? [2, 2] : stride[0] === 1 && stride[1] === 1 ? [1 + random.integer(2), 1] : [1, 1];
    const padding = trial === 0 ? 'same' : random.uniform() < 0.5 ? ('valid' as const) : ('same' as const);
    const [batch, channels, filters] = [1 + random.integer(2), 1 + random.integer(3), 1 + random.integer(3)];
    const shapes = [
      [batch, 5 + random.integer(4), 5 + random.integer(4), channels],
      [...kernel, channels, filters],
      [filters],
    ];
    const inputs = shapes.map((shape) =>
      randomValues(
        shape.reduce((a, b) => a * b, 1),
        random,
      ),
    );
    const options = { stride, padding, dilation };
    const weights = randomValues(
      tidy(() => conv2d(tensor(inputs[0]!, shapes[0]), tensor(inputs[1]!, shapes[1]), null, options).size),
      random,
    );
    const label = `conv2d ${JSON.stringify({ shapes, stride, dilation, padding })}`;
    compare(
      label,
      poolkitGrads((x, f, b) => conv2d(x!, f!, b!, { stride, padding, dilation }), inputs, shapes, weights),
      tfjsGrads(
        (x, f, b) =>
          tf.add(
            tf.conv2d(
              x as tf.Tensor4D,
              f as tf.Tensor4D,
              stride as [number, number],
              padding,
              'NHWC',
              dilation as [number, number],
            ),
            b!,
          ),
        inputs,
        shapes,
        weights,
        dilation[0]! > 1 || dilation[1]! > 1, // tfjs: "dilation rates greater than 1 are not yet supported in gradients"
      ),
    );
  }
});

test('dense matches tf.matMul + bias: forward and gradients of input, kernel and bias', () => {
  const random = new Random(7);
  const shapes = [[6, 9], [9, 4], [4]];
  const inputs = shapes.map((shape) =>
    randomValues(
      shape.reduce((a, b) => a * b, 1),
      random,
    ),
  );
  const weights = randomValues(24, random);
  compare(
    'dense',
    poolkitGrads((x, w, b) => dense(x!, w!, b!), inputs, shapes, weights),
    tfjsGrads((x, w, b) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b!), inputs, shapes, weights),
  );
});

test('softmax and logSoftmax match tfjs, forward and gradient', () => {
  const random = new Random(8);
  const inputs = [randomValues(30, random, 4)];
  const weights = randomValues(30, random);
  compare(
    'softmax',
    poolkitGrads(softmax, inputs, [[5, 6]], weights),
    tfjsGrads((x) => tf.softmax(x!), inputs, [[5, 6]], weights),
  );
  compare(
    'logSoftmax',
    poolkitGrads(logSoftmax, inputs, [[5, 6]], weights),
    tfjsGrads((x) => tf.logSoftmax(x!), inputs, [[5, 6]], weights),
  );
});

test('sparse and dense softmax cross-entropy match tf.losses.softmaxCrossEntropy (mean over the batch)', () => {
  const random = new Random(9);
  const logits = randomValues(40, random, 5);
  const labels = [3, 0, 9, 4];
  const oneHot = Float32Array.from({ length: 40 }, (_, index) =>
    labels[Math.floor(index / 10)] === index % 10 ? 1 : 0,
  );
  const weights = Float32Array.of(0.7);
  const theirs = tfjsGrads(
    (z) => tf.losses.softmaxCrossEntropy(tf.tensor(oneHot, [4, 10]), z!),
    [logits],
    [[4, 10]],
    weights,
  );
  const sparse = poolkitGrads((z) => sparseSoftmaxCrossEntropy(z!, tensor(labels, [4])), [logits], [[4, 10]], weights);
  compare('sparseSoftmaxCrossEntropy', sparse, theirs);
  const dense = poolkitGrads((z) => softmaxCrossEntropy(z!, tensor(oneHot, [4, 10])), [logits], [[4, 10]], weights);
  compare('softmaxCrossEntropy', dense, theirs);
});
