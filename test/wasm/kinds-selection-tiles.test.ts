// Mixed, gated and ordinal pooling's wasm backward writes the input gradient whole (the op no longer zeroes
// it), and mixed pooling's tiling path (2x2 windows at stride 2, blend-tiles.ts) matches the
// reference kernels bit for bit: random sizes (odd ones leave cells no window covers), ranks 2-3,
// valid, same, ceil mode and stride 3 (which leave the path), 4 to 16 channels, ties, NaN,
// ±Infinity, ±0, all-negative windows, alpha per layer and per channel, on 1 to 3 threads, the
// input gradient starting poisoned rather than zeroed.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, test } from 'node:test';
import { poolGeometry, type PoolGeometry } from '../../src/geometry/pool-geometry.js';
import { gatedPoolBackward, gatedPoolForward } from '../../src/kernels/reference/extra/gated-pool.js';
import { mixedPoolBackward, mixedPoolForward } from '../../src/kernels/reference/extra/mixed-pool.js';
import { ordinalPoolBackward, ordinalPoolForward } from '../../src/kernels/reference/extra/ordinal-pool.js';
import type {
  WeightedWindowBackward,
  WeightedWindowForward,
} from '../../src/kernels/reference/extra/kernel-signatures.js';
import type { Kernels } from '../../src/kernels/types.js';
import { setThreadCount, threadsReady, wasmBackend } from '../../src/kernels/wasm/index.js';
import { tilingWindows } from '../../src/kernels/wasm/kinds/selection-tables.js';
import { setParallelThreshold } from '../../src/kernels/wasm/threads.js';
import { tidy } from '../../src/tensor/scope.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertSame, check, filled, generator, poisoned, type PoolCase } from './harness.js';

before(() => setParallelThreshold(0)); // split even the small cases
after(async () => {
  setParallelThreshold();
  await setThreadCount(1);
});

/** 2x2 windows at stride 2 (most of them tiling), channelsLast, rank 2 or 3 ([1, 2, 2] windows). */
/** A case whose values may also be 'zeros': mostly −0 (whole windows of it), some +0, ±1 and NaN. */
interface TileCase extends Omit<PoolCase, 'values'> {
  readonly values: PoolCase['values'] | 'zeros';
}

function inputOf(shape: readonly number[], values: TileCase['values'], seed: number): Tensor {
  if (values !== 'zeros') return filled(shape, values, seed);
  const tensor = Tensor.allocate(shape);
  const random = generator(seed);
  const choices = [-0, -0, -0, -0, -0, -0, 0, 0, 1, -1, NaN];
  for (let index = 0; index < tensor.size; index++) tensor.values[index] = choices[Math.floor(random() * 11)]!;
  return tensor;
}

const tileCases: fc.Arbitrary<TileCase> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    depth: fc.integer({ min: 1, max: 3 }),
    rank: fc.constantFrom(2, 2, 3),
    height: fc.integer({ min: 2, max: 11 }),
    width: fc.integer({ min: 2, max: 11 }),
    quads: fc.integer({ min: 1, max: 4 }),
    layout: fc.constantFrom('valid', 'valid', 'valid', 'same', 'ceil', 'gaps'),
    values: fc.constantFrom<TileCase['values']>('plain', 'ties', 'negative', 'special', 'zeros'),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  })
  .map(({ batch, depth, rank, height, width, quads, layout, values, seed }): TileCase => {
    const spatial = rank === 3 ? [depth, height, width] : [height, width];
    const window = rank === 3 ? [1, 2, 2] : [2, 2];
    const geometry = poolGeometry('test', [batch, ...spatial, 4 * quads], rank as 2 | 3, {
      kernelSize: window,
      stride: layout === 'gaps' ? window.map((size) => size + 1) : window, // gaps: cells no window covers
      padding: layout === 'same' ? 'same' : 'valid',
      ceilMode: layout === 'ceil',
      dataFormat: 'channelsLast',
    });
    return { geometry, values, seed };
  });

function zeros(shape: readonly number[]): Tensor {
  const tensor = Tensor.allocate(shape);
  tensor.values.fill(0);
  return tensor;
}

