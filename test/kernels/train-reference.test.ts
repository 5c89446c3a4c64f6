// The reference training kernels against TensorFlow.js's CPU backend (tf.matMul, tf.conv2d and its
// gradients via tf.grad) on random shapes, and against the adjoint identity and finite differences.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers the gradients tf.grad needs
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { referenceTrainKernels as reference } from '../../src/kernels/reference/train-kernels.js';
import type { ConvGeometry } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { convCases, convGeometryOf, randomArray, sizesOf, type ConvCase } from './train-fixtures.js';

before(async () => {
  await tf.setBackend('cpu');
});

const runs = { numRuns: 60, seed: 20261123 };

test('matmul matches tf.matMul with transposes and accumulate', () => {
  const shapes = fc.record({
    m: fc.integer({ min: 1, max: 17 }),
    k: fc.integer({ min: 1, max: 17 }),
    n: fc.integer({ min: 1, max: 17 }),
    transposeA: fc.boolean(),
    transposeB: fc.boolean(),
    accumulate: fc.boolean(),
  });
  fc.assert(
    fc.property(shapes, (options) => {
      const { m, k, n, transposeA, transposeB, accumulate } = options;
      const a = randomArray(m * k, m + 31 * k);
      const b = randomArray(k * n, n + 17 * k);
      const start = randomArray(m * n, 5);
      const out = accumulate ? start.slice() : new Float32Array(m * n).fill(NaN);
      reference.matmul(a, b, out, options);
      const expected = tf.tidy(() => {
        const product = tf.matMul(
          tf.tensor2d(a, transposeA ? [k, m] : [m, k]),
          tf.tensor2d(b, transposeB ? [n, k] : [k, n]),
          transposeA,
          transposeB,
        );
        return (accumulate ? tf.add(product, tf.tensor2d(start, [m, n])) : product).dataSync();
      });
      assertClose(out, expected, { absolute: 1e-5, relative: 1e-5, label: 'matmul' });
    }),
    runs,
  );
});

test('matmul of a hand-worked 2x3 by 3x2', () => {
  const out = new Float32Array(4);
  const options = { m: 2, k: 3, n: 2, transposeA: false, transposeB: false, accumulate: false };
  reference.matmul(Float32Array.of(1, 2, 3, 4, 5, 6), Float32Array.of(7, 8, 9, 10, 11, 12), out, options);
  assert.deepEqual(Array.from(out), [58, 64, 139, 154]);
});

function tfPadding(spec: ConvCase): 'valid' | 'same' | [[0, 0], [number, number], [number, number], [0, 0]] {
  if (typeof spec.padding === 'string') return spec.padding;
  const [height, width] = spec.padding as [number, number][];
  return [[0, 0], height!, width!, [0, 0]];
}

interface TfConv {
  output: Float32Array;
  /** null where TensorFlow.js has no gradient (dilation above 1). */
  gradInput: Float32Array | null;
  gradFilter: Float32Array | null;
}

/** TensorFlow.js forward and both gradients of Σ gradOutput·conv2d(input, filter). */
function tfConv(spec: ConvCase, geometry: ConvGeometry, arrays: Record<string, Float32Array>): TfConv {
  const result: TfConv = { output: new Float32Array(0), gradInput: null, gradFilter: null };
  tf.tidy(() => {
    const input = tf.tensor4d(arrays.input!, [spec.batch, spec.height, spec.width, spec.channels]);
    const filter = tf.tensor4d(arrays.filter!, [spec.kernelHeight, spec.kernelWidth, spec.channels, spec.outChannels]);
    const gradOutput = tf.tensor(arrays.gradOutput!, [...geometry.outputShape]);
    const convolve = (x: tf.Tensor4D, w: tf.Tensor4D) =>
      tf.conv2d(x, w, spec.stride, tfPadding(spec), 'NHWC', spec.dilation);
    const output = tf.add(convolve(input, filter), tf.tensor1d(arrays.bias!));
    result.output = output.dataSync() as Float32Array;
    if (spec.dilation[0] > 1 || spec.dilation[1] > 1) return;
    const [gradInput, gradFilter] = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
      tf.sum(tf.mul(convolve(x as tf.Tensor4D, w as tf.Tensor4D), gradOutput)),
    )([input, filter]);
    result.gradInput = gradInput!.dataSync() as Float32Array;
    result.gradFilter = gradFilter!.dataSync() as Float32Array;
  });
  return result;
}

