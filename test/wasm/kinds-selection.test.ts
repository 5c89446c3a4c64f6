// The selection family's wasm kernels (stochastic, mixed, gated, min, median, ordinal, random) against their reference kernels,
// bit for bit, on random shapes and options (both formats, ranks 1-3, odd channel counts, padding,
// dilation, ceil mode), with ties, NaN, ±Infinity and all-negative inputs, on 1, 2 and 3 threads.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, test } from 'node:test';
import { poolGeometry, type PoolGeometry } from '../../src/geometry/pool-geometry.js';
import { poolingPlanes } from '../../src/pooling/argmax-planes.js';
import { argmaxScatterAdd } from '../../src/kernels/reference/argmax.js';
import { gatedPoolBackward, gatedPoolForward } from '../../src/kernels/reference/extra/gated-pool.js';
import { gateSigmoid } from '../../src/kernels/reference/extra/gate-sigmoid.js';
import { mixedPoolBackward, mixedPoolForward } from '../../src/kernels/reference/extra/mixed-pool.js';
import { ordinalPoolBackward, ordinalPoolForward } from '../../src/kernels/reference/extra/ordinal-pool.js';
import { medianPoolForward } from '../../src/kernels/reference/extra/median-pool.js';
import { minPoolForward } from '../../src/pooling/kinds/min.js';
import * as random from '../../src/kernels/reference/extra/random-pool.js';
import * as stochastic from '../../src/kernels/reference/extra/stochastic-pool.js';
import type { Kernels } from '../../src/kernels/types.js';
import { setThreadCount, threadsReady, wasmBackend } from '../../src/kernels/wasm/index.js';
import { kindsKernelModule } from '../../src/kernels/wasm/kinds/index.js';
import { setParallelThreshold } from '../../src/kernels/wasm/threads.js';
import { tidy } from '../../src/tensor/scope.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { drawKey, type DrawKey } from '../../src/tensor/counter-draws.js';
import { Random } from '../../src/tensor/random.js';
import { assertSame, check, filled, generator, poisoned, poolCases, type PoolCase } from './harness.js';

const RUNS = 60;
const THREADS = [1, 2, 3];

const NAMES = [
  'stochasticPoolForward',
  'stochasticPoolBackward',
  'stochasticPoolInference',
  'stochasticPoolInferenceBackward',
  'mixedPoolForward',
  'mixedPoolBackward',
  'gatedPoolForward',
  'gatedPoolBackward',
  'minPoolForward',
  'medianPoolForward',
  'ordinalPoolForward',
  'ordinalPoolBackward',
  'randomPoolForward',
  'inBoundsAverageForward',
  'inBoundsAverageBackward',
] as const;

/** The wasm kernels under test; failing (not skipping) where one is missing, since Node 20 has SIMD. */
function wasm(): Pick<Kernels, (typeof NAMES)[number]> {
  assert.ok(wasmBackend !== null, 'the wasm backend did not register');
  const kernels: Partial<Kernels> = wasmBackend.kernels;
  for (const name of NAMES) assert.ok(kernels[name] !== undefined, `no wasm ${name}`);
  return kernels as Pick<Kernels, (typeof NAMES)[number]>;
}

before(() => setParallelThreshold(0)); // split even the small random cases
after(async () => {
  setParallelThreshold();
  await setThreadCount(1);
});

/**
 * The seed CNN's window and its neighbours, which the kernels' dense 2x2 paths take: 2D, 2x2 at
 * stride 1 or 2, valid or same, channelsLast with 1 to 13 channels (whole quads and remainders).
 */
const dense2x2Cases: fc.Arbitrary<PoolCase> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    height: fc.integer({ min: 2, max: 9 }),
    width: fc.integer({ min: 2, max: 9 }),
    channels: fc.integer({ min: 1, max: 13 }),
    stride: fc.constantFrom(1, 2, 2),
    padding: fc.constantFrom<'valid' | 'same'>('valid', 'same'),
    values: fc.constantFrom<PoolCase['values']>('plain', 'ties', 'negative', 'special'),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  })
  .map(({ batch, height, width, channels, stride, padding, values, seed }) => ({
    geometry: poolGeometry('test', [batch, height, width, channels], 2, {
      kernelSize: 2,
      stride,
      padding,
      dataFormat: 'channelsLast',
    }),
    values,
    seed,
  }));

