// Unknown option keys are errors at run time (what TypeScript's types already reject): the helper's
// suggestions, and the ops and tensor creators that apply it; randomUniform/randomNormal without options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  batchNormalization,
  binaryCrossentropy,
  conv2d,
  conv2dMaxPool2d,
  matmul,
  ones,
  PoolkitArgumentError,
  randomNormal,
  randomUniform,
  setRandomSeed,
  sum,
  zeros,
} from '../../src/index.js';
import { checkKnownOptions, editDistance, nearestKey } from '../../src/ops/checks.js';

test('checkKnownOptions names the unknown key and the nearest known one', () => {
  assert.throws(
    () => checkKnownOptions('maxPool2d', { pool_size: 2 }, ['poolSize', 'strides', 'padding']),
    (error: unknown) =>
      error instanceof PoolkitArgumentError &&
      error.message === "maxPool2d: options has no 'pool_size'; did you mean 'poolSize'?" &&
      error.op === 'maxPool2d' &&
      error.argument === 'options',
  );
  assert.throws(
    () => checkKnownOptions('conv2d', { strdie: 2 }, ['stride', 'padding']),
    /conv2d: options has no 'strdie'; did you mean 'stride'\?/,
  );
  assert.throws(
    () => checkKnownOptions('Dense', { kernelRegularizer: 'l2' }, ['units', 'activation']),
    /Dense: options has no 'kernelRegularizer'; the options are 'units', 'activation'$/,
  );
  assert.doesNotThrow(() => checkKnownOptions('op', { padding: 'same' }, ['padding']));
  assert.doesNotThrow(() => checkKnownOptions('op', undefined, ['padding']));
});

test('nearestKey: snake_case and letter case map first; then edit distance within a third of the name', () => {
  assert.equal(nearestKey('keep_dims', ['keepDims', 'axis']), 'keepDims');
  assert.equal(nearestKey('KEEPDIMS', ['keepDims', 'axis']), 'keepDims');
  assert.equal(nearestKey('learningrate', ['learningRate']), 'learningRate');
  assert.equal(nearestKey('epocs', ['epochs', 'batchSize']), 'epochs');
  assert.equal(nearestKey('xyz', ['epochs', 'batchSize']), null);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
});

test('the nn ops reject misspelt options', () => {
  const input = zeros([1, 4, 4, 1]);
  const filter = ones([2, 2, 1, 1]);
  assert.throws(
    () => conv2d(input, filter, null, { strides: 2 } as never),
    /conv2d: options has no 'strides'; did you mean 'stride'\?/,
  );
  assert.throws(
    () => matmul(zeros([2, 2]), zeros([2, 2]), { transpose_a: true } as never),
    /matmul: options has no 'transpose_a'; did you mean 'transposeA'\?/,
  );
  assert.throws(
    () =>
      batchNormalization(zeros([2, 3]), {
        movingMean: zeros([3]),
        movingVariance: ones([3]),
        training: false,
        moving_mean: 0,
      } as never),
    /batchNormalization: options has no 'moving_mean'; did you mean 'movingMean'\?/,
  );
  assert.throws(
    () => conv2dMaxPool2d(input, filter, null, {}, { kernelSize: 2, pool_size: 2 } as never),
    /conv2dMaxPool2d \(pool options\): options has no 'pool_size'/,
  );
  assert.throws(() => sum(zeros([2]), { axes: 0 } as never), /sum: options has no 'axes'; did you mean 'axis'\?/);
  assert.throws(
    () => binaryCrossentropy(zeros([1]), zeros([1]), { from_logits: true } as never),
    /binaryCrossentropy: options has no 'from_logits'; did you mean 'fromLogits'\?/,
  );
});

test('randomNormal and randomUniform work without options, from the global generator setRandomSeed restarts', () => {
  setRandomSeed(42);
  const first = [randomNormal([3]).dataSync(), randomUniform([3]).dataSync()];
  setRandomSeed(42);
  const second = [randomNormal([3]).dataSync(), randomUniform([3]).dataSync()];
  assert.deepEqual(first, second);
  // Unseeded calls advance the generator: two draws in a row differ.
  assert.notDeepEqual(randomNormal([3]).dataSync(), randomNormal([3]).dataSync());
  const uniform = randomUniform([1000], { low: -2, high: -1 }).dataSync();
  assert.ok(uniform.every((value) => value >= -2 && value < -1));
  assert.deepEqual(randomNormal([4], { seed: 5 }).dataSync(), randomNormal([4], { seed: 5 }).dataSync());
});

test('random creators reject unknown options and bad seeds', () => {
  assert.throws(
    () => randomNormal([2], { std: 1 } as never),
    /randomNormal: options has no 'std'; did you mean 'stddev'\?/,
  );
  assert.throws(
    () => randomUniform([2], { minval: 0 } as never),
    /randomUniform: options has no 'minval'; the options are 'seed', 'low', 'high'/,
  );
  assert.throws(() => randomUniform([2], { seed: 1.5 }), /randomUniform: seed must be an integer/);
  assert.throws(() => setRandomSeed(Number.NaN), /setRandomSeed: seed must be an integer/);
});
