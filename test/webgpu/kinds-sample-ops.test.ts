// attentionPool, covariancePool and maskedPool1d through the public API on webgpu: forward and
// backward through the tape (the input's gradient and attention's kernels') run on the GPU, one call
// each way, and agree with the reference backend.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  attentionPool,
  backward,
  covariancePool,
  maskedPool1d,
  requireGrad,
  setBackend,
  webGpuStatus,
  type Tensor,
} from '../../src/index.js';
import { filled } from '../wasm/harness.js';
import { assertWithin, skip } from './harness.js';
import { squareMatrix } from './kinds-sample-cases.js';

/** The op's output and its inputs' gradients on `backend`, and the GPU calls that made. */
function runOn(backend: string, inputs: Tensor[], op: (inputs: Tensor[]) => Tensor) {
  setBackend(backend);
  try {
    const count = () => Object.values(webGpuStatus()!.gpuCalls).reduce((sum, calls) => sum + calls, 0);
    const before = count();
    const watched = inputs.map((input) => requireGrad(input.clone()));
    const output = op(watched);
    backward(output, filled(output.shape, 'plain', 8));
    const grads = watched.map((input) => input.grad!.values.slice());
    return { output: output.values.slice(), grads, calls: count() - before };
  } finally {
    setBackend('reference');
  }
}

const close = (reference: Float32Array) => (index: number) => 1e-5 * (1 + Math.abs(reference[index]!));

test('attention, covariance and masked pooling ops run forward and backward on the GPU', { skip }, () => {
  const mask = filled([2, 6], 'plain', 3);
  mask.values.set([1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 1, 1]);
  const cases: [string, Tensor[], (inputs: Tensor[]) => Tensor][] = [
    [
      'attentionPool NCHW',
      [filled([2, 3, 4, 3], 'plain', 1), squareMatrix(3, 4), squareMatrix(3, 5)],
      ([x, query, key]) => attentionPool(x!, query!, key!, { dataFormat: 'channelsFirst' }),
    ],
    ['covariancePool 3 iterations', [filled([2, 5, 4], 'plain', 2)], ([x]) => covariancePool(x!, { iterations: 3 })],
    ['maskedPool1d lp', [filled([2, 6, 3], 'plain', 6)], ([x]) => maskedPool1d(x!, { mask, mode: 'lp', p: 3 })],
  ];
  for (const [label, inputs, op] of cases) {
    const expected = runOn('reference', inputs, op);
    const actual = runOn('webgpu', inputs, op);
    assert.equal(actual.calls, 2, `${label}: forward and backward ran on the GPU`);
    assertWithin(actual.output, expected.output, close(expected.output), `${label} output`);
    actual.grads.forEach((grad, index) =>
      assertWithin(grad, expected.grads[index]!, close(expected.grads[index]!), `${label} gradient ${index}`),
    );
  }
});