/**
 * Larger kernels whose edge windows are cut to a dense 2x2 by 'same' padding: the dense paths with
 * the window's first tap past kernel position 0 (its weights and weight-gradient sums at positions
 * first, + 1, + kW, + kW + 1 of kH·kW).
 */
const cut2x2Cases: fc.Arbitrary<PoolCase> = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    height: fc.integer({ min: 2, max: 7 }),
    width: fc.integer({ min: 2, max: 7 }),
    channels: fc.integer({ min: 1, max: 13 }),
    kernel: fc.constantFrom<[number, number]>([3, 3], [3, 2], [2, 3], [4, 4]),
    stride: fc.constantFrom(1, 2, 3),
    values: fc.constantFrom<PoolCase['values']>('plain', 'ties', 'negative', 'special'),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  })
  .map(({ batch, height, width, channels, kernel, stride, values, seed }) => ({
    geometry: poolGeometry('test', [batch, height, width, channels], 2, {
      kernelSize: kernel,
      stride,
      padding: 'same',
      dataFormat: 'channelsLast',
    }),
    values,
    seed,
  }));

/** Runs `body` on random cases, then on dense 2x2 ones and cut larger ones, under each thread count. */
async function onThreads(body: (item: PoolCase) => void): Promise<void> {
  for (const threads of THREADS) {
    await setThreadCount(threads);
    await threadsReady();
    check(poolCases({ maxChannels: 9 }), (item) => tidy(() => body(item)), RUNS);
    check(dense2x2Cases, (item) => tidy(() => body(item)), RUNS / 2);
    check(cut2x2Cases, (item) => tidy(() => body(item)), RUNS / 4);
  }
}

function zeros(shape: readonly number[]): Tensor {
  const tensor = Tensor.allocate(shape);
  tensor.values.fill(0);
  return tensor;
}

/** A call's draw key (counter-draws.ts) from the case's seed, as the ops make one. */
const keyOf = (seed: number): DrawKey => drawKey(new Random(seed ^ 0x5bd1e995));

/** Random values of `length` floats: mixing proportions or gate weights, some outside [0, 1]. */
function parameters(length: number, seed: number, scale: number): Tensor {
  const tensor = Tensor.allocate([length]);
  const random = generator(seed ^ 0x2545f491);
  for (let index = 0; index < length; index++) tensor.values[index] = (random() - 0.25) * scale;
  return tensor;
}

const taps = (geometry: PoolGeometry): number => geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;

type DrawKernel = (
  input: Float32Array,
  output: Float32Array,
  chosen: Int32Array,
  draws: DrawKey,
  geometry: PoolGeometry,
) => void;

/** A random kind's training forward, reference and wasm, on the same draws; returns the chosen cells. */
function compareDraws(referenceKernel: DrawKernel, wasmKernel: DrawKernel, item: PoolCase, input: Tensor): Int32Array {
  const { geometry, seed } = item;
  const uniforms = keyOf(seed);
  const expected = poisoned(geometry.outputShape);
  const expectedChosen = poisoned(geometry.outputShape, 'int32');
  referenceKernel(input.values, expected.values, expectedChosen.intValues, uniforms, geometry);
  const actual = poisoned(geometry.outputShape);
  const chosen = poisoned(geometry.outputShape, 'int32');
  wasmKernel(input.values, actual.values, chosen.intValues, uniforms, geometry);
  assertSame(actual.values, expected.values, 'output');
  assertSame(chosen.intValues, expectedChosen.intValues, 'chosen');
  return chosen.intValues;
}

test('stochasticPoolForward and stochasticPoolBackward (training) match the reference exactly', async () => {
  await onThreads((item) => {
    const { geometry, values, seed } = item;
    const input = filled(geometry.inputShape, values, seed);
    const chosen = compareDraws(stochastic.stochasticPoolForward, wasm().stochasticPoolForward, item, input);
    const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
    const expectedGrad = zeros(geometry.inputShape);
    stochastic.stochasticPoolBackward(input.values, chosen, gradOutput.values, expectedGrad.values, geometry);
    const actualGrad = zeros(geometry.inputShape);
    wasm().stochasticPoolBackward(input.values, chosen, gradOutput.values, actualGrad.values, geometry);
    assertSame(actualGrad.values, expectedGrad.values, 'gradInput');
  });
});

