// binaryCrossentropy (from probabilities and from logits) and meanAbsoluteError against
// @tensorflow/tfjs-layers' losses on random inputs, values and gradients; the metrics mae, mse and
// binaryAccuracy against tfjs-layers' metrics; and a whole model compiled with them by name, whose
// evaluate() and one epoch of fit() with RMSprop match tfjs-layers' model with the same weights.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  binaryCrossentropy,
  layers,
  meanAbsoluteError,
  Random,
  resolveLoss,
  resolveMetrics,
  rmsprop,
  sequential,
  tensor,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { assertSameResult, poolkitRun, randomArray, sizeOf, tf, tfjsRun, useTfjsCpu } from '../ops/tfjs-compare.js';

before(useTfjsCpu);

const shapes = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 });

/** Probabilities in (0, 1) with some at or beyond the clipping bounds, and targets in [0, 1]. */
function probabilityInputs(shape: number[], seed: number): Float32Array[] {
  const random = new Random(seed);
  const count = sizeOf(shape);
  const probabilities = Float32Array.from({ length: count }, () => {
    const draw = random.uniform();
    return draw < 0.1 ? 0 : draw > 0.95 ? 1 : 0.02 + 0.96 * random.uniform();
  });
  const targets = Float32Array.from({ length: count }, () =>
    random.uniform() < 0.8 ? random.integer(2) : random.uniform(),
  );
  return [probabilities, targets];
}

/** Mean over every element of tfjs-layers' per-sample loss (its mean over the last axis). */
const tfjsLoss = (metric: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor) => (p: tf.Tensor, t: tf.Tensor) =>
  tf.mean(metric(t, p));

test('binaryCrossentropy from probabilities (clipped at 1e-7) equals tfjs-layers’, gradients of both inputs too', () => {
  fc.assert(
    fc.property(shapes, fc.integer({ min: 0, max: 1e6 }), (shape, seed) => {
      const inputs = probabilityInputs(shape, seed);
      const label = `binaryCrossentropy ${JSON.stringify(shape)}`;
      assertSameResult(
        label,
        poolkitRun((p, t) => binaryCrossentropy(p!, t!), inputs, [shape, shape], seed),
        tfjsRun(tfjsLoss(tfl.metrics.binaryCrossentropy), inputs, [shape, shape], seed),
        2e-5,
      );
    }),
    { numRuns: 30, seed: 8 },
  );
});

test('binaryCrossentropy with fromLogits equals tf.losses.sigmoidCrossEntropy, stable for large logits', () => {
  fc.assert(
    fc.property(shapes, fc.integer({ min: 0, max: 1e6 }), (shape, seed) => {
      const random = new Random(seed);
      const inputs = [
        randomArray(sizeOf(shape), random, 30),
        Float32Array.from({ length: sizeOf(shape) }, () => random.uniform()),
      ];
      assertSameResult(
        `binaryCrossentropy fromLogits ${JSON.stringify(shape)}`,
        poolkitRun((x, t) => binaryCrossentropy(x!, t!, { fromLogits: true }), inputs, [shape, shape], seed),
        tfjsRun((x, t) => tf.losses.sigmoidCrossEntropy(t!, x!), inputs, [shape, shape], seed),
        2e-5,
      );
    }),
    { numRuns: 30, seed: 9 },
  );
  const huge = binaryCrossentropy(tensor([1000, -1000]), tensor([1, 0]), { fromLogits: true });
  assert.equal(huge.arraySync(), 0);
});

test('meanAbsoluteError equals tfjs-layers’, gradients included', () => {
  fc.assert(
    fc.property(shapes, fc.integer({ min: 0, max: 1e6 }), (shape, seed) => {
      const random = new Random(seed);
      const inputs = [randomArray(sizeOf(shape), random), randomArray(sizeOf(shape), random)];
      assertSameResult(
        `meanAbsoluteError ${JSON.stringify(shape)}`,
        poolkitRun((p, t) => meanAbsoluteError(p!, t!), inputs, [shape, shape], seed),
        tfjsRun(tfjsLoss(tfl.metrics.meanAbsoluteError), inputs, [shape, shape], seed),
      );
    }),
    { numRuns: 30, seed: 10 },
  );
});

