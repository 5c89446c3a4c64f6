// The weighted family's WebAssembly kernels (SoftPool, GeM, LSE, LIP) against their reference kernels,
// within each kind's stated tolerance, on random shapes and options with ties, NaN, ±Infinity,
// all-negative windows, odd channel counts (SIMD remainders), both data formats, ranks 1-3 and 1 to 3
// threads, SoftPool's, GeM's, LSE's and LIP's backward also from what their forward kept;
// and the SIMD e^x and ln x (assembly/kinds/simd-math.ts) against Math.exp and Math.log.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { poolGeometry, type PoolGeometry } from '../../src/geometry/pool-geometry.js';
import { gemPoolBackward, gemPoolForward } from '../../src/kernels/reference/extra/gem-pool.js';
import { lipPoolBackward, lipPoolForward } from '../../src/kernels/reference/extra/lip-pool.js';
import { lsePoolBackward, lsePoolForward } from '../../src/kernels/reference/extra/lse-pool.js';
import { softPoolBackward, softPoolForward } from '../../src/kernels/reference/extra/soft-pool.js';
import { setThreadCount } from '../../src/kernels/wasm/index.js';
import { kindsKernelModule } from '../../src/kernels/wasm/kinds/index.js';
import { mathLanes, type MathMode } from '../../src/kernels/wasm/kinds/weighted.js';
import { setParallelThreshold } from '../../src/kernels/wasm/threads.js';
import { KEPT_CELL_PLANES, KEPT_PLANES } from '../../src/pooling/kinds/forward-keep.js';
import { gemKind } from '../../src/pooling/kinds/gem.js';
import { lipKind } from '../../src/pooling/kinds/lip.js';
import { lseKind } from '../../src/pooling/kinds/lse.js';
import { softKind } from '../../src/pooling/kinds/soft.js';
import { tidy } from '../../src/tensor/scope.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { check, filled, generator, poisoned, poolCases, type PoolCase, type ValueKind } from './harness.js';
import { assertClose, fast, filledWith, gradPTolerance, parameter, room, withThreads } from './weighted-helpers.js';

const RUNS = 150;

after(async () => {
  setParallelThreshold();
  await setThreadCount(1);
});

function kinds(): NonNullable<typeof kindsKernelModule> {
  assert.ok(kindsKernelModule !== null, 'the kinds module did not load');
  return kindsKernelModule;
}

/** Float32 values in ulps apart (both finite, same sign or zero). */
function ulpsApart(a: number, b: number): number {
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  return Math.abs(bits[0]! - bits[1]!);
}

/** The largest ulp distance between f(x) lane-wise and Math.fround(reference(x)) over `values`. */
function measure(mode: MathMode, values: Float32Array, reference: (x: number) => number): number {
  return tidy(() => {
    const length = Math.ceil(values.length / 4) * 4;
    const input = Tensor.allocate([length]);
    input.values.set(values);
    const output = poisoned([length]);
    mathLanes(kinds(), mode, input.values, output.values);
    let worst = 0;
    for (let index = 0; index < values.length; index++) {
      const want = Math.fround(reference(values[index]!));
      const got = output.values[index]!;
      if (Number.isNaN(want) || !Number.isFinite(want) || want === 0) {
        // Special results exactly, save a last-ulp step across the overflow or underflow threshold.
        if (Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want))) continue;
        assert.ok(want !== 0 || got <= 2 ** -149, `${mode}(${values[index]}): ${got} != ${want}`);
        assert.ok(want === 0 || got >= 3.4e38, `${mode}(${values[index]}): ${got} != ${want}`);
        continue;
      }
      worst = Math.max(worst, ulpsApart(got, want));
    }
    return worst;
  });
}

test('expLanes: within 1 ulp of Math.exp over [−104, 89], exact at the special values', () => {
  const count = 1 << 20;
  const values = new Float32Array(count + 12);
  for (let index = 0; index < count; index++) values[index] = -104 + (193 * index) / count;
  values.set([NaN, Infinity, -Infinity, 0, -0, 89, 88.72283, 88.7229, -87.33, -103.97, -1e-30, 1e-30], count);
  const worst = measure('exp', values, Math.exp);
  assert.ok(worst <= 1, `expLanes is ${worst} ulps from Math.exp`);
});

