// Every WebGPU training kernel against the reference kernel on random shapes: the tiled products
// (matmul with transposes and accumulate; conv2d forward with bias and relu, input and filter
// gradients with bias and relu mask) within the float32 summation bound GPU_TRAIN_BOUNDS states,
// relu exactly, Adam and SGD within a few float32 roundings, and the convolution + max pool pair.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { poolGeometry, type ConvGeometry, type MatmulOptions } from '../../src/index.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import type { Kernels } from '../../src/kernels/types.js';
import { GPU_TRAIN_BOUNDS } from '../../src/kernels/webgpu/train-gpu-kernels.js';
import { productSlices } from '../../src/kernels/webgpu/train-jobs.js';
import { convCases, convGeometryOf, matmulShapes, randomArray, sizesOf } from '../kernels/train-fixtures.js';
import { webGpuStatus } from '../../src/index.js';
import { assertWithin, gpu, onGpu, skip, ulp } from './harness.js';

const reference = referenceBackend.kernels as Kernels;
const product = (terms: number) => (index: number, magnitudes: Float32Array) =>
  GPU_TRAIN_BOUNDS.summationUnits(terms) * magnitudes[index]!;
const absolute = (array: Float32Array): Float32Array => array.map(Math.abs);

function checkMatmul(options: MatmulOptions, seed: number): void {
  const { m, k, n } = options;
  const a = randomArray(m * k, seed);
  const b = randomArray(k * n, seed + 1);
  const start = options.accumulate ? randomArray(m * n, seed + 2) : new Float32Array(m * n).fill(NaN);
  const expected = start.slice();
  reference.matmul(a, b, expected, options);
  const magnitudes = options.accumulate ? absolute(start) : new Float32Array(m * n);
  reference.matmul(absolute(a), absolute(b), magnitudes, { ...options, accumulate: true });
  const actual = start.slice();
  onGpu('matmul', 1, () => gpu().matmul(a, b, actual, options));
  assertWithin(actual, expected, (index) => product(k + 1)(index, magnitudes), `matmul ${JSON.stringify(options)}`);
}

test('matmul is within the summation bound of the reference (transposes, accumulate, partial tiles)', { skip }, () => {
  fc.assert(
    fc.property(matmulShapes(40), fc.integer({ min: 1, max: 1000 }), (options, seed) => checkMatmul(options, seed)),
    { numRuns: 40, seed: 5 },
  );
  for (const [m, k, n] of [
    [1, 1, 1],
    [17, 300, 3],
    [2, 1, 33],
  ] as const) {
    checkMatmul({ m, k, n, transposeA: true, transposeB: false, accumulate: false }, m + n);
  }
});

