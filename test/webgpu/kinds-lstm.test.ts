// LSTM pooling's batched step on the GPU against the reference kernels (lstm-batched.ts): the gather
// and scatter of a step bit for bit; the fused gate kernels (σ and tanh in float32 where the
// reference runs float64) within ROI_SPECTRAL_LSTM_GPU_BOUNDS, windows ended or running, NaN too; and
// lstmPool2d through the tape on webgpu against the reference backend: output and the gradients to
// the input, W, U and b. Each kernel call must run on the GPU (onGpu), never on its fallback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stridesOf } from '../../src/geometry/layout.js';
import { poolGeometry } from '../../src/geometry/pool-geometry.js';
import type { LstmPoolGeometry } from '../../src/kernels/reference/extra/lstm-pool.js';
import { lstmWindowTable } from '../../src/kernels/reference/extra/lstm-batched.js';
import { referencePoolKernels as reference } from '../../src/kernels/reference/pool-kernels.js';
import { windowCapacity } from '../../src/kernels/reference/window-walk.js';
import type { LstmGpuKernels } from '../../src/kernels/webgpu/kind-lstm-kernels.js';
import { ROI_SPECTRAL_LSTM_GPU_BOUNDS as BOUNDS } from '../../src/kernels/webgpu/kind-roi-spectral-lstm-kernels.js';
import {
  backward,
  getBackend,
  initLstmPoolWeights,
  lstmPool2d,
  requireGrad,
  setBackend,
  webGpuStatus,
  type Tensor,
} from '../../src/index.js';
import { tidy } from '../../src/tensor/scope.js';
import { assertSame, filled, generator } from '../wasm/harness.js';
import { assertWithin, gpu, onGpu, skip } from './harness.js';

type Kernels = Pick<LstmGpuKernels, keyof LstmGpuKernels>;

/** Values in [−scale, scale), with NaN at about one in fifty where `special`. */
function values(length: number, seed: number, scale: number, special = false): Float32Array {
  const random = generator(seed);
  return Float32Array.from({ length }, () => {
    const uniform = random();
    return special && uniform < 0.02 ? NaN : (uniform * 2 - 1) * scale;
  });
}

/** Case `index`: a 2D pooling of 1-2 samples, 3-7 x 2-7 cells, 1-3 channels, 2x2 or 3x2 windows with padding; 1-4 hidden units. */
function lstmCase(index: number) {
  const random = generator(300 + index);
  const draw = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const [batch, height, width, channels] = [draw(1, 2), draw(3, 7), draw(2, 7), draw(1, 3)];
  const channelsLast = index % 2 === 0;
  const shape = channelsLast ? [batch, height, width, channels] : [batch, channels, height, width];
  const kernelSize: [number, number] = index % 3 === 0 ? [3, 2] : [2, 2];
  const options = {
    kernelSize,
    stride: [1 + (index % 2), 1] as [number, number],
    padding: index % 4 === 3 ? ('same' as const) : ('valid' as const),
    dataFormat: channelsLast ? ('channelsLast' as const) : ('channelsFirst' as const),
  };
  const pool = poolGeometry('lstmPool2d', shape, 2, options);
  const hidden = draw(1, 4);
  const geometry: LstmPoolGeometry = { pool, hidden, outputShape: [] };
  const windows = pool.batch * pool.outDepth * pool.outHeight * pool.outWidth;
  const taps = windowCapacity(pool);
  const offsets = new Int32Array(windows * taps);
  const counts = new Int32Array(windows);
  lstmWindowTable(geometry, offsets, counts);
  const channelStride = stridesOf(channelsLast, channels, height * width).channel;
  return { shape, options, pool, hidden, windows, taps, offsets, counts, channelStride, channels };
}

test('lstmGatherStep and lstmScatterStep on the GPU equal the reference bit for bit, every step', { skip }, () => {
  for (let index = 0; index < 8; index++) {
    const { shape, windows, taps, offsets, channels, channelStride } = lstmCase(index);
    const input = filled(shape, index % 4 === 1 ? 'special' : 'plain', index + 1).values.slice();
    for (let step = 0; step < taps; step++) {
      const gather = (kernels: Kernels) => {
        const rows = new Float32Array(windows * channels).fill(12345.5);
        kernels.lstmGatherStep(input, offsets, step, taps, channels, channelStride, rows);
        return rows;
      };
      const rows = onGpu('lstmGatherStep', 1, () => gather(gpu()));
      assertSame(rows, gather(reference), `rows case ${index} step ${step}`);
      const scatter = (kernels: Kernels) => {
        const gradInput = values(input.length, index + step, 1);
        kernels.lstmScatterStep(rows, offsets, step, taps, channels, channelStride, gradInput);
        return gradInput;
      };
      const used = Array.from({ length: windows }, (_, window) => offsets[window * taps + step]!).some((at) => at >= 0);
      const gradient = onGpu('lstmScatterStep', used ? 1 : 0, () => scatter(gpu()));
      assertSame(gradient, scatter(reference), `scatter case ${index} step ${step}`);
    }
  }
});

/** |gpu − reference| ≤ lstmRelative · (1 + |reference|) · scale. */
const within =
  (expected: ArrayLike<number>, scale = 1) =>
  (at: number) =>
    BOUNDS.lstmRelative * (1 + Math.abs(expected[at]!)) * scale;

