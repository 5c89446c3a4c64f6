// The wasm transposePlanes (assembly/train/transpose.ts: the batched 2D transpose behind NCHW ↔ NHWC)
// against the reference kernel, bit for bit: every 32-bit pattern (NaN payloads, −0), shapes from 1x1
// to odd sizes that leave SIMD and row-tile remainders, batches of 1 to 5, 1 to 3 threads.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import type { PlaneTranspose } from '../../src/kernels/types.js';
import { setThreadCount, threadsReady, wasmBackend } from '../../src/kernels/wasm/index.js';
import { setParallelThreshold } from '../../src/kernels/wasm/threads.js';
import { tidy } from '../../src/tensor/scope.js';
import { generator, poisoned } from './harness.js';

after(async () => {
  setParallelThreshold();
  await setThreadCount(1);
});

/** Random words, with NaNs (signalling and quiet, any payload), ±0 and ±Infinity among them. */
const SPECIAL_WORDS = [0x7f800001, 0x7fc00000, 0xffbadbad, 0x7fffffff, 0x80000000, 0, 0x7f800000, 0xff800000];

function drawnCases(count: number, seed: number): PlaneTranspose[] {
  const random = generator(seed);
  const size = () => 1 + Math.floor(random() * 70);
  return Array.from({ length: count }, () => ({ batch: 1 + Math.floor(random() * 5), rows: size(), columns: size() }));
}

const CASES: PlaneTranspose[] = [
  { batch: 1, rows: 1, columns: 1 },
  { batch: 1, rows: 4, columns: 4 },
  { batch: 2, rows: 3, columns: 5 },
  { batch: 1, rows: 32, columns: 33 },
  { batch: 3, rows: 33, columns: 31 },
  { batch: 1, rows: 1, columns: 70 },
  { batch: 5, rows: 70, columns: 1 },
  { batch: 2, rows: 676, columns: 32 },
  { batch: 3, rows: 130, columns: 677 },
  ...drawnCases(24, 7),
];

test('transposePlanes on wasm: the reference bits, 1 to 3 threads, remainders and NaN payloads', async () => {
  const [fast, slow] = [wasmBackend?.kernels.transposePlanes, referenceBackend.kernels.transposePlanes];
  if (fast === undefined || slow === undefined || fast === slow) assert.fail('the wasm backend has no transposePlanes');
  setParallelThreshold(0);
  for (const threads of [1, 2, 3]) {
    await setThreadCount(threads);
    await threadsReady();
    for (const [index, planes] of CASES.entries()) {
      tidy(() => {
        const length = planes.batch * planes.rows * planes.columns;
        const source = poisoned([length]);
        const random = generator(1000 + index);
        const words = new Int32Array(source.values.buffer, source.values.byteOffset, length);
        for (let at = 0; at < length; at++) {
          words[at] = random() < 0.1 ? SPECIAL_WORDS[at % SPECIAL_WORDS.length]! : (random() * 2 ** 32) | 0;
        }
        const [expected, actual] = [poisoned([length]), poisoned([length])];
        slow(source.values, expected.values, planes);
        fast(source.values, actual.values, planes);
        const label = `${planes.batch}x${planes.rows}x${planes.columns}, ${threads} threads`;
        const bits = (values: Float32Array) => new Int32Array(values.buffer, values.byteOffset, length);
        assert.deepEqual(bits(actual.values), bits(expected.values), label);
        // The reference is a transpose: spot-check it against the definition too.
        const { rows, columns } = planes;
        const last = length - 1;
        const [plane, row, column] = [
          Math.floor(last / (rows * columns)),
          Math.floor(last / columns) % rows,
          last % columns,
        ];
        assert.equal(bits(expected.values)[plane * rows * columns + column * rows + row], words[last], label);
      });
    }
  }
});