test('conv2d forward and both backwards match tf.conv2d and tf.grads (stride 2, dilation 2, same, valid)', () => {
  fc.assert(
    fc.property(convCases({ strideOrDilation: true }), fc.integer({ min: 1, max: 1000 }), (spec, seed) => {
      const geometry = convGeometryOf(spec);
      const sizes = sizesOf(geometry);
      const arrays = {
        input: randomArray(sizes.input, seed),
        filter: randomArray(sizes.filter, seed + 1),
        bias: randomArray(spec.outChannels, seed + 2),
        gradOutput: randomArray(sizes.output, seed + 3),
      };
      const expected = tfConv(spec, geometry, arrays);
      const output = new Float32Array(sizes.output).fill(NaN);
      reference.conv2dForward(arrays.input, arrays.filter, arrays.bias, output, geometry);
      const gradInput = new Float32Array(sizes.input).fill(NaN);
      reference.conv2dBackwardInput(arrays.gradOutput, arrays.filter, gradInput, geometry);
      const gradFilter = new Float32Array(sizes.filter).fill(NaN);
      reference.conv2dBackwardFilter(arrays.input, arrays.gradOutput, gradFilter, geometry);
      const tolerance = { absolute: 1e-5, relative: 1e-5 };
      assertClose(output, expected.output, { ...tolerance, label: 'output' });
      if (expected.gradInput === null || expected.gradFilter === null) return;
      assertClose(gradInput, expected.gradInput, { ...tolerance, label: 'gradInput' });
      assertClose(gradFilter, expected.gradFilter, { ...tolerance, label: 'gradFilter' });
    }),
    runs,
  );
});

test('conv2d forward of a hand-worked 3x3 input and 2x2 filter, with bias', () => {
  const geometry = convGeometryOf({
    batch: 1,
    height: 3,
    width: 3,
    channels: 1,
    outChannels: 1,
    kernelHeight: 2,
    kernelWidth: 2,
    stride: [1, 1],
    dilation: [1, 1],
    padding: 'valid',
  });
  const output = new Float32Array(4);
  const input = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
  reference.conv2dForward(input, Float32Array.of(1, 0, 0, -1), Float32Array.of(10), output, geometry);
  assert.deepEqual(Array.from(output), [6, 6, 6, 6]); // x[i][j] − x[i+1][j+1] = −4, plus 10
});

function dot(left: Float32Array, right: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += left[index]! * right[index]!;
  return sum;
}

test('conv2d backwards are the adjoints of the forward, stride and dilation 2 together', () => {
  fc.assert(
    fc.property(convCases({ strideOrDilation: false }), fc.integer({ min: 1, max: 1000 }), (spec, seed) => {
      const geometry = convGeometryOf(spec);
      const sizes = sizesOf(geometry);
      const input = randomArray(sizes.input, seed);
      const filter = randomArray(sizes.filter, seed + 1);
      const gradOutput = randomArray(sizes.output, seed + 2);
      const output = new Float32Array(sizes.output);
      reference.conv2dForward(input, filter, null, output, geometry);
      const gradInput = new Float32Array(sizes.input);
      reference.conv2dBackwardInput(gradOutput, filter, gradInput, geometry);
      const gradFilter = new Float32Array(sizes.filter);
      reference.conv2dBackwardFilter(input, gradOutput, gradFilter, geometry);
      // <conv(x, w), g> = <x, dx(g, w)> = <w, dw(x, g)>: the identity that defines both gradients.
      const forward = dot(output, gradOutput);
      assert.ok(Math.abs(forward - dot(input, gradInput)) <= 1e-4 * (1 + Math.abs(forward)), 'input adjoint');
      assert.ok(Math.abs(forward - dot(filter, gradFilter)) <= 1e-4 * (1 + Math.abs(forward)), 'filter adjoint');
    }),
    runs,
  );
});

test('conv2d gradients match finite differences (stride 2, dilation 2, same padding)', () => {
  const spec: ConvCase = {
    batch: 2,
    height: 7,
    width: 6,
    channels: 2,
    outChannels: 3,
    kernelHeight: 3,
    kernelWidth: 2,
    stride: [2, 2],
    dilation: [2, 2],
    padding: 'same',
  };
  const geometry = convGeometryOf(spec);
  const sizes = sizesOf(geometry);
  const input = randomArray(sizes.input, 1);
  const filter = randomArray(sizes.filter, 2);
  const weights = randomArray(sizes.output, 3);
  const loss = (x: Float32Array, w: Float32Array): number => {
    const output = new Float32Array(sizes.output);
    reference.conv2dForward(x, w, null, output, geometry);
    return dot(output, weights);
  };
  const gradInput = new Float32Array(sizes.input);
  reference.conv2dBackwardInput(weights, filter, gradInput, geometry);
  const gradFilter = new Float32Array(sizes.filter);
  reference.conv2dBackwardFilter(input, weights, gradFilter, geometry);
  const difference = (values: Float32Array, index: number, evaluate: (changed: Float32Array) => number): number => {
    const changed = values.slice();
    changed[index] = values[index]! + 0.01;
    const plus = evaluate(changed);
    changed[index] = values[index]! - 0.01;
    return (plus - evaluate(changed)) / 0.02;
  };
  const numericInput = Float32Array.from(input, (_, index) => difference(input, index, (x) => loss(x, filter)));
  const numericFilter = Float32Array.from(filter, (_, index) => difference(filter, index, (w) => loss(input, w)));
  assertClose(gradInput, numericInput, { absolute: 2e-3, relative: 1e-3, label: 'gradInput' });
  assertClose(gradFilter, numericFilter, { absolute: 2e-3, relative: 1e-3, label: 'gradFilter' });
  assert.ok(gradInput.some((value) => value === 0) && gradInput.some((value) => value !== 0), 'dilation skips cells');
});
