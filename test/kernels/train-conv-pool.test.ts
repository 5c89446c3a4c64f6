// The fused convolution + 2x2 max pool kernels of the wasm backend (assembly/train/conv-pool.ts) on
// 1 to 3 threads, against the same backend's two kernels in turn (bit for bit: pooled values, argmax,
// filter and bias gradients) and against the reference (within float32 rounding). Random direct-path
// shapes, odd convolution sizes that leave a row or column out of every window, with and without bias,
// with and without relu after the pool (against reluForward and reluBackward in turn).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { poolGeometry } from '../../src/geometry/pool-geometry.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import type { ConvGeometry, Kernels } from '../../src/kernels/types.js';
import { wasmBackend } from '../../src/kernels/wasm/index.js';
import { fusedConvPoolApplies } from '../../src/kernels/wasm/train-conv-pool.js';
import { assertClose } from '../helpers/assert-close.js';
import {
  convCases,
  convGeometryOf,
  freeHeapArrays,
  heapArray,
  onThreads,
  randomArray,
  sizesOf,
} from './train-fixtures.js';

const skip = wasmBackend === null ? 'WebAssembly SIMD is not available' : false;
const wasm = (wasmBackend?.kernels ?? {}) as Kernels;
const reference = referenceBackend.kernels as Kernels;

function heapInts(length: number): Int32Array {
  const floats = heapArray(new Float32Array(length).fill(NaN));
  return new Int32Array(floats.buffer, floats.byteOffset, length);
}

function check(conv: ConvGeometry, seed: number, withBias: boolean, relu: boolean): void {
  const pool = poolGeometry('test', conv.outputShape, 2, { kernelSize: 2 });
  assert.ok(fusedConvPoolApplies(conv, pool));
  const sizes = sizesOf(conv);
  const pooled = pool.outputShape.reduce((total, extent) => total * extent, 1);
  const input = heapArray(randomArray(sizes.input, seed));
  const filter = heapArray(randomArray(sizes.filter, seed + 1));
  const bias = withBias ? heapArray(randomArray(conv.outChannels, seed + 2)) : null;
  const gradPooled = heapArray(randomArray(pooled, seed + 3));
  // The same backend's kernels in turn.
  const convOutput = heapArray(new Float32Array(sizes.output));
  wasm.conv2dForward(input, filter, bias, convOutput, conv);
  const [expected, expectedArgmax] = [heapArray(new Float32Array(pooled)), heapInts(pooled)];
  wasm.maxPoolForward(convOutput, expected, expectedArgmax, pool);
  if (relu) wasm.reluForward(expected, expected);
  const [output, argmax] = [heapArray(new Float32Array(pooled).fill(NaN)), heapInts(pooled)];
  wasm.conv2dMaxPoolForward(input, filter, bias, output, argmax, conv, pool, relu);
  assert.deepEqual(output, expected);
  assert.deepEqual(argmax, expectedArgmax);
  const reluOutput = relu ? output : null;
  const routed = relu ? heapArray(new Float32Array(pooled)) : gradPooled;
  if (relu) wasm.reluBackward(output, gradPooled, routed);
  const gradConv = heapArray(new Float32Array(sizes.output));
  wasm.maxPoolBackward(routed, argmax, gradConv, pool);
  const expectedGrads = {
    filter: heapArray(new Float32Array(sizes.filter)),
    bias: heapArray(new Float32Array(conv.outChannels)),
  };
  wasm.conv2dBackwardFilter(input, gradConv, expectedGrads.filter, conv, withBias ? expectedGrads.bias : null);
  const grads = {
    filter: heapArray(new Float32Array(sizes.filter).fill(NaN)),
    bias: heapArray(new Float32Array(conv.outChannels).fill(NaN)),
  };
  const gradBias = withBias ? grads.bias : null;
  wasm.conv2dMaxPoolBackwardFilter(input, gradPooled, argmax, grads.filter, gradBias, conv, pool, reluOutput);
  assert.deepEqual(grads.filter, expectedGrads.filter);
  if (withBias) assert.deepEqual(grads.bias, expectedGrads.bias);
  // The reference, given the same argmax (near-ties may round to another winner there).
  const referenceFilter = new Float32Array(sizes.filter);
  reference.conv2dMaxPoolBackwardFilter(input, gradPooled, argmax, referenceFilter, null, conv, pool, reluOutput);
  assertClose(grads.filter, referenceFilter, {
    absolute: 1e-5 * (sizes.output / conv.outChannels + 4),
    relative: 1e-5,
  });
  const referenceOutput = new Float32Array(pooled);
  reference.conv2dMaxPoolForward(input, filter, bias, referenceOutput, new Int32Array(pooled), conv, pool, relu);
  assertClose(output, referenceOutput, { absolute: 1e-5 * (sizes.filter / conv.outChannels + 4), relative: 1e-5 });
  freeHeapArrays();
}

const fusedCases = convCases({ channels: fc.integer({ min: 1, max: 4 }), outChannels: fc.constantFrom(8, 16, 32) })
  .map((spec) => ({ ...spec, padding: 'valid' as const }))
  .filter((spec) => {
    const conv = convGeometryOf(spec);
    return conv.outHeight >= 2 && conv.outWidth >= 2;
  });

for (const threads of [1, 2, 3]) {
  describe(`fused convolution + max pool kernels on ${threads} thread(s)`, { skip }, () => {
    onThreads(threads);

    test('equal the unfused wasm kernels bit for bit on random shapes', () => {
      fc.assert(
        fc.property(
          fusedCases,
          fc.integer({ min: 1, max: 1000 }),
          fc.boolean(),
          fc.boolean(),
          (spec, seed, withBias, relu) => check(convGeometryOf(spec), seed, withBias, relu),
        ),
        { numRuns: 30, seed: 70 + threads },
      );
    });

    test('the seed layer (28x28x1 → 26x26x32 → 13x13x32) on a batch of 6', () => {
      const spec = { batch: 6, height: 28, width: 28, channels: 1, outChannels: 32, kernelHeight: 3, kernelWidth: 3 };
      const conv = convGeometryOf({ ...spec, stride: [1, 1], dilation: [1, 1], padding: 'valid' });
      check(conv, 11, true, false);
      check(conv, 12, true, true);
    });
  });
}