test('stochasticPoolInference and its backward match the reference exactly', async () => {
  await onThreads(({ geometry, values, seed }) => {
    const input = filled(geometry.inputShape, values, seed);
    const expected = poisoned(geometry.outputShape);
    stochastic.stochasticPoolInference(input.values, expected.values, geometry);
    const actual = poisoned(geometry.outputShape);
    wasm().stochasticPoolInference(input.values, actual.values, geometry);
    assertSame(actual.values, expected.values, 'output');
    const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
    const expectedGrad = zeros(geometry.inputShape);
    stochastic.stochasticPoolInferenceBackward(input.values, gradOutput.values, expectedGrad.values, geometry);
    const actualGrad = zeros(geometry.inputShape);
    wasm().stochasticPoolInferenceBackward(input.values, gradOutput.values, actualGrad.values, geometry);
    assertSame(actualGrad.values, expectedGrad.values, 'gradInput');
  });
});

type WeightedName = 'mixedPool' | 'gatedPool' | 'ordinalPool';
type WeightedForward = (
  input: Float32Array,
  weights: Float32Array,
  output: Float32Array,
  geometry: PoolGeometry,
) => void;
type WeightedBackward = (
  input: Float32Array,
  weights: Float32Array,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  gradWeights: Float32Array,
  geometry: PoolGeometry,
) => void;
const weightedReference: Record<WeightedName, [WeightedForward, WeightedBackward]> = {
  mixedPool: [mixedPoolForward, mixedPoolBackward],
  gatedPool: [gatedPoolForward, gatedPoolBackward],
  ordinalPool: [ordinalPoolForward, ordinalPoolBackward],
};

/** A kind with one weight tensor, forward and backward, on random weights of one of `weightSizes`. */
function weightedKindTest(
  name: WeightedName,
  weightSizes: (geometry: PoolGeometry) => [number, number],
  scale: number,
) {
  return async (): Promise<void> => {
    await onThreads(({ geometry, values, seed }) => {
      const [forward, backwardKernel] = weightedReference[name];
      const kernels = wasm();
      const input = filled(geometry.inputShape, values, seed);
      const weights = parameters(weightSizes(geometry)[seed % 2]!, seed, scale);
      const expected = poisoned(geometry.outputShape);
      forward(input.values, weights.values, expected.values, geometry);
      const actual = poisoned(geometry.outputShape);
      kernels[`${name}Forward`](input.values, weights.values, actual.values, geometry);
      assertSame(actual.values, expected.values, 'output');
      const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
      const expectedGrads = [zeros(geometry.inputShape), zeros(weights.shape)] as const;
      backwardKernel(input.values, weights.values, gradOutput.values, ...grads(expectedGrads), geometry);
      const actualGrads = [zeros(geometry.inputShape), zeros(weights.shape)] as const;
      kernels[`${name}Backward`](input.values, weights.values, gradOutput.values, ...grads(actualGrads), geometry);
      assertSame(actualGrads[0].values, expectedGrads[0].values, 'gradInput');
      assertSame(actualGrads[1].values, expectedGrads[1].values, 'gradWeights');
    });
  };
}

const grads = (tensors: readonly [Tensor, Tensor]): [Float32Array, Float32Array] => [
  tensors[0].values,
  tensors[1].values,
];

test(
  'mixedPoolForward and mixedPoolBackward match the reference exactly, alpha per layer and per channel',
  weightedKindTest('mixedPool', (geometry) => [1, geometry.channels], 2),
);

test(
  'gatedPoolForward and gatedPoolBackward match the reference exactly, weights per layer and per channel',
  weightedKindTest('gatedPool', (geometry) => [taps(geometry), geometry.channels * taps(geometry)], 1.5),
);

test(
  'ordinalPoolForward and ordinalPoolBackward match the reference exactly, weights per layer and per channel',
  weightedKindTest('ordinalPool', (geometry) => [taps(geometry), geometry.channels * taps(geometry)], 1.5),
);

const selections = { minPoolForward, medianPoolForward } as const;

