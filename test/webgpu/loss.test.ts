// Sparse softmax cross-entropy on the GPU against the reference kernels (the specification): random
// shapes, logits of every magnitude, int32 and float32 labels, rows holding NaN, ±Infinity; the op on
// webgpu through the tape against the reference backend's numbers, and against finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { backward, Random, requireGrad, setBackend, sparseSoftmaxCrossEntropy, tensor } from '../../src/index.js';
import { referenceLossKernels as reference } from '../../src/kernels/reference/softmax-loss.js';
import { GPU_LOSS_BOUNDS } from '../../src/kernels/webgpu/loss-gpu-kernels.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { assertWithin, gpu, onGpu, skip, ulp } from './harness.js';

/** Logits spread over `spread` (up to ±80), with NaN, ±Infinity planted in some rows when `special`. */
function logitsOf(rows: number, classes: number, seed: number, spread: number, special: boolean): Float32Array {
  const random = new Random(seed);
  const logits = Float32Array.from({ length: rows * classes }, () => (random.uniform() * 2 - 1) * spread);
  if (special) {
    const planted = [NaN, Infinity, -Infinity, -Infinity];
    planted.forEach((value, index) => (logits[Math.floor(random.uniform() * logits.length)] = value ?? index));
    if (rows > 1) logits.fill(-Infinity, classes, 2 * classes); // row 1: only -Infinity
  }
  return logits;
}

function labelsOf(rows: number, classes: number, seed: number, asFloat: boolean): Float32Array | Int32Array {
  const random = new Random(seed + 1);
  const labels = Array.from({ length: rows }, () => Math.floor(random.uniform() * classes));
  return asFloat ? Float32Array.from(labels) : Int32Array.from(labels);
}

function checkCase(rows: number, classes: number, seed: number, spread: number, special: boolean, asFloat: boolean) {
  const shape = { rows, classes };
  const label = JSON.stringify({ rows, classes, seed, spread, special, asFloat });
  const logits = logitsOf(rows, classes, seed, spread, special);
  const labels = labelsOf(rows, classes, seed, asFloat);
  const [expectedLog, expectedLoss] = [new Float32Array(rows * classes), new Float32Array(1)];
  reference.sparseSoftmaxCrossEntropyForward(logits, labels, expectedLog, expectedLoss, shape);
  const [actualLog, actualLoss] = [new Float32Array(rows * classes).fill(7), new Float32Array(1)];
  onGpu('sparseSoftmaxCrossEntropyForward', 1, () =>
    gpu().sparseSoftmaxCrossEntropyForward(logits, labels, actualLog, actualLoss, shape),
  );
  const logBound = (index: number) => GPU_LOSS_BOUNDS.logProbability(classes, expectedLog[index]!);
  assertWithin(actualLog, expectedLog, logBound, `log probabilities ${label}`);
  // The mean: each term within its log-probability bound, float32 summation of the rows, the division.
  let [termBound, magnitude] = [0, 0];
  for (let row = 0; row < rows; row++) {
    const at = row * classes + labels[row]!;
    termBound = Math.max(termBound, logBound(at));
    magnitude += Math.abs(expectedLog[at]!);
  }
  const lossBound = termBound + (rows * 2 ** -24 * magnitude) / rows + 3 * ulp(expectedLoss[0]!);
  assertWithin(actualLoss, expectedLoss, () => lossBound, `loss ${label}`);

  const scale = (1 + new Random(seed + 2).uniform()) / rows;
  const expectedGrad = new Float32Array(rows * classes);
  reference.sparseSoftmaxCrossEntropyBackward(expectedLog, labels, expectedGrad, scale, shape);
  const actualGrad = new Float32Array(rows * classes).fill(7);
  onGpu('sparseSoftmaxCrossEntropyBackward', 1, () =>
    gpu().sparseSoftmaxCrossEntropyBackward(expectedLog, labels, actualGrad, scale, shape),
  );
  const gradBound = (index: number) => {
    const logProbability = expectedLog[index]!;
    const term = Math.exp(logProbability) * scale;
    const relative = term === 0 ? 0 : term * GPU_LOSS_BOUNDS.gradientRelative(logProbability);
    return relative + 2 * ulp(scale) + 2 * ulp(expectedGrad[index]!);
  };
  assertWithin(actualGrad, expectedGrad, gradBound, `gradient ${label}`);
}

test('sparse softmax cross-entropy on the GPU is within GPU_LOSS_BOUNDS of the reference kernels', { skip }, () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 70 }),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 10_000 }),
      fc.constantFrom(0.5, 8, 80),
      fc.boolean(),
      fc.boolean(),
      (rows, classes, seed, spread, special, asFloat) => checkCase(rows, classes, seed, spread, special, asFloat),
    ),
    { numRuns: 30, seed: 19 },
  );
  checkCase(128, 10, 3, 8, false, true); // the seed CNN's shape
  checkCase(3, 5, 4, 1, true, false); // NaN, ±Infinity, a row of -Infinity
});

test('sparseSoftmaxCrossEntropy on webgpu matches the reference backend and finite differences', { skip }, () => {
  const random = new Random(11);
  const values = Float32Array.from({ length: 6 * 4 }, () => random.uniform() * 4 - 2);
  const labels = tensor([0, 3, 1, 2, 2, 0], [6]);
  const run = (backend: string) => {
    setBackend(backend);
    try {
      const logits = requireGrad(tensor(values, [6, 4]));
      const loss = sparseSoftmaxCrossEntropy(logits, labels);
      backward(loss);
      return { loss: loss.values[0]!, grad: logits.grad!.toFloat32Array() };
    } finally {
      setBackend('reference');
    }
  };
  const expected = run('reference');
  const actual = onGpu('sparseSoftmaxCrossEntropyBackward', 1, () => run('webgpu'));
  assert.ok(Math.abs(actual.loss - expected.loss) <= 1e-6 * expected.loss, `${actual.loss} vs ${expected.loss}`);
  assertWithin(actual.grad, expected.grad, () => 1e-7, 'gradient');
  setBackend('webgpu');
  try {
    gradcheck((logits) => sparseSoftmaxCrossEntropy(logits, labels), [tensor(values, [6, 4])], { epsilon: 1e-2 });
  } finally {
    setBackend('reference');
  }
});
