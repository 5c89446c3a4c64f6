// The filters family's fast kernels (src/kernels/wasm/kinds/filters.ts) against their reference
// kernels: BlurPool's strided binomial filter bit for bit, forward and backward, on random shapes
// and options (ranks 1-3, both layouts, every pad mode, odd channel counts leaving SIMD remainders),
// values with ties, NaN, ±Infinity and ±0, on 1, 2 and 3 threads.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { adaptiveGeometry } from '../../src/geometry/adaptive-geometry.js';
import type { PoolingSizes, SpatialDims } from '../../src/geometry/layout.js';
import { attentionPoolBackward, attentionPoolForward } from '../../src/kernels/reference/extra/attention-pool.js';
import { blurPoolBackward, blurPoolForward } from '../../src/kernels/reference/extra/blur-pool.js';
import { maxBlurPoolForward } from '../../src/kernels/reference/extra/max-blur-pool.js';
import {
  covarianceKeptLength,
  covariancePoolBackward,
  covariancePoolForward,
  type CovarianceGeometry,
} from '../../src/kernels/reference/extra/covariance-pool.js';
import {
  spectralMaskBackward,
  spectralPoolBackward,
  spectralPoolForward,
  type SpectralGeometry,
} from '../../src/kernels/reference/extra/spectral-pool.js';
import { waveletPoolBackward, waveletPoolForward } from '../../src/kernels/reference/extra/wavelet-pool.js';
import type { PoolingKernels } from '../../src/kernels/types.js';
import { setThreadCount, threadsReady, wasmBackend } from '../../src/kernels/wasm/index.js';
import { setBlurCacheLimit } from '../../src/kernels/wasm/kinds/filters/blur.js';
import { setParallelThreshold } from '../../src/kernels/wasm/threads.js';
import { globalSetUp } from '../../src/pooling/global-steps.js';
import { attentionKind } from '../../src/pooling/kinds/attention.js';
import { blurGeometry } from '../../src/pooling/kinds/blur-geometry.js';
import { maxBlurGeometries } from '../../src/pooling/kinds/max-blur.js';
import { covarianceKind } from '../../src/pooling/kinds/covariance.js';
import { clearKept, KEPT_MARK } from '../../src/pooling/kinds/forward-keep.js';
import { diffStrideKind } from '../../src/pooling/kinds/diff-stride.js';
import { spectralGeometry, strideMask } from '../../src/pooling/kinds/spectral-geometry.js';
import { spectralKind } from '../../src/pooling/kinds/spectral.js';
import { assertClose, type Tolerance } from './weighted-helpers.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';
import { assertSame, check, filled, poisoned, type ValueKind } from './harness.js';
import { blurCases, maxBlurCases, type BlurCase, type MaxBlurCase } from '../helpers/blur-cases.js';

function fast(): PoolingKernels {
  assert.ok(wasmBackend !== null, 'the wasm backend did not register');
  return wasmBackend.kernels as unknown as PoolingKernels;
}

before(() => setParallelThreshold(0)); // split even the small random cases among the threads
after(async () => {
  setParallelThreshold();
  await setThreadCount(1);
});

/**
 * Runs `compare` on every case on 1, 2 and 3 threads (split even when small), and checks that the
 * fast kernels give the same bits on every thread count.
 */
async function acrossThreads<Case>(cases: Case[], compare: (item: Case) => ArrayLike<number>[]): Promise<void> {
  const firstRun: ArrayLike<number>[][] = [];
  for (const threads of [1, 2, 3]) {
    await setThreadCount(threads);
    await threadsReady();
    cases.forEach((item, index) => {
      const results = compare(item);
      if (threads === 1) firstRun[index] = results;
      else
        results.forEach((values, part) =>
          assertSame(values, firstRun[index]![part]!, `threads ${threads} part ${part}`),
        );
    });
  }
}