function checkConv(geometry: ConvGeometry, seed: number, withBias: boolean, relu: boolean): void {
  const sizes = sizesOf(geometry);
  const input = randomArray(sizes.input, seed);
  const filter = randomArray(sizes.filter, seed + 1);
  const bias = withBias ? randomArray(geometry.outChannels, seed + 2) : null;
  const gradOutput = randomArray(sizes.output, seed + 3);
  const label = JSON.stringify({ ...geometry, inputShape: undefined, outputShape: undefined });
  const [taps, channels, outChannels] = [
    geometry.kernelHeight * geometry.kernelWidth,
    geometry.channels,
    geometry.outChannels,
  ];

  const expected = new Float32Array(sizes.output);
  reference.conv2dForward(input, filter, bias, expected, geometry, relu);
  const magnitudes = new Float32Array(sizes.output);
  reference.conv2dForward(absolute(input), absolute(filter), bias && absolute(bias), magnitudes, geometry);
  const output = new Float32Array(sizes.output).fill(NaN);
  onGpu('conv2dForward', 1, () => gpu().conv2dForward(input, filter, bias, output, geometry, relu));
  assertWithin(output, expected, (index) => product(taps * channels + 1)(index, magnitudes), `forward ${label}`);

  const gradInput = new Float32Array(sizes.input).fill(NaN);
  const expectedInput = new Float32Array(sizes.input);
  reference.conv2dBackwardInput(gradOutput, filter, expectedInput, geometry);
  const inputMagnitudes = new Float32Array(sizes.input);
  reference.conv2dBackwardInput(absolute(gradOutput), absolute(filter), inputMagnitudes, geometry);
  onGpu('conv2dBackwardInput', 1, () => gpu().conv2dBackwardInput(gradOutput, filter, gradInput, geometry));
  assertWithin(
    gradInput,
    expectedInput,
    (index) => product(taps * outChannels)(index, inputMagnitudes),
    `gradInput ${label}`,
  );

  const reluOutput = relu ? output : null;
  const [gradFilter, gradBias] = [new Float32Array(sizes.filter).fill(NaN), new Float32Array(outChannels).fill(NaN)];
  const [expectedFilter, expectedBias] = [new Float32Array(sizes.filter), new Float32Array(outChannels)];
  reference.conv2dBackwardFilter(
    input,
    gradOutput,
    expectedFilter,
    geometry,
    withBias ? expectedBias : null,
    reluOutput,
  );
  const [filterMagnitudes, biasMagnitudes] = [new Float32Array(sizes.filter), new Float32Array(outChannels)];
  const gradMagnitudes = absolute(gradOutput);
  reference.conv2dBackwardFilter(
    absolute(input),
    gradMagnitudes,
    filterMagnitudes,
    geometry,
    biasMagnitudes,
    reluOutput,
  );
  onGpu('conv2dBackwardFilter', 1, () =>
    gpu().conv2dBackwardFilter(input, gradOutput, gradFilter, geometry, withBias ? gradBias : null, reluOutput),
  );
  const pixels = sizes.output / outChannels;
  assertWithin(gradFilter, expectedFilter, (index) => product(pixels)(index, filterMagnitudes), `gradFilter ${label}`);
  if (withBias)
    assertWithin(gradBias, expectedBias, (index) => product(pixels)(index, biasMagnitudes), `gradBias ${label}`);
}

test(
  'conv2d forward (bias, relu) and both gradients (bias, relu mask) are within the summation bound',
  { skip },
  () => {
    const cases = convCases({ channels: fc.constantFrom(1, 3, 5, 17), outChannels: fc.constantFrom(1, 4, 16, 33) });
    fc.assert(
      fc.property(cases, fc.integer({ min: 1, max: 1000 }), fc.boolean(), fc.boolean(), (spec, seed, withBias, relu) =>
        checkConv(convGeometryOf(spec), seed, withBias, relu),
      ),
      { numRuns: 30, seed: 9 },
    );
  },
);

test('products with few tiles and a deep inner dimension: slices summed apart, then in order', { skip }, () => {
  // productSlices splits these (two dispatches in one job); the bound holds for any summation order.
  assert.deepEqual(productSlices(3, 5000, 5), { slices: 9, sliceDepth: 560 });
  for (const [transposeA, transposeB, accumulate] of [
    [false, false, false],
    [true, true, true],
  ] as const) {
    checkMatmul({ m: 3, k: 5000, n: 40, transposeA, transposeB, accumulate }, 3);
  }
  const wide = convGeometryOf({
    ...{ batch: 2, height: 40, width: 41, channels: 2, outChannels: 5, kernelHeight: 3, kernelWidth: 3 },
    ...{ stride: [1, 1], dilation: [1, 1], padding: 'same' },
  });
  assert.ok(productSlices(3 * 3 * 2 + 1, 2 * 40 * 41, 5).slices > 1);
  checkConv(wide, 4, true, true);
  checkConv(wide, 5, false, false);
});

test('conv2d: a padding tap times an infinite weight adds nothing (not NaN), as in the reference', { skip }, () => {
  const geometry = convGeometryOf({
    ...{ batch: 1, height: 3, width: 3, channels: 1, outChannels: 1, kernelHeight: 3, kernelWidth: 3 },
    ...{ stride: [1, 1], dilation: [1, 1], padding: 'same' },
  });
  const input = new Float32Array(9).fill(1);
  input[4] = 0;
  const filter = new Float32Array(9);
  filter[0] = Infinity; // top-left tap: in the padding for the top row and left column
  const expected = new Float32Array(9);
  reference.conv2dForward(input, filter, null, expected, geometry);
  const output = new Float32Array(9);
  onGpu('conv2dForward', 1, () => gpu().conv2dForward(input, filter, null, output, geometry));
  assert.deepEqual(Array.from(output), Array.from(expected));
});