test('metrics mae, mse and binaryAccuracy (threshold 0.5): batch means equal tfjs-layers’ metrics', () => {
  const loss = resolveLoss('binaryCrossentropy');
  const metrics = resolveMetrics(['mae', 'mse', 'binary_accuracy', 'accuracy'], loss);
  assert.deepEqual(
    metrics.map((metric) => metric.name),
    ['mae', 'mse', 'binaryAccuracy', 'accuracy'],
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 1e6 }),
      (rows, width, seed) => {
        const random = new Random(seed);
        const probabilities = Float32Array.from({ length: rows * width }, () => random.uniform());
        const targets = Float32Array.from({ length: rows * width }, () => random.integer(2));
        const ours = (metric: (typeof metrics)[number]): number =>
          metric.batchSum(tensor(probabilities, [rows, width]), tensor(targets, [rows, width])) / rows;
        const theirs = (fn: (t: tf.Tensor, p: tf.Tensor) => tf.Tensor): number =>
          tf.tidy(
            () =>
              tf.mean(fn(tf.tensor(targets, [rows, width]), tf.tensor(probabilities, [rows, width]))).dataSync()[0]!,
          );
        const expected = [
          tfl.metrics.meanAbsoluteError,
          tfl.metrics.meanSquaredError,
          tfl.metrics.binaryAccuracy,
          tfl.metrics.binaryAccuracy,
        ];
        metrics.forEach((metric, index) =>
          assertClose([ours(metric)], [theirs(expected[index]!)], { label: metric.name }),
        );
      },
    ),
    { numRuns: 30, seed: 11 },
  );
});

function pairOfModels() {
  const ours = sequential([layers.dense({ units: 3, activation: 'sigmoid', inputShape: [4] })]);
  const theirs = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, activation: 'sigmoid', inputShape: [4] })] });
  const random = new Random(31);
  const weights = ours.parameters.map((parameter) => randomArray(parameter.tensor.size, random));
  const weightShapes = ours.parameters.map((parameter) => [...parameter.tensor.shape]);
  ours.setWeights(weights.map((values, index) => tensor(values, weightShapes[index])));
  theirs.setWeights(weights.map((values, index) => tf.tensor(values, weightShapes[index])));
  const x = randomArray(40 * 4, random, 2);
  const y = Float32Array.from({ length: 40 * 3 }, () => random.integer(2));
  return { ours, theirs, x, y };
}

test('a model compiled with loss "binary_crossentropy" and metrics by name evaluates as tfjs-layers', () => {
  const { ours, theirs, x, y } = pairOfModels();
  ours.compile({ optimizer: 'sgd', loss: 'binary_crossentropy', metrics: ['mae', 'mse', 'binaryAccuracy'] });
  theirs.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['mae', 'mse', 'binaryAccuracy'] });
  const result = ours.evaluate(tensor(x, [40, 4]), tensor(y, [40, 3]), { batchSize: 16 });
  const expected = (
    theirs.evaluate(tf.tensor(x, [40, 4]), tf.tensor(y, [40, 3]), { batchSize: 16 }) as tf.Scalar[]
  ).map((value) => value.dataSync()[0]!);
  assertClose([result.loss, result.mae!, result.mse!, result.binaryAccuracy!], expected, {
    relative: 1e-5,
    label: 'evaluate',
  });
});

test('one epoch of fit with rmsprop() and meanAbsoluteError gives tfjs-layers’ weights', async () => {
  const { ours, theirs, x, y } = pairOfModels();
  ours.compile({ optimizer: rmsprop({ learningRate: 0.01 }), loss: 'mean_absolute_error' });
  theirs.compile({ optimizer: tf.train.rmsprop(0.01, 0.9, 0, 1e-7), loss: 'meanAbsoluteError' });
  const history = await ours.fit(tensor(x, [40, 4]), tensor(y, [40, 3]), { epochs: 2, batchSize: 8, shuffle: false });
  const theirHistory = await theirs.fit(tf.tensor(x, [40, 4]), tf.tensor(y, [40, 3]), {
    epochs: 2,
    batchSize: 8,
    shuffle: false,
  });
  assertClose(history.history.loss, theirHistory.history.loss as number[], { relative: 1e-4, label: 'loss per epoch' });
  ours.getWeights().forEach((weight: Tensor, index) =>
    assertClose(weight.values, theirs.getWeights()[index]!.dataSync(), {
      absolute: 1e-5,
      relative: 1e-4,
      label: `weight ${index}`,
    }),
  );
});