function compareBlur({ geometry, values, seed }: BlurCase): void {
  tidy(() => {
    const input = filled(geometry.inputShape, values, seed);
    const [expected, actual] = [poisoned(geometry.outputShape), poisoned(geometry.outputShape)];
    blurPoolForward(input.values, expected.values, geometry);
    fast().blurPoolForward(input.values, actual.values, geometry);
    assertSame(actual.values, expected.values, 'blur forward');
    const gradOutput = filled(geometry.outputShape, seed % 2 === 0 ? 'special' : 'plain', seed + 1);
    const [expectedGrad, actualGrad] = [poisoned(geometry.inputShape), poisoned(geometry.inputShape)];
    blurPoolBackward(gradOutput.values, expectedGrad.values, geometry);
    fast().blurPoolBackward(gradOutput.values, actualGrad.values, geometry);
    assertSame(actualGrad.values, expectedGrad.values, 'blur backward');
  });
}

for (const threads of [1, 2, 3]) {
  test(`blurPoolForward and blurPoolBackward match the reference bit for bit (${threads} threads)`, async () => {
    await setThreadCount(threads);
    await threadsReady();
    check(blurCases(), compareBlur, threads === 1 ? 300 : 100);
  });
}

test('blur kernels on a seed-CNN-sized NHWC input (32 channels, 26×26, filter 4, stride 2) match bit for bit', () => {
  const geometry = blurGeometry('test', [3, 26, 26, 32], 2, { filterSize: 4, stride: 2 });
  compareBlur({ geometry, values: 'plain', seed: 7 });
  compareBlur({ geometry, values: 'special', seed: 8 });
});

test('blur kernels on wide inputs (interior columns reuse one tap list per row, 8-channel blocks) match bit for bit', async () => {
  await setThreadCount(2);
  await threadsReady();
  check(blurCases({ batch: 2, channels: 21, size: 24 }), compareBlur, 120);
});

test('blur forward keeps the reference tap order: a sum another order would round differently', () => {
  // Output cell (1, 1)'s window, rows 1-4 and columns 1-4: [64, 0, 0, 2⁻¹⁸] then [0, 2⁻⁵¹, 2⁻⁵¹, 0]. In tap
  // order the two tiny terms are lost one by one and 1 + 2⁻²⁴ rounds to 1; summed first they round it up.
  for (const dataFormat of ['channelsLast', 'channelsFirst'] as const) {
    const shape = dataFormat === 'channelsLast' ? [1, 8, 8, 29] : [1, 29, 8, 8];
    const geometry = blurGeometry('test', shape, 2, { filterSize: 4, stride: 2, padMode: 'zero', dataFormat });
    tidy(() => {
      const input = filled(geometry.inputShape, 'plain', 3);
      input.values.fill(0);
      const at = (row: number, column: number, channel: number): number =>
        dataFormat === 'channelsLast' ? (row * 8 + column) * 29 + channel : (channel * 8 + row) * 8 + column;
      for (let channel = 0; channel < 29; channel++) {
        input.values[at(1, 1, channel)] = 64;
        input.values[at(1, 4, channel)] = 2 ** -18;
        input.values[at(2, 2, channel)] = 2 ** -51;
        input.values[at(2, 3, channel)] = 2 ** -51;
      }
      const [expected, actual] = [poisoned(geometry.outputShape), poisoned(geometry.outputShape)];
      blurPoolForward(input.values, expected.values, geometry);
      fast().blurPoolForward(input.values, actual.values, geometry);
      assert.equal(expected.values[dataFormat === 'channelsLast' ? (1 * 4 + 1) * 29 : 5], 1);
      assertSame(actual.values, expected.values, `blur forward ${dataFormat}`);
    });
  }
});

test('blur kernels with the backward’s f64 sample cache (on by default) match bit for bit, 1 and 3 threads', async () => {
  for (const threads of [1, 3]) {
    await setThreadCount(threads);
    await threadsReady();
    check(blurCases(), compareBlur, 100);
  }
});

test('blur kernels without the backward’s f64 cache (the gradient read as f32 where it is) match bit for bit', async () => {
  setBlurCacheLimit(0);
  try {
    for (const threads of [1, 3]) {
      await setThreadCount(threads);
      await threadsReady();
      check(blurCases(), compareBlur, 100);
    }
  } finally {
    setBlurCacheLimit();
  }
});