test('expWeightLanes: within 2 ulps of Math.exp over [−87.3, 88.3], 0 below 2^−126, exact at the special values', () => {
  const count = 1 << 20;
  const values = new Float32Array(count + 10);
  for (let index = 0; index < count; index++) values[index] = -87.3 + (175.6 * index) / count;
  values.set([NaN, -Infinity, 0, -0, 88.3, -87.33, -1e-30, 1e-30, -30.5, -0.3465736], count);
  const worst = measure('expWeight', values, Math.exp);
  assert.ok(worst <= 2, `expWeightLanes is ${worst} ulps from Math.exp`);
  // Where e^x is subnormal or less: 0, never more.
  const below = Float32Array.from([-87.34, -88, -100, -1e30, -3.4e38]);
  assert.equal(
    measure('expWeight', below, () => 0),
    0,
  );
});

test('expWeightPairLanes: its e^x that of expWeightLanes, its e^x − 1 within 2 ulps of Math.expm1 over [−87, 0], small arguments included', () => {
  const random = generator(13);
  const values: number[] = [NaN, -Infinity, 0, -0, -1e-30, -0.3465, -0.3466, -87.3, -100];
  for (let exponent = -40; exponent <= 6; exponent++) {
    for (let draw = 0; draw < 4000; draw++) values.push(-Math.min(87, (1 + random()) * 2 ** exponent));
  }
  const worst = measure('expm1Pair', Float32Array.from(values), Math.expm1);
  assert.ok(worst <= 2, `expWeightPairLanes' e^x − 1 is ${worst} ulps from Math.expm1`);
});

test('logLanes: within 1 ulp of Math.log over every float32 exponent, exact at the special values', () => {
  const random = generator(7);
  const values: number[] = [NaN, Infinity, -Infinity, 0, -0, -1, -1e-40, 1, 2 ** -149, 2 ** -126, 3.4028234e38];
  for (let exponent = -149; exponent <= 127; exponent++) {
    for (let draw = 0; draw < 2000; draw++) values.push((1 + random()) * 2 ** exponent);
  }
  for (let draw = 0; draw < 100000; draw++) values.push(0.5 + random()); // around 1, where ln x is small
  const worst = measure('log', Float32Array.from(values), Math.log);
  assert.ok(worst <= 1, `logLanes is ${worst} ulps from Math.log`);
});

test('logShortLanes: within 5 ulps of Math.log over every normal float32 exponent', () => {
  const random = generator(17);
  const values: number[] = [
    1,
    2 ** -126,
    3.4028234e38,
    Math.SQRT1_2,
    Math.fround(Math.SQRT1_2) * (1 - 2 ** -24),
    Math.SQRT2,
  ];
  for (let exponent = -126; exponent <= 127; exponent++) {
    for (let draw = 0; draw < 2000; draw++) values.push((1 + random()) * 2 ** exponent);
  }
  for (let draw = 0; draw < 200000; draw++) values.push(0.5 + random()); // around 1, where ln x is small
  const worst = measure('logShort', Float32Array.from(values), Math.log);
  assert.ok(worst <= 5, `logShortLanes is ${worst} ulps from Math.log`);
});

test('log1pNonPositiveLanes: within 3 ulps of Math.log1p over (−1, 0], small arguments included', () => {
  const random = generator(19);
  const values: number[] = [0, -0, -1e-30, -(2 ** -149), -0.2928932, -0.2928933, -0.5, -0.75, -0.999, -(1 - 2 ** -24)];
  for (let exponent = -149; exponent <= -1; exponent++) {
    for (let draw = 0; draw < 2000; draw++) values.push(-Math.min(1 - 2 ** -24, (1 + random()) * 2 ** exponent));
  }
  for (let draw = 0; draw < 100000; draw++) values.push(-random() * (1 - 2 ** -24));
  const worst = measure('log1pNonPositive', Float32Array.from(values), Math.log1p);
  assert.ok(worst <= 3, `log1pNonPositiveLanes is ${worst} ulps from Math.log1p`);
});