test('relu forward and backward match the reference bit for bit (NaN, ±0, ±Infinity, subnormals)', { skip }, () => {
  const specials = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45, 2, -3];
  const input = Float32Array.from({ length: 301 }, (_, index) => specials[index % specials.length]! * (index % 7 || 1));
  const gradOutput = randomArray(input.length, 4);
  for (const kernel of ['reluForward', 'reluBackward'] as const) {
    const expected = new Float32Array(input.length);
    const actual = new Float32Array(input.length).fill(7);
    if (kernel === 'reluForward') {
      reference.reluForward(input, expected);
      onGpu(kernel, 1, () => gpu().reluForward(input, actual));
    } else {
      reference.reluBackward(input, gradOutput, expected);
      onGpu(kernel, 1, () => gpu().reluBackward(input, gradOutput, actual));
    }
    assert.deepEqual(new Uint32Array(actual.buffer), new Uint32Array(expected.buffer), kernel);
  }
});

test('adamUpdate and sgdUpdate are within a few float32 roundings of the reference', { skip }, () => {
  const count = 777;
  const [values, grad, first] = [randomArray(count, 1), randomArray(count, 2), randomArray(count, 3)];
  const second = randomArray(count, 4).map((value) => value * value);
  const step = { stepRate: 0.001, firstBlend: 0.1, secondBlend: 0.001, epsilon: 1e-7 };
  const expected = [values.slice(), first.slice(), second.slice()] as const;
  reference.adamUpdate(expected[0], grad, expected[1], expected[2], step);
  const actual = [values.slice(), first.slice(), second.slice()] as const;
  onGpu('adamUpdate', 1, () => gpu().adamUpdate(actual[0], grad, actual[1], actual[2], step));
  const { momentUlps, updateRelative } = GPU_TRAIN_BOUNDS.adam;
  assertWithin(
    actual[1],
    expected[1],
    (index) => momentUlps * ulp(Math.abs(first[index]!) + Math.abs(grad[index]!)),
    'm',
  );
  assertWithin(actual[2], expected[2], (index) => momentUlps * ulp(second[index]! + grad[index]! ** 2), 'v');
  const update = (index: number) =>
    (step.stepRate * (Math.abs(first[index]!) + Math.abs(grad[index]!))) /
    (Math.sqrt(expected[2][index]!) + step.epsilon);
  assertWithin(actual[0], expected[0], (index) => ulp(expected[0][index]!) + updateRelative * update(index), 'values');

  for (const nesterov of [false, true]) {
    const velocity = randomArray(count, 5);
    const sgd = { learningRate: 0.01, momentum: 0.9, nesterov };
    const [expectedValues, expectedVelocity] = [values.slice(), velocity.slice()];
    reference.sgdUpdate(expectedValues, grad, expectedVelocity, sgd);
    const [actualValues, actualVelocity] = [values.slice(), velocity.slice()];
    onGpu('sgdUpdate', 1, () => gpu().sgdUpdate(actualValues, grad, actualVelocity, sgd));
    const scale = (index: number) => Math.abs(velocity[index]!) + 0.01 * Math.abs(grad[index]!);
    const bound = (index: number) => GPU_TRAIN_BOUNDS.sgdUlps * (ulp(scale(index)) + ulp(values[index]!));
    assertWithin(actualVelocity, expectedVelocity, bound, `velocity nesterov=${nesterov}`);
    assertWithin(actualValues, expectedValues, bound, `values nesterov=${nesterov}`);
  }
});