test('blur backward sums each input cell’s shares in f64 and rounds once, as the forward', () => {
  // Cell 2 of a [1,2,1]/4 filter at stride 1 gets 2⁻²³/4, then 1/2, then 2⁻²³/4: rounded to f32 after each
  // add, both small shares are lost (ties to even) and it stays 1/2; summed in f64, it is 1/2 + 2⁻²⁴.
  const geometry = blurGeometry('test', [1, 5, 1], 1, { filterSize: 3, stride: 1, padMode: 'zero' });
  tidy(() => {
    const gradOutput = filled(geometry.outputShape, 'plain', 1);
    gradOutput.values.set([0, 2 ** -23, 1, 2 ** -23, 0]);
    const [expected, actual] = [poisoned(geometry.inputShape), poisoned(geometry.inputShape)];
    blurPoolBackward(gradOutput.values, expected.values, geometry);
    fast().blurPoolBackward(gradOutput.values, actual.values, geometry);
    assert.equal(expected.values[2], 0.5 + 2 ** -24);
    assertSame(actual.values, expected.values, 'blur backward');
  });
});

test('blur backward keeps the reference order: shares whose f64 sum another order would round differently', () => {
  // Output gradients ±2⁶⁰ and small odd numbers: an input cell's shares cancel or absorb each other,
  // so a sum in another (output cell, tap) order than the reference's gives other bits; both layouts,
  // reflect padding (a mirrored cell gets two taps of one output cell), 29 channels (every block width).
  for (const dataFormat of ['channelsLast', 'channelsFirst'] as const) {
    const shape = dataFormat === 'channelsLast' ? [2, 9, 10, 29] : [2, 29, 9, 10];
    const geometry = blurGeometry('test', shape, 2, { filterSize: 4, stride: 2, dataFormat });
    tidy(() => {
      const gradOutput = filled(geometry.outputShape, 'plain', 5);
      const magnitudes = [2 ** 60, -(2 ** 60), 1, 3, -5];
      gradOutput.values.forEach((_, index) => (gradOutput.values[index] = magnitudes[(index * 7 + (index >> 3)) % 5]!));
      const [expected, actual] = [poisoned(geometry.inputShape), poisoned(geometry.inputShape)];
      blurPoolBackward(gradOutput.values, expected.values, geometry);
      fast().blurPoolBackward(gradOutput.values, actual.values, geometry);
      assertSame(actual.values, expected.values, `blur backward ${dataFormat}`);
    });
  }
});

function compareMaxBlur(item: MaxBlurCase): void {
  tidy(() => {
    const input = filled(item.shape, item.values, item.seed);
    const { dense, blur } = item.geometry;
    const [expected, actual] = [poisoned(blur.outputShape), poisoned(blur.outputShape)];
    const [expectedArgmax, actualArgmax] = [poisoned(dense.outputShape, 'int32'), poisoned(dense.outputShape, 'int32')];
    maxBlurPoolForward(input.values, expected.values, expectedArgmax.intValues, item.geometry);
    const maxima = poisoned(dense.outputShape);
    fast().maxPoolForward(input.values, maxima.values, actualArgmax.intValues, dense);
    fast().blurPoolForward(maxima.values, actual.values, blur);
    assertSame(actual.values, expected.values, 'maxBlur forward');
    assertSame(actualArgmax.intValues, expectedArgmax.intValues, 'maxBlur argmax');
  });
}

test('the wasm max pooling then blur (MaxBlurPool’s forward on wasm) match the reference’s maxBlurPoolForward bit for bit, argmax too', async () => {
  for (const threads of [1, 2, 3]) {
    await setThreadCount(threads);
    await threadsReady();
    check(maxBlurCases(), compareMaxBlur, threads === 1 ? 200 : 80);
  }
});

test('MaxBlurPool’s wasm forward on a seed-CNN-sized NHWC input (26×26 → 25×25 maxima → 13×13) matches bit for bit', () => {
  const shape = [3, 26, 26, 32];
  const geometry = maxBlurGeometries('test', shape, 2, { kernelSize: 2, filterSize: 4, stride: 2 });
  for (const [values, seed] of [
    ['plain', 3],
    ['ties', 4],
    ['special', 5],
  ] as const) {
    compareMaxBlur({ shape, geometry, values, seed });
  }
});

