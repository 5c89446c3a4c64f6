// Ops on resident tensors put their outputs and gradients beside them: conv2d (with and without its
// fused relu), max, average and Lp pooling through runPoolSteps, sigmoid, tanh, softmax and the tape's sum
// of two gradients reaching one tensor run forward and backward without a transfer, and give the
// reference backend's numbers (within the GPU kernels' float32 rounding).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  avgPool2d,
  backward,
  conv2d,
  lpPool2d,
  matmul,
  maxPool2d,
  memoryStats,
  Random,
  requireGrad,
  reshape,
  setBackend,
  sigmoid,
  softmax,
  tanh,
  tensor,
  tidy,
  webGpuStatus,
  type Tensor,
} from '../../src/index.js';
import { takeRows } from '../../src/nn/batches.js';
import { assertWithin, skip } from './harness.js';

const random = new Random(5);
const filled = (length: number) => Float32Array.from({ length }, () => random.uniform() * 2 - 1);
const [IMAGE, FILTER, BIAS] = [[2, 6, 6, 3], [3, 3, 3, 4], [4]];
const image = filled(2 * 6 * 6 * 3);
const filter = filled(3 * 3 * 3 * 4);
const bias = filled(4);

/** Each case: the output from the inputs (x, filter, bias); gradients flow to every input. */
const CASES: Record<string, (x: Tensor, f: Tensor, b: Tensor) => Tensor> = {
  conv2d: (x, f, b) => conv2d(x, f, b),
  conv2dRelu: (x, f, b) => conv2d(x, f, b, { activation: 'relu' }),
  maxPool2d: (x, f, b) => maxPool2d(conv2d(x, f, b), { kernelSize: 2 }),
  avgPool2d: (x, f, b) => avgPool2d(conv2d(x, f, b), { kernelSize: 2, stride: 1 }),
  lpPool2d: (x, f, b) => lpPool2d(conv2d(x, f, b), { p: 2, kernelSize: 2 }),
  softmax: (x) => softmax(reshape(x, [12, 18])),
  sigmoid: (x) => sigmoid(x),
  tanh: (x) => tanh(x),
  gradientSum: (x) => matmul(reshape(x, [12, 18]), reshape(x, [12, 18]), { transposeB: true }),
};

function run(backend: string, name: string) {
  setBackend(backend);
  try {
    return tidy(() => measure(backend, name)); // frees the graph's intermediates too
  } finally {
    setBackend('reference');
  }
}

function measure(backend: string, name: string) {
  const inputs = [tensor(image, IMAGE), tensor(filter, FILTER), tensor(bias, BIAS)].map((input) => requireGrad(input));
  if (backend === 'webgpu') for (const input of inputs) input.to('webgpu');
  const before = { ...webGpuStatus()!.transfers };
  const { output, seed } = tidy(() => {
    const output = CASES[name]!(inputs[0]!, inputs[1]!, inputs[2]!);
    return { output, seed: tensor(filled(output.size).fill(0.5), output.shape) };
  });
  const noGradient = false;
  if (backend === 'webgpu') seed.to('webgpu');
  if (!noGradient) backward(output, seed);
  const after = { ...webGpuStatus()!.transfers };
  const homes = [output, ...(noGradient ? [] : inputs.map((input) => input.grad).filter((grad) => grad !== null))];
  return {
    homes: homes.map((item) => item!.home),
    transfers: {
      uploads: after.uploads - before.uploads - (backend === 'webgpu' ? 1 : 0), // less the seed's own upload
      readBacks: after.readBacks - before.readBacks,
    },
    output: output.toFloat32Array(),
    grads: noGradient ? [] : inputs.map((input) => input.grad?.toFloat32Array() ?? null),
  };
}

test('ops on resident tensors keep outputs and gradients on the GPU, with the reference numbers', { skip }, () => {
  const gpuBefore = memoryStats().gpuBytesUndisposed;
  for (const name of Object.keys(CASES)) {
    const expected = run('reference', name);
    const actual = run('webgpu', name);
    assert.ok(
      actual.homes.every((home) => home === 'webgpu'),
      `${name}: ${actual.homes}`,
    );
    assert.deepEqual(actual.transfers, { uploads: 0, readBacks: 0 }, `${name}: no transfer`);
    const bound = (values: Float32Array) => (index: number) => 1e-5 * (1 + Math.abs(values[index]!));
    assertWithin(actual.output, expected.output, bound(expected.output), `${name} output`);
    actual.grads.forEach((grad, index) => {
      const want = expected.grads[index]!;
      if (grad !== null) assertWithin(grad, want, bound(want), `${name} gradient ${index}`);
    });
  }
  assert.equal(memoryStats().gpuBytesUndisposed, gpuBefore);
});

test(
  'takeRows cuts a heap tensor in the heap on webgpu (nothing crosses), and a resident one on the GPU',
  { skip },
  () => {
    setBackend('webgpu');
    try {
      tidy(() => {
        const source = tensor(
          Float32Array.from({ length: 24 }, (_, index) => index),
          [6, 4],
        );
        const order = Int32Array.of(5, 0, 3, 1, 4, 2);
        const expected = [0, 1, 2, 3, 12, 13, 14, 15];
        const before = { ...webGpuStatus()!.transfers };
        const batch = takeRows(source, order, 1, 2);
        assert.equal(batch.home, 'heap');
        assert.deepEqual(webGpuStatus()!.transfers, before);
        assert.deepEqual(Array.from(batch.values), expected);
        const resident = source.copyToGpu();
        const residentOrder = tensor(order, [6], 'int32').to('webgpu');
        const moved = { ...webGpuStatus()!.transfers };
        const gathered = takeRows(resident, residentOrder, 1, 2);
        assert.equal(gathered.home, 'webgpu');
        assert.equal(webGpuStatus()!.transfers.uploads, moved.uploads);
        assert.deepEqual(Array.from(gathered.dataSync()), expected);
      });
    } finally {
      setBackend('reference');
    }
  },
);