test('lstmCellForward and lstmCellBackward on the GPU agree with the reference within the gate bound', { skip }, () => {
  for (let index = 0; index < 12; index++) {
    const { windows, taps, counts, hidden } = lstmCase(index);
    const special = index % 5 === 4;
    const width = 4 * hidden;
    const states = windows * hidden;
    const step = index % taps;
    const preactivations = values(windows * width, index + 10, 6, special);
    const bias = values(width, index + 11, 1);
    const cells = values(states, index + 12, 3, special);
    const hiddens = values(states, index + 13, 1);
    const forward = (kernels: Kernels) => {
      const [gates, nextCells, nextHiddens] = [
        preactivations.slice(),
        new Float32Array(states),
        new Float32Array(states),
      ];
      kernels.lstmCellForward(gates, bias, counts, step, hidden, cells, nextCells, hiddens, nextHiddens);
      return { gates, nextCells, nextHiddens };
    };
    const expected = forward(reference);
    const actual = onGpu('lstmCellForward', 1, () => forward(gpu()));
    const label = `case ${index} step ${step} (${windows} windows, ${hidden} units)`;
    assertWithin(actual.gates, expected.gates, within(expected.gates), `gates ${label}`);
    assertWithin(actual.nextCells, expected.nextCells, within(expected.nextCells), `cells ${label}`);
    assertWithin(actual.nextHiddens, expected.nextHiddens, within(expected.nextHiddens), `hiddens ${label}`);
    // Backward from the reference's activated gates and states.
    const gradHidden = values(states, index + 14, 2);
    const gradCellStart = values(states, index + 15, 2);
    const biasStart = values(width, index + 16, 1);
    const backwardOf = (kernels: Kernels) => {
      const [gradCell, gradGates] = [gradCellStart.slice(), new Float32Array(windows * width).fill(12345.5)];
      const [gradBias, carry] = [biasStart.slice(), new Float32Array(states).fill(12345.5)];
      kernels.lstmCellBackward(
        expected.gates,
        counts,
        step,
        hidden,
        cells,
        expected.nextCells,
        gradHidden,
        gradCell,
        gradGates,
        gradBias,
        carry,
      );
      return { gradCell, gradGates, gradBias, carry };
    };
    const wanted = backwardOf(reference);
    const got = onGpu('lstmCellBackward', 1, () => backwardOf(gpu()));
    // Each gradient is a product of the incoming gradients (up to 2 + 2·3 in size) and gates.
    const scale = 8 * 3;
    assertWithin(got.gradGates, wanted.gradGates, within(wanted.gradGates, scale), `gate gradients ${label}`);
    assertWithin(got.gradCell, wanted.gradCell, within(wanted.gradCell, scale), `cell gradient ${label}`);
    assertWithin(got.gradBias, wanted.gradBias, within(wanted.gradBias, scale * windows), `bias gradient ${label}`);
    assertSame(got.carry, wanted.carry, `carried gradient ${label}`);
  }
});

/** The op's output and its gradients to the input, W, U and b on `backend`, as copies. */
function opResults(
  backendName: string,
  input: Tensor,
  sizes: { channels: number; hidden: number },
  options: object,
  seed: number,
) {
  const { channels, hidden } = sizes;
  setBackend(backendName);
  return tidy(() => {
    const weights = initLstmPoolWeights(channels, hidden, seed);
    weights.bias.values.set(values(4 * hidden, seed, 0.5));
    const parameters = [input, weights.kernel, weights.recurrentKernel, weights.bias];
    for (const parameter of parameters) {
      parameter.grad = null;
      requireGrad(parameter);
    }
    const output = lstmPool2d(input, weights, options as Parameters<typeof lstmPool2d>[2]);
    backward(output, filled(output.shape, 'plain', seed));
    return [output.values.slice(), ...parameters.map((parameter) => parameter.grad!.values.slice())];
  });
}

test('lstmPool2d on webgpu: output and gradients to x, W, U, b agree with the reference backend', { skip }, () => {
  const before = getBackend();
  try {
    for (let index = 0; index < 6; index++) {
      const { shape, options, hidden, channels } = lstmCase(index);
      const input = filled(shape, 'plain', index + 40);
      const expected = opResults('reference', input, { channels, hidden }, options, index + 1);
      const calls = webGpuStatus()!.gpuCalls;
      const actual = opResults('webgpu', input, { channels, hidden }, options, index + 1);
      const now = webGpuStatus()!;
      for (const name of ['lstmGatherStep', 'lstmCellForward', 'lstmCellBackward', 'lstmScatterStep', 'matmul'])
        assert.ok((now.gpuCalls[name] ?? 0) > (calls[name] ?? 0), `${name} ran on the GPU (case ${index})`);
      ['output', 'input gradient', 'W gradient', 'U gradient', 'b gradient'].forEach((name, at) => {
        // Through every step of the sequence: the gates' bound, grown with the steps and the sums.
        const bound = BOUNDS.lstmSequenceRelative * (1 + Math.max(...expected[at]!.map(Math.abs)));
        assertWithin(actual[at]!, expected[at]!, () => bound, `${name} case ${index}`);
      });
    }
  } finally {
    setBackend(before);
  }
});