/** A random global-pooling input: ranks 1-3, either layout, up to `maxSize` cells per axis. */
function globalShapes(maxSize: number) {
  return fc
    .record({
      rank: fc.constantFrom<SpatialDims>(1, 2, 3),
      batch: fc.integer({ min: 1, max: 3 }),
      channels: fc.integer({ min: 1, max: 11 }),
      sizes: fc.array(fc.integer({ min: 1, max: maxSize }), { minLength: 3, maxLength: 3 }),
      channelsLast: fc.boolean(),
    })
    .map((draw) => {
      const spatial = draw.sizes.slice(3 - draw.rank);
      const shape = draw.channelsLast
        ? [draw.batch, ...spatial, draw.channels]
        : [draw.batch, draw.channels, ...spatial];
      const dataFormat = draw.channelsLast ? 'channelsLast' : 'channelsFirst';
      return { shape, geometry: globalSetUp('test', shape, { dataFormat }).geometry };
    });
}

interface AttentionCase {
  shape: number[];
  geometry: PoolingSizes;
  values: ValueKind;
  kernelValues: ValueKind;
  seed: number;
}

function attentionCases(): fc.Arbitrary<AttentionCase> {
  return fc
    .record({
      input: globalShapes(6),
      values: fc.constantFrom<ValueKind>('plain', 'plain', 'ties', 'negative', 'special'),
      kernelValues: fc.constantFrom<ValueKind>('plain', 'plain', 'plain', 'special'),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    })
    .map(({ input, ...rest }) => ({ ...input, ...rest }));
}

/** The kernels' gradients sum over samples and cells in f32: a looser bound than the kind's. */
const KERNEL_GRADIENT_TOLERANCE: Tolerance = { relative: 1e-5, absolute: 1e-6 };

/** Runs the fast attention kernels; returns copies of output, gradInput and both kernels' gradients. */
function fastAttention(input: Tensor, query: Tensor, key: Tensor, gradOutput: Tensor, geometry: PoolingSizes) {
  const output = poisoned([geometry.batch, geometry.channels]);
  fast().attentionPoolForward(input.values, query.values, key.values, output.values, geometry);
  const gradInput = poisoned(input.shape);
  const [gradQuery, gradKey] = [filled(query.shape, 'plain', 5), filled(key.shape, 'plain', 5)];
  fast().attentionPoolBackward(
    input.values,
    query.values,
    key.values,
    gradOutput.values,
    gradInput.values,
    gradQuery.values,
    gradKey.values,
    geometry,
  );
  return [output, gradInput, gradQuery, gradKey].map((tensor) => Float32Array.from(tensor.values));
}

function compareAttention({ shape, geometry, values, kernelValues, seed }: AttentionCase): Float32Array[] {
  return tidy(() => {
    const size = geometry.channels;
    const input = filled(shape, values, seed);
    // Kernels near the identity (the layer's start) or with NaN and infinities.
    const [query, key] = [filled([size, size], kernelValues, seed + 2), filled([size, size], kernelValues, seed + 3)];
    for (let index = 0; index < size; index++)
      [query, key].forEach((kernel) => (kernel.values[index * size + index]! += 4));
    const gradOutput = filled([geometry.batch, size], 'plain', seed + 1);
    const output = poisoned([geometry.batch, size]);
    attentionPoolForward(input.values, query.values, key.values, output.values, geometry);
    const gradInput = poisoned(shape);
    const [gradQuery, gradKey] = [filled(query.shape, 'plain', 5), filled(key.shape, 'plain', 5)];
    attentionPoolBackward(
      input.values,
      query.values,
      key.values,
      gradOutput.values,
      gradInput.values,
      gradQuery.values,
      gradKey.values,
      geometry,
    );
    const actual = fastAttention(input, query, key, gradOutput, geometry);
    const tolerance = attentionKind.tolerance!;
    assertClose(actual[0]!, output.values, tolerance, 'attention output');
    assertClose(actual[1]!, gradInput.values, tolerance, 'attention gradInput');
    assertClose(actual[2]!, gradQuery.values, KERNEL_GRADIENT_TOLERANCE, 'attention gradQueryKernel');
    assertClose(actual[3]!, gradKey.values, KERNEL_GRADIENT_TOLERANCE, 'attention gradKeyKernel');
    return actual;
  });
}

test('attention kernels match the reference within the kind tolerance, the same bits on 1, 2 and 3 threads', async () => {
  const cases = fc.sample(attentionCases(), { numRuns: 150, seed: 20261205 });
  await acrossThreads(cases, compareAttention);
});

