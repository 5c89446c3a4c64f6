// The direct convolution kernels (shallow filters, windows inside the input: the seed CNN's first
// layer) against the reference on 1 to 3 threads: forward with and without bias, the filter gradient
// with the bias gradient fused in or not, and the bias gradient of the packed path as well.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { referenceTrainKernels as reference } from '../../src/kernels/reference/train-kernels.js';
import { directConvApplies } from '../../src/kernels/wasm/train-direct.js';
import { wasmTrainKernels } from '../../src/kernels/wasm/train-kernels.js';
import { assertClose } from '../helpers/assert-close.js';
import {
  type ConvCase,
  convCases,
  convGeometryOf,
  freeHeapArrays,
  heapArray,
  onThreads,
  randomArray,
  sizesOf,
} from './train-fixtures.js';

const wasm = wasmTrainKernels as Required<typeof wasmTrainKernels>;
const skip = wasmTrainKernels.conv2dForward === undefined ? 'WebAssembly SIMD is not available' : false;

/** Float32 sums of `terms` products of size ≤ 1 against double ones. */
const tolerance = (terms: number) => ({ absolute: 1e-6 * (terms + 4), relative: 1e-5 });

function checkConv(spec: ConvCase, seed: number, withBias: boolean): void {
  const geometry = convGeometryOf(spec);
  const sizes = sizesOf(geometry);
  const pixels = sizes.output / spec.outChannels;
  const input = heapArray(randomArray(sizes.input, seed));
  const filter = heapArray(randomArray(sizes.filter, seed + 1));
  const bias = withBias ? heapArray(randomArray(spec.outChannels, seed + 2)) : null;
  const gradOutput = heapArray(randomArray(sizes.output, seed + 3));
  const label = JSON.stringify(spec);
  const expectedOutput = new Float32Array(sizes.output);
  reference.conv2dForward(input, filter, bias, expectedOutput, geometry);
  const output = heapArray(new Float32Array(sizes.output).fill(NaN));
  wasm.conv2dForward(input, filter, bias, output, geometry);
  assertClose(output, expectedOutput, { ...tolerance(sizes.filter / spec.outChannels), label: `output ${label}` });
  const expected = { filter: new Float32Array(sizes.filter), bias: new Float32Array(spec.outChannels) };
  reference.conv2dBackwardFilter(input, gradOutput, expected.filter, geometry, expected.bias);
  const gradFilter = heapArray(new Float32Array(sizes.filter).fill(NaN));
  const gradBias = withBias ? heapArray(new Float32Array(spec.outChannels).fill(NaN)) : null;
  wasm.conv2dBackwardFilter(input, gradOutput, gradFilter, geometry, gradBias);
  assertClose(gradFilter, expected.filter, { ...tolerance(pixels), label: `gradFilter ${label}` });
  if (gradBias !== null) assertClose(gradBias, expected.bias, { ...tolerance(pixels), label: `gradBias ${label}` });
  freeHeapArrays();
}

/** Shapes the direct kernels take: whole 8-column tiles, VALID windows, filters up to 3x3x4 (k ≤ 36). */
const directCases = convCases({
  channels: fc.integer({ min: 1, max: 4 }),
  outChannels: fc.constantFrom(8, 16, 24, 32),
}).map((spec): ConvCase => ({ ...spec, padding: 'valid' }));

for (const threads of [1, 2, 3]) {
  describe(`direct convolution kernels on ${threads} thread(s)`, { skip }, () => {
    onThreads(threads);

    test('forward and filter gradient (bias gradient fused) match the reference on random shapes', () => {
      fc.assert(
        fc.property(directCases, fc.integer({ min: 1, max: 1000 }), fc.boolean(), (spec, seed, withBias) => {
          assert.ok(directConvApplies(convGeometryOf(spec)), `direct path expected for ${JSON.stringify(spec)}`);
          checkConv(spec, seed, withBias);
        }),
        { numRuns: 40, seed: 50 + threads },
      );
    });

    test('the seed layer (28x28x1 → 26x26x32, 3x3) on a batch of 10, repeated', () => {
      const seedLayer: ConvCase = {
        batch: 10,
        height: 28,
        width: 28,
        channels: 1,
        outChannels: 32,
        kernelHeight: 3,
        kernelWidth: 3,
        stride: [1, 1],
        dilation: [1, 1],
        padding: 'valid',
      };
      for (let repeat = 0; repeat < 3; repeat++) checkConv(seedLayer, 7 + repeat, repeat !== 1);
    });

    test('shapes the direct path declines (padding, 5 output channels, k = 75) still get the bias gradient', () => {
      const declined = convCases({ channels: fc.constantFrom(1, 3), outChannels: fc.constantFrom(5, 8) }).filter(
        (spec) => !directConvApplies(convGeometryOf(spec)),
      );
      fc.assert(
        fc.property(declined, fc.integer({ min: 1, max: 1000 }), (spec, seed) => checkConv(spec, seed, true)),
        { numRuns: 25, seed: 60 + threads },
      );
      const deep: ConvCase = { ...(fc.sample(directCases, { seed: 1, numRuns: 1 })[0] as ConvCase), channels: 3 };
      checkConv(
        { ...deep, kernelHeight: 5, kernelWidth: 5, height: 9, width: 8, stride: [1, 1], dilation: [1, 1] },
        3,
        true,
      );
    });
  });
}
