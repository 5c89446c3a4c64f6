// Property tests (fast-check) of poolGeometry on random shapes and options: output sizes and pads
// follow the written rules, 2D VALID/SAME agree with TensorFlow.js's computePool2DInfo, and every
// pooling op (max, avg, lp; 1D/2D/3D; both formats) returns exactly poolGeometry's output shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {
  avgPool1d,
  avgPool2d,
  avgPool3d,
  lpPool1d,
  lpPool2d,
  lpPool3d,
  maxPool1d,
  maxPool2d,
  maxPool3d,
  poolGeometry,
  PoolkitArgumentError,
  tidy,
  zeros,
  type PoolGeometry,
  type PoolOptions,
  type SpatialDims,
  type Tensor,
} from '../../src/index.js';

const RUNS = { numRuns: 300, seed: 20240517 };

interface Axis {
  size: number;
  kernel: number;
  stride: number;
  dilation: number;
  before: number;
  after: number;
}

/** The rules of DESIGN.md, written as window counting: how many windows along one axis, or null. */
function expectedAxis(
  axis: Axis,
  padding: 'valid' | 'same' | 'explicit',
  ceilMode: boolean,
): (Axis & { out: number }) | null {
  const effective = (axis.kernel - 1) * axis.dilation + 1;
  if (padding === 'same') {
    const out = Math.ceil(axis.size / axis.stride);
    const total = Math.max(0, (out - 1) * axis.stride + effective - axis.size);
    return { ...axis, before: Math.floor(total / 2), after: Math.ceil(total / 2), out };
  }
  const [before, after] = padding === 'valid' ? [0, 0] : [axis.before, axis.after];
  if (before > Math.floor(axis.kernel / 2) || after > Math.floor(axis.kernel / 2)) return null;
  const padded = axis.size + before + after;
  if (effective > padded && !ceilMode) return null;
  let out = 0;
  // Window i starts at i·S in padded coordinates. Floor mode: it must end inside the padded input.
  // Ceil mode: it may overhang, but at most ceil((padded - Keff) / S) steps, and must start before
  // the right padding (PyTorch drops a window that starts there).
  const lastStart = ceilMode ? Math.ceil((padded - effective) / axis.stride) * axis.stride : padded - effective;
  for (let start = 0; start <= lastStart; start += axis.stride) {
    if (ceilMode && start >= axis.size + before) break;
    out++;
  }
  if (out === 0) return null; // ceil mode with a window so large that no window starts in time
  return { ...axis, before, after, out };
}

const axisArbitrary = fc.record({
  size: fc.integer({ min: 1, max: 12 }),
  kernel: fc.integer({ min: 1, max: 5 }),
  stride: fc.integer({ min: 1, max: 4 }),
  dilation: fc.integer({ min: 1, max: 3 }),
  before: fc.integer({ min: 0, max: 3 }),
  after: fc.integer({ min: 0, max: 3 }),
});

const caseArbitrary = fc.record({
  dims: fc.constantFrom<SpatialDims>(1, 2, 3),
  axes: fc.array(axisArbitrary, { minLength: 3, maxLength: 3 }),
  padding: fc.constantFrom<'valid' | 'same' | 'explicit'>('valid', 'same', 'explicit'),
  ceilMode: fc.boolean(),
  channelsLast: fc.boolean(),
  batch: fc.integer({ min: 1, max: 2 }),
  channels: fc.integer({ min: 1, max: 3 }),
});

type Case = typeof caseArbitrary extends fc.Arbitrary<infer T> ? T : never;

function optionsOf(example: Case): { shape: number[]; options: PoolOptions; axes: Axis[] } {
  const axes = example.axes.slice(0, example.dims);
  const spatial = axes.map((axis) => axis.size);
  const shape = example.channelsLast
    ? [example.batch, ...spatial, example.channels]
    : [example.batch, example.channels, ...spatial];
  const options: PoolOptions = {
    kernelSize: axes.map((axis) => axis.kernel),
    stride: axes.map((axis) => axis.stride),
    dilation: axes.map((axis) => axis.dilation),
    padding:
      example.padding === 'explicit'
        ? axes.map((axis) => [axis.before, axis.after] as [number, number])
        : example.padding,
    ceilMode: example.padding === 'same' ? false : example.ceilMode,
    dataFormat: example.channelsLast ? 'channelsLast' : 'channelsFirst',
  };
  return { shape, options, axes };
}