test('attention kernels on a seed-CNN-sized NHWC input (32 channels, 26×26) match the reference', () => {
  const shape = [4, 26, 26, 32];
  const { geometry } = globalSetUp('test', shape, { dataFormat: 'channelsLast' });
  compareAttention({ shape, geometry, values: 'plain', kernelValues: 'plain', seed: 9 });
});

interface CovarianceCase {
  geometry: CovarianceGeometry;
  values: ValueKind | 'huge' | 'constant';
  seed: number;
}

function covarianceCases(): fc.Arbitrary<CovarianceCase> {
  return fc
    .record({
      input: globalShapes(5),
      iterations: fc.integer({ min: 1, max: 8 }),
      values: fc.constantFrom<CovarianceCase['values']>(
        'plain',
        'plain',
        'ties',
        'negative',
        'special',
        'huge',
        'constant',
      ),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    })
    .map(({ input: { geometry }, iterations, values, seed }) => {
      const features = (geometry.channels * (geometry.channels + 1)) / 2;
      const covariance = { ...geometry, iterations, outputShape: [geometry.batch, features] };
      return { geometry: covariance, values, seed };
    });
}

/** Inputs of the case: 'huge' scales one sample past what f32 squares hold, 'constant' makes one sample flat. */
function covarianceInput({ geometry, values, seed }: CovarianceCase): Tensor {
  const input = filled(geometry.inputShape, values === 'huge' || values === 'constant' ? 'plain' : values, seed);
  const sampleSize = input.values.length / geometry.batch;
  if (values === 'huge')
    input.values.subarray(0, sampleSize).forEach((value, index, sample) => (sample[index] = value * 1e30));
  if (values === 'constant') input.values.subarray(0, sampleSize).fill(2.5);
  return input;
}

/** Through a forward-keep room (a poisoned one, mark cleared): the same bits as without, forward and backward. */
function compareCovarianceRoom(
  input: Tensor,
  gradOutput: Tensor,
  output: Float32Array,
  gradInput: Float32Array,
  geometry: CovarianceGeometry,
): void {
  const room = poisoned([covarianceKeptLength(geometry)]);
  clearKept(room.values);
  const [keptOutput, keptGrad] = [poisoned(geometry.outputShape), poisoned(geometry.inputShape)];
  fast().covariancePoolForward(input.values, keptOutput.values, geometry, room.values);
  assert.equal(room.values[room.values.length - 1], KEPT_MARK, 'the forward marks its room');
  fast().covariancePoolBackward(input.values, gradOutput.values, keptGrad.values, geometry, room.values);
  assertSame(keptOutput.values, output, 'covariance output, keeping');
  assertSame(keptGrad.values, gradInput, 'covariance gradInput from the room');
}

function compareCovariance(item: CovarianceCase): Float32Array[] {
  return tidy(() => {
    const { geometry } = item;
    const input = covarianceInput(item);
    const [expected, actual] = [poisoned(geometry.outputShape), poisoned(geometry.outputShape)];
    covariancePoolForward(input.values, expected.values, geometry);
    fast().covariancePoolForward(input.values, actual.values, geometry);
    const gradOutput = filled(geometry.outputShape, 'plain', item.seed + 1);
    const [expectedGrad, actualGrad] = [poisoned(geometry.inputShape), poisoned(geometry.inputShape)];
    covariancePoolBackward(input.values, gradOutput.values, expectedGrad.values, geometry);
    fast().covariancePoolBackward(input.values, gradOutput.values, actualGrad.values, geometry);
    const tolerance = covarianceKind.tolerance!;
    assertClose(actual.values, expected.values, tolerance, 'covariance output');
    assertClose(actualGrad.values, expectedGrad.values, tolerance, 'covariance gradInput');
    compareCovarianceRoom(input, gradOutput, actual.values, actualGrad.values, geometry);
    const sampleSize = input.values.length / geometry.batch;
    if (item.values === 'huge' || !input.values.subarray(0, sampleSize).every(Number.isFinite)) {
      // Samples the kernel flags go to the reference: the same bits there.
      const sampleFeatures = actual.values.length / geometry.batch;
      assertSame(actual.values.subarray(0, sampleFeatures), expected.values.subarray(0, sampleFeatures), 'flagged');
    }
    return [Float32Array.from(actual.values), Float32Array.from(actualGrad.values)];
  });
}