test('expm1Lanes and log1pLanes: within 2 ulps of Math.expm1 and Math.log1p, small arguments included', () => {
  const random = generator(11);
  const values: number[] = [NaN, Infinity, -Infinity, 0, -0, -1, 1e-30, -1e-30];
  for (let exponent = -40; exponent <= 6; exponent++) {
    for (let draw = 0; draw < 4000; draw++) values.push((random() < 0.5 ? -1 : 1) * (1 + random()) * 2 ** exponent);
  }
  const expm1Values = Float32Array.from(values.filter((value) => !(value > 88)));
  assert.ok(measure('expm1', expm1Values, Math.expm1) <= 2, 'expm1Lanes');
  assert.ok(measure('log1p', Float32Array.from(values), Math.log1p) <= 2, 'log1pLanes');
});

/** Compares forward and backward of SoftPool's kernels on one random case. */
function compareSoft(geometry: PoolGeometry, values: Parameters<typeof filled>[1], seed: number, label: string): void {
  const tolerance = softKind.tolerance!;
  tidy(() => {
    const input = filled(geometry.inputShape, values, seed);
    const expected = poisoned(geometry.outputShape);
    softPoolForward(input.values, expected.values, geometry);
    const [actual, keepingActual] = [0, 1].map(() => poisoned(geometry.outputShape));
    fast().softPoolForward!(input.values, actual!.values, geometry);
    assertClose(actual!.values, expected.values, tolerance, `${label} forward`);
    const kept = room(geometry, KEPT_PLANES.soft, KEPT_CELL_PLANES.soft);
    fast().softPoolForward!(input.values, keepingActual!.values, geometry, kept);
    assert.deepEqual(keepingActual!.values, actual!.values, `${label}: keeping forward differs`);
    const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
    const expectedGrad = Tensor.allocate(geometry.inputShape);
    expectedGrad.values.fill(0);
    softPoolBackward(input.values, gradOutput.values, expectedGrad.values, geometry);
    const results = ([undefined, kept] as const).map((from) => {
      const actualGrad = filledWith(geometry.inputShape, 0); // the kernels' contract: gradInput zeroed first
      fast().softPoolBackward!(input.values, gradOutput.values, actualGrad.values, geometry, from);
      const how = from === undefined ? 'anew' : 'kept';
      assertClose(actualGrad.values, expectedGrad.values, tolerance, `${label} backward ${how}`);
      return [...actualGrad.values];
    });
    // The kept weights and sums are the very values the backward computes anew: the same bits.
    assert.deepEqual(results[1], results[0], `${label}: kept backward differs from anew`);
  });
}

test('SoftPool forward and backward match the reference within its tolerance, 1 to 3 threads', async () => {
  await withThreads((threads) =>
    check(
      poolCases(),
      ({ geometry, values, seed }) => compareSoft(geometry, values, seed, `soft, ${threads} threads`),
      RUNS,
    ),
  );
});

/** GeM's p: one shared value or one per channel, positive and negative, whole and fractional. */
const gemPowers = [3, 1, 2, 1.5, 0.5, 4.5, -1, -2.5];
/** LSE's r: 0 and 10⁻¹² (the mean limit), small (where e^x − 1 and ln(1 + x) keep y's digits), negative and large. */
const lseRates = [1, 0, 1e-12, 1e-4, 0.05, -1, 2, -3.5, 8];

/**
 * Compares forward and backward (gradInput and gradP) of GeM's kernels on one random case; the
 * backward computed anew and from what the forward kept (windows that do not overlap), the two alike.
 */
function compareGem(geometry: PoolGeometry, values: Parameters<typeof filled>[1], seed: number, label: string): void {
  const tolerance = gemKind.tolerance!;
  tidy(() => {
    const input = filled(geometry.inputShape, values, seed);
    const p = parameter(geometry, seed, gemPowers);
    const named = `${label}, p ${p.values.join(' ')}`;
    const expected = poisoned(geometry.outputShape);
    gemPoolForward(input.values, p.values, expected.values, geometry);
    const actual = poisoned(geometry.outputShape);
    const kept = room(geometry, KEPT_PLANES.gem, KEPT_CELL_PLANES.gem);
    fast().gemPoolForward!(input.values, p.values, actual.values, geometry, kept);
    assertClose(actual.values, expected.values, tolerance, `${named} forward`);
    const plain = poisoned(geometry.outputShape);
    fast().gemPoolForward!(input.values, p.values, plain.values, geometry);
    assert.deepEqual(actual.values, plain.values, `${named}: keeping forward differs`);
    const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
    const expectedGrad = filledWith(geometry.inputShape, 0);
    const expectedGradP = filledWith(p.shape, 0.25); // the kernels add to it
    gemPoolBackward(input.values, p.values, gradOutput.values, expectedGrad.values, expectedGradP.values, geometry);
    const results = ([undefined, kept] as const).map((from) => {
      const [actualGrad, actualGradP] = [filledWith(geometry.inputShape, 0), filledWith(p.shape, 0.25)];
      fast().gemPoolBackward!(
        input.values,
        p.values,
        gradOutput.values,
        actualGrad.values,
        actualGradP.values,
        geometry,
        from,
      );
      const how = from === undefined ? 'anew' : 'kept';
      assertClose(actualGrad.values, expectedGrad.values, tolerance, `${named} gradInput ${how}`);
      assertClose(actualGradP.values, expectedGradP.values, gradPTolerance(geometry), `${named} gradP ${how}`);
      return [...actualGrad.values, ...actualGradP.values];
    });
    // The kept t and sums are the very values the backward computes anew: the same bits.
    assert.deepEqual(results[1], results[0], `${named}: kept backward differs from anew`);
  });
}

