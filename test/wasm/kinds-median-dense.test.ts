// Median pooling's dense 2x2 windows (the seed CNN's) on the wasm backend against the reference
// kernel, bit for bit: every window of four cells drawn from {−0, +0, ±1, ±Infinity, NaN}, each
// window in all of its channels (so a window's NaN, or its +Infinity beside −Infinity, decides its
// path alone) and shuffled across channels; both layouts, valid and 'same' padding (cut windows),
// with and without the chosen cells, 1 to 3 threads.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { poolGeometry } from '../../src/geometry/pool-geometry.js';
import { medianPoolForward } from '../../src/kernels/reference/extra/median-pool.js';
import { setThreadCount, threadsReady, wasmBackend } from '../../src/kernels/wasm/index.js';
import { setParallelThreshold } from '../../src/kernels/wasm/threads.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertSame, poisoned } from './harness.js';

const ALPHABET = [-0, 0, 1, -1, Infinity, -Infinity, NaN];
const WINDOWS = ALPHABET.length ** 4;

before(() => setParallelThreshold(0));
after(async () => {
  setParallelThreshold();
  await setThreadCount(1);
});

/** Window `window`'s four cells (row-major): the digits of `window` in base ALPHABET.length. */
function cellsOf(window: number): number[] {
  return [0, 1, 2, 3].map((cell) => ALPHABET[Math.floor(window / ALPHABET.length ** cell) % ALPHABET.length]!);
}

/**
 * NHWC [1, 3, 2·WINDOWS + 1, channels] whose 2x2/2 windows are every window, with a third row and a
 * last column of ALPHABET values (the cut windows of 'same' padding); with `shuffle`, each channel
 * takes the windows in its own random order instead of all channels the same window.
 */
function everyWindow(channels: number, shuffle: boolean): Tensor {
  const width = 2 * WINDOWS + 1;
  const input = Tensor.allocate([1, 3, width, channels]);
  const random = new Random(7);
  input.values.forEach((_, index) => (input.values[index] = ALPHABET[Math.floor(random.uniform() * ALPHABET.length)]!));
  for (let channel = 0; channel < channels; channel++) {
    const order = Array.from({ length: WINDOWS }, (_, window) => window);
    for (let last = shuffle ? WINDOWS - 1 : 0; last > 0; last--) {
      const pick = Math.floor(random.uniform() * (last + 1));
      [order[last], order[pick]] = [order[pick]!, order[last]!];
    }
    order.forEach((window, column) => {
      cellsOf(window).forEach((value, cell) => {
        const [row, offset] = [cell >> 1, cell & 1];
        input.values[(row * width + 2 * column + offset) * channels + channel] = value;
      });
    });
  }
  return input;
}

/** The NHWC tensor's values in NCHW order, shape [batch, channels, height, width]. */
function channelsFirst(input: Tensor): Tensor {
  const [batch, height, width, channels] = input.shape as [number, number, number, number];
  const planar = Tensor.allocate([batch, channels, height, width]);
  input.values.forEach((value, index) => {
    const channel = index % channels;
    const cell = Math.floor(index / channels);
    const sample = Math.floor(cell / (height * width));
    planar.values[(sample * channels + channel) * height * width + (cell % (height * width))] = value;
  });
  input.dispose();
  return planar;
}

test('medianPoolForward on dense 2x2 windows of ±0, ±1, ±Infinity and NaN matches the reference exactly', async () => {
  assert.ok(wasmBackend !== null, 'the wasm backend did not register');
  const forward = wasmBackend.kernels.medianPoolForward;
  assert.ok(forward !== undefined, 'no wasm medianPoolForward');
  for (const threads of [1, 2, 3]) {
    await setThreadCount(threads);
    await threadsReady();
    const cases = [
      [4, false, 'valid', 'channelsLast'],
      [4, true, 'same', 'channelsLast'],
      [7, true, 'valid', 'channelsLast'],
      [12, true, 'same', 'channelsLast'],
      [1, false, 'valid', 'channelsFirst'],
      [3, true, 'same', 'channelsFirst'],
    ] as const;
    for (const [channels, shuffle, padding, dataFormat] of cases) {
      const last = everyWindow(channels, shuffle);
      const input = dataFormat === 'channelsLast' ? last : channelsFirst(last);
      const options = { kernelSize: 2, stride: 2, padding, dataFormat } as const;
      const geometry = poolGeometry('test', input.shape, 2, options);
      const expected = poisoned(geometry.outputShape);
      const expectedIndices = poisoned(geometry.outputShape, 'int32');
      medianPoolForward(input.values, expected.values, expectedIndices.intValues, geometry);
      const [output, indices, plain] = [
        poisoned(geometry.outputShape),
        poisoned(geometry.outputShape, 'int32'),
        poisoned(geometry.outputShape),
      ];
      forward(input.values, output.values, indices.intValues, geometry);
      forward(input.values, plain.values, null, geometry);
      const label = `${threads} threads, ${dataFormat}, ${channels} channels, ${padding}${shuffle ? ', shuffled' : ''}`;
      assertSame(output.values, expected.values, `${label}: output`);
      assertSame(indices.intValues, expectedIndices.intValues, `${label}: indices`);
      assertSame(plain.values, expected.values, `${label}: output without indices`);
      [input, expected, expectedIndices, output, indices, plain].forEach((tensor) => tensor.dispose());
    }
  }
});
