// The webgpu backend through the public API: setBackend('webgpu') runs the pooling ops (forward and
// backward through the tape) on the GPU kernels and agrees with the reference backend; kernelsOf
// lists what runs where; an array the device cannot take falls back to the reference, counted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adaptiveAvgPool2d,
  avgPool3d,
  backward,
  closeWebGpu,
  getBackend,
  globalMaxPool,
  kernelsOf,
  lpPool1d,
  maxPool2d,
  maxUnpool2d,
  requireGrad,
  setBackend,
  webGpuStatus,
  type Tensor,
} from '../../src/index.js';
import { poolGeometry } from '../../src/geometry/pool-geometry.js';
import { KIND_GPU_KERNELS } from '../../src/kernels/webgpu/kind-kernels.js';
import { ROI_SPECTRAL_LSTM_GPU_KERNELS } from '../../src/kernels/webgpu/kind-roi-spectral-lstm-kernels.js';
import { assertSame, filled } from '../wasm/harness.js';
import { assertWithin, gpu, skip } from './harness.js';

interface Run {
  output: Float32Array;
  grad: Float32Array;
  calls: number;
}

/** The op's output and input gradient on `backend`, and how many GPU calls that made. */
function runOn(backend: string, shape: number[], op: (input: Tensor) => Tensor): Run {
  setBackend(backend);
  try {
    const before = Object.values(webGpuStatus()!.gpuCalls).reduce((sum, count) => sum + count, 0);
    const input = requireGrad(filled(shape, 'ties', 7));
    const output = op(input);
    backward(output, filled(output.shape, 'plain', 8));
    const calls = Object.values(webGpuStatus()!.gpuCalls).reduce((sum, count) => sum + count, 0) - before;
    return { output: output.values.slice(), grad: input.grad!.values.slice(), calls };
  } finally {
    setBackend('reference');
  }
}

const close = (reference: Float32Array) => (index: number) => 1e-5 * (1 + Math.abs(reference[index]!));

test('ops forward and backward on webgpu agree with the reference backend', { skip }, () => {
  const unpool = (x: Tensor): Tensor => {
    const { output, indices } = maxPool2d(x, { kernelSize: 3, stride: 2, returnIndices: true });
    return maxUnpool2d(output, indices, { kernelSize: 3, stride: 2 });
  };
  // label, input shape, op, exact, GPU calls (forward and backward)
  const cases: [string, number[], (input: Tensor) => Tensor, boolean, number][] = [
    ['maxPool2d 3x3/2 same', [2, 7, 6, 3], (x) => maxPool2d(x, { kernelSize: 3, stride: 2, padding: 'same' }), true, 2],
    ['globalMaxPool NCHW', [2, 3, 5, 4], (x) => globalMaxPool(x, { dataFormat: 'channelsFirst' }), true, 2],
    ['maxPool2d then maxUnpool2d', [1, 7, 7, 2], unpool, true, 4],
    [
      'avgPool3d ceil, pad counted',
      [1, 5, 4, 5, 2],
      (x) => avgPool3d(x, { kernelSize: 2, padding: 1, ceilMode: true }),
      false,
      2,
    ],
    ['lpPool1d p=2 dilated', [2, 9, 3], (x) => lpPool1d(x, { kernelSize: 3, stride: 1, dilation: 2, p: 2 }), false, 2],
    ['adaptiveAvgPool2d 5x7 → 3x2', [2, 5, 7, 2], (x) => adaptiveAvgPool2d(x, { outputSize: [3, 2] }), false, 2],
  ];
  for (const [label, shape, op, exact, calls] of cases) {
    const expected = runOn('reference', shape, op);
    const actual = runOn('webgpu', shape, op);
    assert.equal(actual.calls, calls, `${label}: forward and backward ran on the GPU`);
    if (exact) {
      assertSame(actual.output, expected.output, `${label} output`);
      assertSame(actual.grad, expected.grad, `${label} gradient`);
    } else {
      assertWithin(actual.output, expected.output, close(expected.output), `${label} output`);
      assertWithin(actual.grad, expected.grad, close(expected.grad), `${label} gradient`);
    }
  }
});

test('kernelsOf lists the GPU kernels and the reference fallbacks', { skip }, () => {
  const { own, fallback } = kernelsOf('webgpu');
  const pooling = [
    'adamUpdate',
    'adaptiveAvgPoolBackward',
    'adaptiveAvgPoolForward',
    'adaptiveMaxPoolForward',
    'argmaxGather',
    'argmaxScatter',
    'argmaxScatterAdd',
    'avgPoolBackward',
    'avgPoolForward',
    'conv2dBackwardFilter',
    'conv2dBackwardInput',
    'conv2dForward',
    'conv2dMaxPoolBackwardFilter',
    'conv2dMaxPoolForward',
    'lpPoolBackward',
    'lpPoolForward',
    'matmul',
    'maxPoolBackward',
    'maxPoolForward',
    'reluBackward',
    'reluForward',
    'sgdUpdate',
    'sparseSoftmaxCrossEntropyBackward',
    'sparseSoftmaxCrossEntropyForward',
  ];
  // The step and update kernels (train-step-kernels.ts, train-update-kernels.ts).
  const step = [
    'argmaxCompare',
    'gatherRows',
    'biasAdd',
    'columnSum',
    'softmaxForward',
    'softmaxBackward',
    'addForward',
  ];
  const activations = ['sigmoidForward', 'sigmoidBackward', 'tanhForward', 'tanhBackward'];
  const updates = ['rmspropUpdate', 'adagradUpdate'];
  assert.deepEqual(
    own,
    [...pooling, ...step, ...activations, ...updates, ...KIND_GPU_KERNELS, ...ROI_SPECTRAL_LSTM_GPU_KERNELS].sort(),
  );
  // The other kinds' kernels come from the reference backend.
  assert.ok(
    fallback.includes('stochasticPoolForward') && !fallback.includes('matmul') && !fallback.includes('softPoolForward'),
  );
});

test('a call the device cannot take (an empty batch) runs the reference kernel, counted', { skip }, () => {
  const geometry = poolGeometry('test', [0, 4, 4, 1], 2, { kernelSize: 2 });
  const before = webGpuStatus()!.fallbackCalls.maxPoolForward ?? 0;
  gpu().maxPoolForward(new Float32Array(0), new Float32Array(0), new Int32Array(0), geometry);
  assert.equal(webGpuStatus()!.fallbackCalls.maxPoolForward, before + 1);
});

test('closeWebGpu hands the ops back to the default backend and stops the GPU kernels', { skip }, async () => {
  const kernels = gpu();
  setBackend('webgpu');
  await closeWebGpu();
  assert.equal(getBackend(), 'wasm');
  const geometry = poolGeometry('test', [1, 2, 2, 1], 2, { kernelSize: 2 });
  assert.throws(
    () => kernels.maxPoolForward(new Float32Array(4), new Float32Array(1), null, geometry),
    /closed by closeWebGpu\(\)/,
  );
});