test('GeM forward and backward match the reference within its tolerance, 1 to 3 threads', async () => {
  await withThreads((threads) =>
    check(
      poolCases(),
      ({ geometry, values, seed }) => compareGem(geometry, values, seed, `gem, ${threads} threads`),
      RUNS,
    ),
  );
});

/**
 * Compares forward and backward (gradInput and gradR) of LSE pooling's kernels on one random case; the
 * backward computed anew and from what the forward kept (windows that do not overlap), the two alike.
 */
function compareLse(geometry: PoolGeometry, values: Parameters<typeof filled>[1], seed: number, label: string): void {
  const tolerance = lseKind.tolerance!;
  tidy(() => {
    const input = filled(geometry.inputShape, values, seed);
    const r = parameter(geometry, seed, lseRates);
    const named = `${label}, r ${r.values.join(' ')}`;
    const expected = poisoned(geometry.outputShape);
    lsePoolForward(input.values, r.values, expected.values, geometry);
    const actual = poisoned(geometry.outputShape);
    const kept = room(geometry, KEPT_PLANES.lse, KEPT_CELL_PLANES.lse);
    fast().lsePoolForward!(input.values, r.values, actual.values, geometry, kept);
    assertClose(actual.values, expected.values, tolerance, `${named} forward`);
    const plain = poisoned(geometry.outputShape);
    fast().lsePoolForward!(input.values, r.values, plain.values, geometry);
    assert.deepEqual(actual.values, plain.values, `${named}: keeping forward differs`);
    const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
    const expectedGrad = filledWith(geometry.inputShape, 0);
    const expectedGradR = filledWith(r.shape, 0.25); // the kernels add to it
    lsePoolBackward(input.values, r.values, gradOutput.values, expectedGrad.values, expectedGradR.values, geometry);
    // ∂y/∂r = (Σsᵢ(xᵢ − m) − ln(mean e)/r)/r cancels for small r: compared where |r| ≥ 0.5 or in the mean limit.
    const comparesGradR = r.values.every((rate) => Math.abs(rate) >= 0.5 || Math.abs(rate) <= 1e-12);
    const results = ([undefined, kept] as const).map((from) => {
      const [actualGrad, actualGradR] = [filledWith(geometry.inputShape, 0), filledWith(r.shape, 0.25)];
      const grads = [actualGrad.values, actualGradR.values] as const;
      fast().lsePoolBackward!(input.values, r.values, gradOutput.values, ...grads, geometry, from);
      const how = from === undefined ? 'anew' : 'kept';
      assertClose(actualGrad.values, expectedGrad.values, tolerance, `${named} gradInput ${how}`);
      if (comparesGradR) {
        assertClose(actualGradR.values, expectedGradR.values, gradPTolerance(geometry), `${named} gradR ${how}`);
      }
      return [...actualGrad.values, ...actualGradR.values];
    });
    // The kept weights and sums are the very values the backward computes anew: the same bits.
    assert.deepEqual(results[1], results[0], `${named}: kept backward differs from anew`);
  });
}

test('LSE forward and backward match the reference within its tolerance, 1 to 3 threads', async () => {
  await withThreads((threads) =>
    check(
      poolCases(),
      ({ geometry, values, seed }) => compareLse(geometry, values, seed, `lse, ${threads} threads`),
      RUNS,
    ),
  );
});

