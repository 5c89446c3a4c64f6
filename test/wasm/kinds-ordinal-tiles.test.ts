// Ordinal pooling's tiling path (assembly/kinds/selection/ordinal-tiles.ts: 2x2 windows at stride 2,
// a sorting network and rank bits where no lane holds NaN, the NaN rules otherwise) against the
// reference kernels bit for bit, on the values that path treats apart: windows with and without NaN
// side by side, ±Infinity (whose sums make ∞ − ∞), ties of every size, +0 beside −0, and rank weights
// and gradients of ±0 or tiny (g·w exactly zero must give +0, an underflowing product keeps its
// sign), weights shared and per channel, on 1 to 3 threads.
import fc from 'fast-check';
import { after, before, test } from 'node:test';
import { poolGeometry } from '../../src/geometry/pool-geometry.js';
import { ordinalPoolBackward, ordinalPoolForward } from '../../src/kernels/reference/extra/ordinal-pool.js';
import { setThreadCount, threadsReady } from '../../src/kernels/wasm/index.js';
import { tilingWindows } from '../../src/kernels/wasm/kinds/selection-tables.js';
import { setParallelThreshold } from '../../src/kernels/wasm/threads.js';
import { tidy } from '../../src/tensor/scope.js';
import { Tensor } from '../../src/tensor/tensor.js';
import assert from 'node:assert/strict';
import { assertSame, check, generator, poisoned, wasm } from './harness.js';

before(() => setParallelThreshold(0));
after(async () => {
  setParallelThreshold();
  await setThreadCount(1);
});

/** Value pools: each draw picks from one, so windows mix NaN, infinities, zeros, ties and tiny numbers. */
const POOLS = {
  plain: [] as number[], // uniform in [−2, 2]
  ties: [-1, 0, 1, 2, 2, -0],
  zeros: [0, -0, -0, 1e-30, -1e-30, 0.5],
  special: [NaN, Infinity, -Infinity, 1, -1, 0, -0, 3],
  huge: [3e38, -3e38, 1e-40, -1e-40, 2],
} as const;
type Pool = keyof typeof POOLS;

function drawn(length: number, pools: readonly Pool[], seed: number): Tensor {
  const tensor = Tensor.allocate([length]);
  const random = generator(seed);
  for (let index = 0; index < length; index++) {
    const pool = POOLS[pools[Math.floor(random() * pools.length)]!];
    tensor.values[index] = pool.length === 0 ? random() * 4 - 2 : pool[Math.floor(random() * pool.length)]!;
  }
  return tensor;
}

const cases = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  height: fc.integer({ min: 2, max: 9 }),
  width: fc.integer({ min: 2, max: 9 }),
  quads: fc.integer({ min: 1, max: 3 }),
  perChannel: fc.boolean(),
  values: fc.subarray<Pool>(['plain', 'ties', 'zeros', 'special', 'huge'], { minLength: 1 }),
  weights: fc.subarray<Pool>(['plain', 'ties', 'zeros'], { minLength: 1 }),
  gradients: fc.subarray<Pool>(['plain', 'zeros', 'special'], { minLength: 1 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

function compare(item: typeof cases extends fc.Arbitrary<infer T> ? T : never): void {
  const { batch, height, width, quads, perChannel, seed } = item;
  const geometry = poolGeometry('test', [batch, height, width, 4 * quads], 2, {
    kernelSize: 2,
    stride: 2,
    dataFormat: 'channelsLast',
  });
  assert.ok(tilingWindows(geometry));
  const size = (shape: readonly number[]) => shape.reduce((total, length) => total * length, 1);
  const input = drawn(size(geometry.inputShape), item.values, seed);
  const weights = drawn(perChannel ? 16 * quads : 4, item.weights, seed + 1);
  const gradOutput = drawn(size(geometry.outputShape), item.gradients, seed + 2);
  const kernels = wasm() as unknown as Record<string, typeof ordinalPoolForward & typeof ordinalPoolBackward>;
  const expected = poisoned(geometry.outputShape);
  ordinalPoolForward(input.values, weights.values, expected.values, geometry);
  const actual = poisoned(geometry.outputShape);
  kernels.ordinalPoolForward!(input.values, weights.values, actual.values, geometry);
  assertSame(actual.values, expected.values, 'output');
  const gradients = (kernel: typeof ordinalPoolBackward): [Float32Array, Float32Array] => {
    const gradInput = poisoned(geometry.inputShape);
    const gradWeights = Tensor.allocate(weights.shape);
    gradWeights.values.fill(0);
    kernel(input.values, weights.values, gradOutput.values, gradInput.values, gradWeights.values, geometry);
    return [gradInput.values, gradWeights.values];
  };
  const [wantInput, wantWeights] = gradients(ordinalPoolBackward);
  const [gotInput, gotWeights] = gradients(kernels.ordinalPoolBackward!);
  assertSame(gotInput, wantInput, 'gradInput');
  assertSame(gotWeights, wantWeights, 'gradWeights');
}

test('ordinal pooling on 2x2/2 tiles: NaN beside plain windows, ties, ±0, infinities, zero and tiny weights and gradients', async () => {
  for (const threads of [1, 2, 3]) {
    await setThreadCount(threads);
    await threadsReady();
    check(cases, (item) => tidy(() => compare(item)), 120);
  }
});