test('covariance kernels match the reference within the kind tolerance, the same bits on 1, 2 and 3 threads', async () => {
  const cases = fc.sample(covarianceCases(), { numRuns: 120, seed: 20261205 });
  await acrossThreads(cases, compareCovariance);
});

test('covariance kernels on a seed-CNN-sized NHWC input (32 channels, 26×26, 5 iterations) match the reference', () => {
  const { geometry } = globalSetUp('test', [3, 26, 26, 32], { dataFormat: 'channelsLast' });
  const covariance = { ...geometry, iterations: 5, outputShape: [3, 528] };
  compareCovariance({ geometry: covariance, values: 'plain', seed: 11 });
});

test('covariance kernels match the reference on channel counts whose products mix 16-, 8- and 4-column blocks (Σ from the diagonal block)', () => {
  const shapes = [
    [2, 7, 5, 40],
    [2, 24, 6, 6],
    [1, 4, 9, 44],
  ];
  for (const [index, shape] of shapes.entries()) {
    const dataFormat = shape[3]! > 10 ? ('channelsLast' as const) : ('channelsFirst' as const);
    const { geometry } = globalSetUp('test', shape, { dataFormat });
    const features = (geometry.channels * (geometry.channels + 1)) / 2;
    const covariance = { ...geometry, iterations: 3, outputShape: [geometry.batch, features] };
    compareCovariance({ geometry: covariance, values: index === 1 ? 'ties' : 'plain', seed: 30 + index });
  }
});

test('covariance kernels at 6 to 8 iterations (products in symmetric form) and past 8 (whole) match the reference, fewer cells than channels included', () => {
  const cases = [
    { shape: [2, 2, 2, 8], iterations: 8 },
    { shape: [2, 4, 3, 32], iterations: 6 },
    { shape: [2, 3, 2, 16], iterations: 12 },
    { shape: [2, 4, 3, 32], iterations: 9 },
    { shape: [2, 9, 8, 13], iterations: 10 },
  ];
  for (const [index, { shape, iterations }] of cases.entries()) {
    const { geometry } = globalSetUp('test', shape, { dataFormat: 'channelsLast' });
    const features = (geometry.channels * (geometry.channels + 1)) / 2;
    const covariance = { ...geometry, iterations, outputShape: [geometry.batch, features] };
    compareCovariance({ geometry: covariance, values: 'plain', seed: 50 + index });
  }
});

test('covariance flags a sample whose centred values f32 would flush (|x − mean| < 2^-40) and leaves it to the reference, bit for bit', () => {
  for (const channels of [2, 3, 4, 6]) {
    const { geometry } = globalSetUp('test', [2, 5, 4, channels], { dataFormat: 'channelsLast' });
    const covariance = { ...geometry, iterations: 3, outputShape: [2, (channels * (channels + 1)) / 2] };
    tidy(() => {
      const input = filled(geometry.inputShape, 'plain', channels);
      const sample = input.values.subarray(0, input.values.length / 2);
      for (let cell = 0; cell < 20; cell++) sample[cell * channels + 1] = (cell % 3) * 1e-13; // tiny spread
      const [expected, actual] = [poisoned(covariance.outputShape), poisoned(covariance.outputShape)];
      covariancePoolForward(input.values, expected.values, covariance);
      fast().covariancePoolForward(input.values, actual.values, covariance);
      const features = actual.values.length / 2;
      assertSame(
        actual.values.subarray(0, features),
        expected.values.subarray(0, features),
        `flagged, ${channels} channels`,
      );
    });
  }
});

interface SpectralCase {
  geometry: SpectralGeometry;
  values: ValueKind;
  seed: number;
}