/**
 * The seed layer's windows, 2x2 at stride 2 over channels-last inputs of 8 to 21 channels: GeM's and
 * LSE's saving forwards take two channel quads at a time there (gem.ts's gemSavingPair, lse.ts's
 * lseSavingPair), then single quads and single channels; 'same' padding adds edge windows of fewer taps.
 */
function densePairCases(): fc.Arbitrary<PoolCase> {
  return fc
    .record({
      batch: fc.integer({ min: 1, max: 3 }),
      height: fc.integer({ min: 2, max: 9 }),
      width: fc.integer({ min: 2, max: 9 }),
      channels: fc.integer({ min: 8, max: 21 }),
      padding: fc.constantFrom('valid' as const, 'same' as const),
      values: fc.constantFrom<ValueKind>('plain', 'ties', 'negative', 'special'),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    })
    .map((draw) => ({
      geometry: poolGeometry('test', [draw.batch, draw.height, draw.width, draw.channels], 2, {
        kernelSize: 2,
        stride: 2,
        padding: draw.padding,
        dataFormat: 'channelsLast',
      }),
      values: draw.values,
      seed: draw.seed,
    }));
}

test("GeM and LSE on the seed layer's 2x2/2 windows (paired channel quads): the reference, keeping and plain alike, 1 to 3 threads", async () => {
  await withThreads((threads) => {
    check(
      densePairCases(),
      ({ geometry, values, seed }) => compareGem(geometry, values, seed, `gem dense, ${threads} threads`),
      RUNS,
    );
    check(
      densePairCases(),
      ({ geometry, values, seed }) => compareLse(geometry, values, seed, `lse dense, ${threads} threads`),
      RUNS,
    );
  });
});

/**
 * Compares forward and backward (gradInput and gradLogits) of LIP's kernels on one random case; the
 * backward computed anew and from what the forward kept, the two alike.
 */
function compareLip(geometry: PoolGeometry, values: Parameters<typeof filled>[1], seed: number, label: string): void {
  const tolerance = lipKind.tolerance!;
  const coefficient = [12, 0, 3.5][seed % 3]!;
  const lipGeometry = { ...geometry, coefficient };
  const named = `${label}, λ ${coefficient}`;
  tidy(() => {
    const input = filled(geometry.inputShape, values, seed);
    const logits = filled(geometry.inputShape, seed % 5 === 0 ? 'special' : 'plain', seed + 2);
    const expected = poisoned(geometry.outputShape);
    lipPoolForward(input.values, logits.values, expected.values, lipGeometry);
    const actual = poisoned(geometry.outputShape);
    const kept = room(geometry, KEPT_PLANES.lip, KEPT_CELL_PLANES.lip);
    fast().lipPoolForward!(input.values, logits.values, actual.values, lipGeometry, kept);
    assertClose(actual.values, expected.values, tolerance, `${named} forward`);
    const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
    const [expectedGrad, expectedLogits] = [0, 1].map(() => filledWith(geometry.inputShape, 0));
    lipPoolBackward(
      input.values,
      logits.values,
      gradOutput.values,
      expectedGrad!.values,
      expectedLogits!.values,
      lipGeometry,
    );
    const results = ([undefined, kept] as const).map((from) => {
      const [actualGrad, actualLogits] = [0, 1].map(() => filledWith(geometry.inputShape, 0));
      const grads = [gradOutput.values, actualGrad!.values, actualLogits!.values] as const;
      fast().lipPoolBackward!(input.values, logits.values, ...grads, lipGeometry, from);
      const how = from === undefined ? 'anew' : 'kept';
      assertClose(actualGrad!.values, expectedGrad!.values, tolerance, `${named} gradInput ${how}`);
      assertClose(actualLogits!.values, expectedLogits!.values, tolerance, `${named} gradLogits ${how}`);
      return [...actualGrad!.values, ...actualLogits!.values];
    });
    assert.deepEqual(results[1], results[0], `${named}: kept backward differs from anew`);
  });
}

test('LIP forward and backward match the reference within its tolerance, 1 to 3 threads', async () => {
  await withThreads((threads) =>
    check(
      poolCases(),
      ({ geometry, values, seed }) => compareLip(geometry, values, seed, `lip, ${threads} threads`),
      RUNS,
    ),
  );
});