const AXIS_FIELDS = [
  ['outDepth', 'padFront', 'padBack'],
  ['outHeight', 'padTop', 'padBottom'],
  ['outWidth', 'padLeft', 'padRight'],
] as const;

test('property: output sizes and pads follow the VALID, SAME, explicit and ceil-mode rules', () => {
  fc.assert(
    fc.property(caseArbitrary, (example) => {
      const { shape, options, axes } = optionsOf(example);
      const expected = axes.map((axis) => expectedAxis(axis, example.padding, options.ceilMode!));
      if (expected.some((axis) => axis === null)) {
        assert.throws(() => poolGeometry('test', shape, example.dims, options), PoolkitArgumentError);
        return;
      }
      const geometry = poolGeometry('test', shape, example.dims, options);
      expected.forEach((axis, index) => {
        const [out, before, after] = AXIS_FIELDS[3 - example.dims + index]!;
        assert.deepEqual([geometry[out], geometry[before], geometry[after]], [axis!.out, axis!.before, axis!.after]);
      });
      const outSpatial = expected.map((axis) => axis!.out);
      const outputShape = example.channelsLast
        ? [example.batch, ...outSpatial, example.channels]
        : [example.batch, example.channels, ...outSpatial];
      assert.deepEqual(geometry.outputShape, outputShape);
    }),
    RUNS,
  );
});

test('property: 2D VALID and SAME agree with TensorFlow.js computePool2DInfo (sizes and pads)', () => {
  fc.assert(
    fc.property(caseArbitrary, fc.constantFrom<'valid' | 'same'>('valid', 'same'), (example, padding) => {
      const [height, width] = example.axes as [Axis, Axis];
      const kernel: [number, number] = [height.kernel, width.kernel];
      const stride: [number, number] = [height.stride, width.stride];
      const dilation: [number, number] = [height.dilation, width.dilation];
      const shape: [number, number, number, number] = [1, height.size, width.size, 1];
      const fits = (axis: Axis) => (axis.kernel - 1) * axis.dilation + 1 <= axis.size;
      fc.pre(padding === 'same' || (fits(height) && fits(width)));
      const info = tf.backend_util.computePool2DInfo(shape, kernel, stride, dilation, padding);
      const geometry: PoolGeometry = poolGeometry('test', shape, 2, { kernelSize: kernel, stride, dilation, padding });
      assert.deepEqual(
        [
          geometry.outHeight,
          geometry.outWidth,
          geometry.padTop,
          geometry.padBottom,
          geometry.padLeft,
          geometry.padRight,
        ],
        [info.outHeight, info.outWidth, info.padInfo.top, info.padInfo.bottom, info.padInfo.left, info.padInfo.right],
      );
    }),
    RUNS,
  );
});

type Op = (input: Tensor, options: never) => Tensor;
const OPS: Record<string, Record<SpatialDims, Op>> = {
  max: { 1: maxPool1d, 2: maxPool2d, 3: maxPool3d },
  avg: { 1: avgPool1d, 2: avgPool2d, 3: avgPool3d },
  lp: { 1: lpPool1d, 2: lpPool2d, 3: lpPool3d },
};

test("property: every pooling op's output shape is poolGeometry's", () => {
  let checked = 0;
  fc.assert(
    fc.property(caseArbitrary, fc.constantFrom('max', 'avg', 'lp'), (example, kind) => {
      const { shape, options } = optionsOf(example);
      let geometry: PoolGeometry;
      try {
        geometry = poolGeometry('test', shape, example.dims, options);
      } catch {
        fc.pre(false);
        return;
      }
      const extra = kind === 'lp' ? { p: 2 } : {};
      const outputShape = tidy(() => OPS[kind]![example.dims](zeros(shape), { ...options, ...extra } as never).shape);
      assert.deepEqual(outputShape, geometry.outputShape);
      checked++;
    }),
    { ...RUNS, numRuns: 200 },
  );
  assert.ok(checked >= 100, `only ${checked} valid cases`);
});