test(
  'conv2dMaxPoolForward and BackwardFilter: the GPU convolution, max pool and relu in turn, near the reference',
  { skip },
  () => {
    fc.assert(
      fc.property(convCases({}), fc.integer({ min: 1, max: 1000 }), fc.boolean(), (spec, seed, relu) => {
        const conv = convGeometryOf({
          ...spec,
          ...{ stride: [1, 1] as [number, number], padding: 'same' as const },
          ...{ height: spec.height + 1, width: spec.width + 1 },
        });
        const pool = poolGeometry('test', conv.outputShape, 2, { kernelSize: 2 });
        const sizes = sizesOf(conv);
        const pooled = pool.outputShape.reduce((total, extent) => total * extent, 1);
        const [input, filter, bias] = [
          randomArray(sizes.input, seed),
          randomArray(sizes.filter, seed + 1),
          randomArray(conv.outChannels, seed + 2),
        ];
        const [output, argmax] = [new Float32Array(pooled), new Int32Array(pooled)];
        onGpu('conv2dMaxPoolForward', 1, () =>
          gpu().conv2dMaxPoolForward(input, filter, bias, output, argmax, conv, pool, relu),
        );
        // One job, its convolution output kept on the device: the GPU's kernels in turn, bit for bit.
        const convOutput = new Float32Array(sizes.output);
        gpu().conv2dForward(input, filter, bias, convOutput, conv);
        const [composed, composedArgmax] = [new Float32Array(pooled), new Int32Array(pooled)];
        gpu().maxPoolForward(convOutput, composed, composedArgmax, pool);
        if (relu) gpu().reluForward(composed, composed);
        assert.deepEqual(output, composed);
        assert.deepEqual(argmax, composedArgmax);
        const magnitudes = new Float32Array(sizes.output);
        reference.conv2dForward(absolute(input), absolute(filter), absolute(bias), magnitudes, conv);
        const expected = new Float32Array(pooled);
        reference.conv2dMaxPoolForward(input, filter, bias, expected, new Int32Array(pooled), conv, pool, relu);
        // Each pooled value is a convolution output; the largest magnitude bounds every one's rounding.
        const largest = Math.max(...magnitudes);
        const terms = conv.kernelHeight * conv.kernelWidth * conv.channels + 1;
        assertWithin(output, expected, () => GPU_TRAIN_BOUNDS.summationUnits(terms) * largest, 'pooled');
        const gradPooled = randomArray(pooled, seed + 3);
        const [gradFilter, gradBias] = [new Float32Array(sizes.filter), new Float32Array(conv.outChannels)];
        const reluOutput = relu ? output : null;
        onGpu('conv2dMaxPoolBackwardFilter', 1, () =>
          gpu().conv2dMaxPoolBackwardFilter(input, gradPooled, argmax, gradFilter, gradBias, conv, pool, reluOutput),
        );
        const [expectedFilter, expectedBias] = [new Float32Array(sizes.filter), new Float32Array(conv.outChannels)];
        reference.conv2dMaxPoolBackwardFilter(
          input,
          gradPooled,
          argmax,
          expectedFilter,
          expectedBias,
          conv,
          pool,
          reluOutput,
        );
        const [filterMagnitudes, biasMagnitudes] = [new Float32Array(sizes.filter), new Float32Array(conv.outChannels)];
        reference.conv2dMaxPoolBackwardFilter(
          absolute(input),
          absolute(gradPooled),
          argmax,
          filterMagnitudes,
          biasMagnitudes,
          conv,
          pool,
          reluOutput,
        );
        const pixels = sizes.output / conv.outChannels;
        assertWithin(gradFilter, expectedFilter, (index) => product(pixels)(index, filterMagnitudes), 'gradFilter');
        assertWithin(gradBias, expectedBias, (index) => product(pixels)(index, biasMagnitudes), 'gradBias');
      }),
      { numRuns: 15, seed: 13 },
    );
  },
);

test('empty operands (k = 0, batch 0) run the reference kernel, counted as a fallback', { skip }, () => {
  const before = webGpuStatus()!.fallbackCalls;
  const out = new Float32Array(15).fill(NaN);
  gpu().matmul(new Float32Array(0), new Float32Array(0), out, {
    ...{ m: 3, k: 0, n: 5 },
    ...{ transposeA: false, transposeB: false, accumulate: false },
  });
  assert.deepEqual(Array.from(out), new Array<number>(15).fill(0));
  const conv = convGeometryOf({
    ...{ batch: 0, height: 4, width: 4, channels: 2, outChannels: 3, kernelHeight: 3, kernelWidth: 3 },
    ...{ stride: [1, 1], dilation: [1, 1], padding: 'same' },
  });
  const pool = poolGeometry('test', conv.outputShape, 2, { kernelSize: 2 });
  const filter = randomArray(3 * 3 * 2 * 3, 1);
  gpu().conv2dMaxPoolForward(
    new Float32Array(0),
    filter,
    null,
    new Float32Array(0),
    new Int32Array(0),
    conv,
    pool,
    true,
  );
  const after = webGpuStatus()!.fallbackCalls;
  assert.equal((after.matmul ?? 0) - (before.matmul ?? 0), 1);
  assert.equal((after.conv2dMaxPoolForward ?? 0) - (before.conv2dMaxPoolForward ?? 0), 1);
});