/** Random spectral crops: any output size per axis up to the input's, with DiffStride-like masks or none. */
function spectralCases(): fc.Arbitrary<SpectralCase> {
  const axis = fc.record({ size: fc.integer({ min: 1, max: 9 }), kept: fc.integer({ min: 1, max: 9 }) });
  return fc
    .record({
      rank: fc.constantFrom<SpatialDims>(1, 2, 2, 3),
      batch: fc.integer({ min: 1, max: 3 }),
      channels: fc.integer({ min: 1, max: 7 }),
      axes: fc.array(axis, { minLength: 3, maxLength: 3 }),
      masked: fc.boolean(),
      channelsLast: fc.boolean(),
      values: fc.constantFrom<ValueKind>('plain', 'plain', 'ties', 'negative', 'special'),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    })
    .map((draw) => {
      const axes = draw.axes.slice(3 - draw.rank);
      const spatial = axes.map((item) => item.size);
      const outSizes = axes.map((item) => Math.min(item.kept, item.size));
      const masks = draw.masked ? spatial.map((size) => strideMask(size, 2, 2).mask) : [];
      const shape = draw.channelsLast
        ? [draw.batch, ...spatial, draw.channels]
        : [draw.batch, draw.channels, ...spatial];
      const format = draw.channelsLast ? 'channelsLast' : 'channelsFirst';
      const geometry = spectralGeometry('test', shape, draw.rank, outSizes, masks, format);
      return { geometry, values: draw.values, seed: draw.seed };
    });
}

function compareSpectral({ geometry, values, seed }: SpectralCase): Float32Array[] {
  return tidy(() => {
    const input = filled(geometry.inputShape, values, seed);
    const [expected, actual] = [poisoned(geometry.outputShape), poisoned(geometry.outputShape)];
    spectralPoolForward(input.values, expected.values, geometry);
    fast().spectralPoolForward(input.values, actual.values, geometry);
    const gradOutput = filled(geometry.outputShape, seed % 3 === 0 ? 'special' : 'plain', seed + 1);
    const [expectedGrad, actualGrad] = [poisoned(geometry.inputShape), poisoned(geometry.inputShape)];
    spectralPoolBackward(gradOutput.values, expectedGrad.values, geometry);
    fast().spectralPoolBackward(gradOutput.values, actualGrad.values, geometry);
    assertClose(actual.values, expected.values, spectralKind.tolerance!, 'spectral forward');
    assertClose(actualGrad.values, expectedGrad.values, spectralKind.tolerance!, 'spectral backward');
    return [Float32Array.from(actual.values), Float32Array.from(actualGrad.values)];
  });
}

test('spectral kernels match the reference within the kind tolerance, the same bits on 1, 2 and 3 threads', async () => {
  const cases = fc.sample(spectralCases(), { numRuns: 150, seed: 20261205 });
  await acrossThreads(cases, compareSpectral);
});

test('spectral kernels on a seed-CNN-sized NHWC input (32 channels, 26×26 → 13×13) match the reference', () => {
  const geometry = spectralGeometry('test', [2, 26, 26, 32], 2, [13, 13], [], 'channelsLast');
  compareSpectral({ geometry, values: 'plain', seed: 12 });
});

test("spectral kernels with even outputs on both axes (real parts folded, the imaginary parts' outer product taken off) match the reference", async () => {
  const cases: SpectralCase[] = [];
  for (const [height, width, outHeight, outWidth] of [
    [8, 8, 4, 4],
    [9, 7, 4, 6],
    [12, 10, 6, 2],
    [6, 11, 2, 8],
    [26, 26, 14, 12],
  ] as const)
    for (const channelsLast of [true, false])
      for (const masked of [false, true]) {
        const channels = 1 + ((height + width) % 5);
        const shape = channelsLast ? [2, height, width, channels] : [2, channels, height, width];
        const masks = masked ? [strideMask(height, 2, 2).mask, strideMask(width, 1.7, 3).mask] : [];
        const format = channelsLast ? 'channelsLast' : 'channelsFirst';
        const geometry = spectralGeometry('test', shape, 2, [outHeight, outWidth], masks, format);
        cases.push({ geometry, values: masked ? 'negative' : 'plain', seed: height * 31 + width });
      }
  await acrossThreads(cases, compareSpectral);
});

function compareMaskGradients({ geometry, values, seed }: SpectralCase): Float64Array[] {
  return tidy(() => {
    const input = filled(geometry.inputShape, values, seed);
    const gradOutput = filled(geometry.outputShape, seed % 3 === 0 ? 'special' : 'plain', seed + 1);
    const sizes = [geometry.inDepth, geometry.inHeight, geometry.inWidth];
    const masks = () => sizes.map((size) => new Float64Array(size)) as [Float64Array, Float64Array, Float64Array];
    const [expected, actual] = [masks(), masks()];
    spectralMaskBackward(input.values, gradOutput.values, expected, geometry);
    fast().spectralMaskBackward(input.values, gradOutput.values, actual, geometry);
    actual.forEach((values, axis) =>
      assertClose(values, expected[axis]!, diffStrideKind.tolerance!, `mask gradient ${axis}`),
    );
    return actual;
  });
}