for (const name of ['minPoolForward', 'medianPoolForward'] as const) {
  test(`${name} (with and without its argument indices) matches the reference exactly`, async () => {
    await onThreads(({ geometry, values, seed }) => {
      const input = filled(geometry.inputShape, values, seed);
      const expected = poisoned(geometry.outputShape);
      const expectedIndices = poisoned(geometry.outputShape, 'int32');
      selections[name](input.values, expected.values, expectedIndices.intValues, geometry);
      const actual = poisoned(geometry.outputShape);
      const indices = poisoned(geometry.outputShape, 'int32');
      wasm()[name](input.values, actual.values, indices.intValues, geometry);
      assertSame(actual.values, expected.values, 'output');
      assertSame(indices.intValues, expectedIndices.intValues, 'indices');
      const plain = poisoned(geometry.outputShape);
      wasm()[name](input.values, plain.values, null, geometry);
      assertSame(plain.values, expected.values, 'output without indices');
    });
  });
}

test("min, median and random pooling's chosen cells: maxPoolBackward (their backward) is the reference scatter-add", async () => {
  await onThreads((item) => {
    const { geometry, values, seed } = item;
    const input = filled(geometry.inputShape, values, seed);
    const gradOutput = filled(geometry.outputShape, values, seed + 1);
    const [minimum, median] = [poisoned(geometry.outputShape, 'int32'), poisoned(geometry.outputShape, 'int32')];
    minPoolForward(input.values, poisoned(geometry.outputShape).values, minimum.intValues, geometry);
    medianPoolForward(input.values, poisoned(geometry.outputShape).values, median.intValues, geometry);
    const drawn = compareDraws(random.randomPoolForward, wasm().randomPoolForward, item, input);
    for (const [index, chosen] of [minimum.intValues, median.intValues, drawn].entries()) {
      const expected = zeros(geometry.inputShape);
      argmaxScatterAdd(gradOutput.values, chosen, expected.values, poolingPlanes(geometry));
      const actual = poisoned(geometry.inputShape);
      (wasmBackend!.kernels as Kernels).maxPoolBackward(gradOutput.values, chosen, actual.values, geometry);
      assertSame(actual.values, expected.values, `gradInput from ${['min', 'median', 'random'][index]}'s cells`);
    }
  });
});

test('randomPoolForward and the in-bounds average (random pooling at inference) match the reference exactly', async () => {
  await onThreads((item) => {
    const { geometry, values, seed } = item;
    const input = filled(geometry.inputShape, values, seed);
    compareDraws(random.randomPoolForward, wasm().randomPoolForward, item, input);
    const expectedMean = poisoned(geometry.outputShape);
    random.inBoundsAverageForward(input.values, expectedMean.values, geometry);
    const actualMean = poisoned(geometry.outputShape);
    wasm().inBoundsAverageForward(input.values, actualMean.values, geometry);
    assertSame(actualMean.values, expectedMean.values, 'mean');
    const gradOutput = filled(geometry.outputShape, values, seed + 1);
    const expectedGrad = zeros(geometry.inputShape);
    random.inBoundsAverageBackward(gradOutput.values, expectedGrad.values, geometry);
    const actualGrad = zeros(geometry.inputShape);
    wasm().inBoundsAverageBackward(gradOutput.values, actualGrad.values, geometry);
    assertSame(actualGrad.values, expectedGrad.values, 'gradInput');
  });
});

test("the gates' float32 sigmoid is gate-sigmoid.ts's bit for bit, in every lane beside any other value", () => {
  const gateSigmoidLane = kindsKernelModule!.exports.gateSigmoidLane as (
    value: number,
    other: number,
    lane: number,
  ) => number;
  const random = generator(7);
  const edges = [
    0, -0, 1, -1, 0.5, 17.3, -17.4, 86, -86, 86.5, -86.5, 88.37, -88.37, 88.4, -88.4, 89, -89, 1e30, -1e30,
  ];
  const special = [...edges, 2 ** -140, -(2 ** -149), Infinity, -Infinity, NaN];
  const scales = [1e-6, 0.3, 1, 4, 20, 100];
  const randomValues = Array.from(
    { length: 200000 },
    (_, index) => (random() * 2 - 1) * scales[index % scales.length]!,
  );
  const samples = [...special, ...randomValues];
  for (let index = 0; index < samples.length; index++) {
    const value = samples[index]!;
    const other = samples[(index * 7919) % samples.length]!;
    const expected = gateSigmoid(value);
    const lane = index % 4;
    const actual = gateSigmoidLane(value, other, lane);
    assert.ok(
      Object.is(actual, expected),
      `lane ${lane}: sigmoid(${value}) = ${actual}, twin ${expected} (beside ${other})`,
    );
  }
});