function parameters(length: number, seed: number, scale: number): Tensor {
  const tensor = Tensor.allocate([length]);
  const random = generator(seed ^ 0x2545f491);
  for (let index = 0; index < length; index++) tensor.values[index] = (random() - 0.25) * scale;
  return tensor;
}

type Pair = [WeightedWindowForward, WeightedWindowBackward];
const reference = {
  mixedPool: [mixedPoolForward, mixedPoolBackward],
  gatedPool: [gatedPoolForward, gatedPoolBackward],
  ordinalPool: [ordinalPoolForward, ordinalPoolBackward],
};
type Name = keyof typeof reference;

/** Forward, and backward into a poisoned input gradient, against the reference on zeroed gradients. */
function compare(name: Name, { geometry, values, seed }: TileCase, weightLength: number): void {
  assert.ok(wasmBackend !== null, 'the wasm backend did not register');
  const kernels = wasmBackend.kernels as Kernels;
  const [forward, backward] = reference[name] as Pair;
  const input = inputOf(geometry.inputShape, values, seed);
  const weights = parameters(weightLength, seed, name === 'mixedPool' ? 2 : 1.5);
  const expected = poisoned(geometry.outputShape);
  forward(input.values, weights.values, expected.values, geometry);
  const actual = poisoned(geometry.outputShape);
  kernels[`${name}Forward`](input.values, weights.values, actual.values, geometry);
  assertSame(actual.values, expected.values, 'output');
  const gradOutput = inputOf(geometry.outputShape, seed % 3 === 0 ? values : 'plain', seed + 1);
  /** The gradients `kernel` leaves, the input gradient starting `poisoned` or zeroed. */
  const gradients = (kernel: WeightedWindowBackward, poison: boolean): [Float32Array, Float32Array] => {
    const [gradInput, gradWeights] = [
      poison ? poisoned(geometry.inputShape) : zeros(geometry.inputShape),
      zeros(weights.shape),
    ];
    kernel(input.values, weights.values, gradOutput.values, gradInput.values, gradWeights.values, geometry);
    return [gradInput.values, gradWeights.values];
  };
  const expectedGrads = gradients(backward, false);
  assertSame(gradients(backward, true)[0], expectedGrads[0], 'reference gradInput from poison'); // it too writes it whole
  const actualGrads = gradients(kernels[`${name}Backward`], true);
  assertSame(actualGrads[0], expectedGrads[0], 'gradInput');
  assertSame(actualGrads[1], expectedGrads[1], 'gradWeights');
}

const taps = (geometry: PoolGeometry): number => geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;

async function onThreads(body: (item: TileCase) => void): Promise<void> {
  for (const threads of [1, 2, 3]) {
    await setThreadCount(threads);
    await threadsReady();
    check(tileCases, (item) => tidy(() => body(item)), 80);
  }
}

test('the tile cases take the tiling path most of the time, and leave it on same padding, ceil mode and stride 3', () => {
  const samples = fc.sample(tileCases, { numRuns: 200, seed: 7 });
  const tiling = samples.filter(({ geometry }) => tilingWindows(geometry)).length;
  assert.ok(tiling > 100 && tiling < 190, `${tiling} of 200 tile`);
});

test('mixedPoolForward and mixedPoolBackward on 2x2/2 windows: the reference, the input gradient written whole', async () => {
  await onThreads((item) => compare('mixedPool', item, item.seed % 2 === 0 ? 1 : item.geometry.channels));
});

test('gatedPoolBackward writes the input gradient whole; forward and backward are the reference', async () => {
  await onThreads((item) =>
    compare('gatedPool', item, taps(item.geometry) * (item.seed % 2 === 0 ? 1 : item.geometry.channels)),
  );
});

test('ordinalPoolBackward writes the input gradient whole; forward and backward are the reference', async () => {
  await onThreads((item) =>
    compare('ordinalPool', item, taps(item.geometry) * (item.seed % 2 === 0 ? 1 : item.geometry.channels)),
  );
});