test('spectralMaskBackward (DiffStride) matches the reference within the kind tolerance, the same on 1, 2 and 3 threads', async () => {
  const cases = fc.sample(spectralCases(), { numRuns: 100, seed: 20261206 });
  await acrossThreads(cases, compareMaskGradients);
});

test('DiffStride on a seed-CNN-sized input (32 channels, 26×26 → 21×21, masks at strides 2 and 2.3): the real-matrix kernels match the reference', async () => {
  for (const [format, shape] of [
    ['channelsLast', [2, 26, 26, 32]],
    ['channelsFirst', [2, 3, 26, 26]],
  ] as const) {
    const masks = [strideMask(26, 2, 4).mask, strideMask(26, 2.3, 4).mask];
    const geometry = spectralGeometry('test', shape, 2, [21, 19], masks, format);
    await acrossThreads([{ geometry, values: 'plain' as const, seed: 13 }], (item) => [
      ...compareSpectral(item),
      ...compareMaskGradients(item).map((values) => Float32Array.from(values)),
    ]);
  }
});

function compareWavelet(geometry: PoolingSizes, values: ValueKind, seed: number): Float32Array[] {
  return tidy(() => {
    const shape = geometry.inputShape;
    const input = filled(shape, values, seed);
    const [expected, actual] = [poisoned(geometry.outputShape), poisoned(geometry.outputShape)];
    waveletPoolForward(input.values, expected.values, geometry);
    fast().waveletPoolForward(input.values, actual.values, geometry);
    assertSame(actual.values, expected.values, 'wavelet forward');
    const gradOutput = filled(geometry.outputShape, seed % 2 === 0 ? 'special' : 'plain', seed + 1);
    const [expectedGrad, actualGrad] = [poisoned(shape), poisoned(shape)];
    waveletPoolBackward(gradOutput.values, expectedGrad.values, geometry);
    fast().waveletPoolBackward(gradOutput.values, actualGrad.values, geometry);
    assertSame(actualGrad.values, expectedGrad.values, 'wavelet backward');
    return [Float32Array.from(actual.values), Float32Array.from(actualGrad.values)];
  });
}

/** Wavelet pooling's geometry: ⌈n/2⌉ cells per spatial axis. */
function waveletGeometryOf(shape: readonly number[], rank: SpatialDims, channelsLast: boolean): PoolingSizes {
  const spatial = channelsLast ? shape.slice(1, 1 + rank) : shape.slice(2);
  const format = channelsLast ? 'channelsLast' : 'channelsFirst';
  return adaptiveGeometry(
    'test',
    shape,
    rank,
    spatial.map((size) => Math.ceil(size / 2)),
    format,
  );
}

test('wavelet kernels match the reference bit for bit (odd sizes, both layouts, ranks 1-3), on 1, 2 and 3 threads', async () => {
  const cases = fc.sample(spectralCases(), { numRuns: 150, seed: 20261207 });
  await acrossThreads(cases, ({ geometry: spectral, values, seed }) =>
    compareWavelet(waveletGeometryOf(spectral.inputShape, spectral.spatialDims, spectral.channelsLast), values, seed),
  );
});

test('wavelet kernels of ranks 1 and 2 (one pass per block) on every size from 1 to 11, both layouts', () => {
  for (let height = 1; height <= 11; height++)
    for (let width = 1; width <= 11; width++)
      for (const channelsLast of [true, false]) {
        const seed = height * 16 + width;
        const values: ValueKind = seed % 3 === 0 ? 'special' : 'plain';
        const shape = channelsLast ? [2, height, width, 5] : [2, 3, height, width];
        compareWavelet(waveletGeometryOf(shape, 2, channelsLast), values, seed);
        if (height === 1)
          compareWavelet(
            waveletGeometryOf(
              shape.filter((_, axis) => axis !== (channelsLast ? 1 : 2)),
              1,
              channelsLast,
            ),
            values,
            seed,
          );
      }
  compareWavelet(waveletGeometryOf([3, 26, 26, 32], 2, true), 'plain', 5);
});
