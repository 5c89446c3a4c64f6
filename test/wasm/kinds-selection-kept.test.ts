// Gated pooling's kept gates: a wasm forward given a room (forward-keep.ts, KEPT_GATE_PLANES) leaves
// each window's gate there and marks it; the backward then reads the gates instead of taking e^x
// again, and must still match the reference backward bit for bit; a room the forward did not fill
// (no mark) is ignored. Random shapes and options (both formats, ranks 1-3, odd channel counts),
// ties, NaN and ±Infinity, on 1 to 3 threads.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, test } from 'node:test';
import { poolGeometry, type PoolGeometry } from '../../src/geometry/pool-geometry.js';
import { gatedPoolBackward, gatedPoolForward } from '../../src/kernels/reference/extra/gated-pool.js';
import type { Kernels } from '../../src/kernels/types.js';
import { setThreadCount, threadsReady, wasmBackend } from '../../src/kernels/wasm/index.js';
import { setParallelThreshold } from '../../src/kernels/wasm/threads.js';
import { KEPT_GATE_PLANES, KEPT_MARK, keptLength } from '../../src/pooling/kinds/forward-keep.js';
import { tidy } from '../../src/tensor/scope.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertSame, check, filled, generator, poisoned, poolCases, type PoolCase } from './harness.js';

before(() => setParallelThreshold(0));
after(async () => {
  setParallelThreshold();
  await setThreadCount(1);
});

/** Dense 2x2 channelsLast windows (the kernels' straight-line and tiling paths), whole quads and remainders. */
const denseCases: fc.Arbitrary<PoolCase> = fc
  .record({
    height: fc.integer({ min: 2, max: 7 }),
    width: fc.integer({ min: 2, max: 7 }),
    channels: fc.oneof(fc.integer({ min: 1, max: 11 }), fc.constantFrom(4, 8, 12)), // whole quads: the tiling path
    stride: fc.constantFrom(1, 2, 2),
    values: fc.constantFrom<PoolCase['values']>('plain', 'ties', 'special'),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  })
  .map(({ height, width, channels, stride, values, seed }) => ({
    geometry: poolGeometry('test', [2, height, width, channels], 2, {
      kernelSize: 2,
      stride,
      dataFormat: 'channelsLast',
    }),
    values,
    seed,
  }));

function zeros(shape: readonly number[]): Tensor {
  const tensor = Tensor.allocate(shape);
  tensor.values.fill(0);
  return tensor;
}

function gateWeights(geometry: PoolGeometry, seed: number): Tensor {
  const taps = geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;
  const weights = Tensor.allocate([seed % 2 === 0 ? taps : taps * geometry.channels]);
  const random = generator(seed ^ 0x2545f491);
  for (let index = 0; index < weights.size; index++) weights.values[index] = (random() - 0.25) * 1.5;
  return weights;
}

/** Forward with a room, then backward with it (filled, or with its mark cleared), against the reference. */
function checkKept({ geometry, values, seed }: PoolCase, filledRoom: boolean): void {
  const kernels = wasmBackend!.kernels as Kernels;
  const input = filled(geometry.inputShape, values, seed);
  const weights = gateWeights(geometry, seed);
  const room = poisoned([keptLength(geometry, KEPT_GATE_PLANES, 0)]);
  room.values[room.size - 1] = 0;
  const expected = poisoned(geometry.outputShape);
  gatedPoolForward(input.values, weights.values, expected.values, geometry);
  const actual = poisoned(geometry.outputShape);
  kernels.gatedPoolForward(input.values, weights.values, actual.values, geometry, room.values);
  assertSame(actual.values, expected.values, 'output');
  assert.equal(room.values[room.size - 1], KEPT_MARK, 'the forward marks its room');
  if (!filledRoom) room.values.fill(0.25); // no mark: the gates there must be ignored
  const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
  const expectedGrads = [zeros(geometry.inputShape), zeros(weights.shape)];
  gatedPoolBackward(
    input.values,
    weights.values,
    gradOutput.values,
    expectedGrads[0]!.values,
    expectedGrads[1]!.values,
    geometry,
  );
  const actualGrads = [zeros(geometry.inputShape), zeros(weights.shape)];
  const [gradInput, gradWeights] = [actualGrads[0]!.values, actualGrads[1]!.values];
  kernels.gatedPoolBackward(
    input.values,
    weights.values,
    gradOutput.values,
    gradInput,
    gradWeights,
    geometry,
    room.values,
  );
  assertSame(actualGrads[0]!.values, expectedGrads[0]!.values, 'gradInput');
  assertSame(actualGrads[1]!.values, expectedGrads[1]!.values, 'gradWeights');
}

test('gatedPoolBackward from the gates its forward kept matches the reference exactly; an unmarked room is ignored', async () => {
  for (const threads of [1, 2, 3]) {
    await setThreadCount(threads);
    await threadsReady();
    for (const filledRoom of [true, false]) {
      check(poolCases({ maxChannels: 9 }), (item) => tidy(() => checkKept(item, filledRoom)), 40);
      check(denseCases, (item) => tidy(() => checkKept(item, filledRoom)), 30);
    }
  }
});
