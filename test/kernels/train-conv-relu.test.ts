// conv2d with a fused relu: the reference's fused forward and masked filter gradient equal relu and
// reluBackward applied around the plain kernels bit for bit, and the wasm kernels (direct path, with
// relu in the tile epilogue and the mask in the filter-gradient chunks, and the packed path) match
// the reference on random shapes at 1 to 3 threads.
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
const tolerance = (terms: number) => ({ absolute: 1e-6 * (terms + 4), relative: 1e-5 });

/** Inputs of a case; gradOutput has zeros and NaN-free values; half the outputs are negative before relu. */
function operands(spec: ConvCase, seed: number) {
  const geometry = convGeometryOf(spec);
  const sizes = sizesOf(geometry);
  return {
    geometry,
    sizes,
    input: heapArray(randomArray(sizes.input, seed)),
    filter: heapArray(randomArray(sizes.filter, seed + 1)),
    bias: heapArray(randomArray(spec.outChannels, seed + 2)),
    gradOutput: heapArray(randomArray(sizes.output, seed + 3)),
  };
}

test('reference: fused relu forward and masked filter gradient equal the unfused kernels bit for bit', () => {
  fc.assert(
    fc.property(
      convCases({ channels: fc.integer({ min: 1, max: 3 }), outChannels: fc.integer({ min: 1, max: 9 }) }),
      fc.integer({ min: 1, max: 1000 }),
      (spec, seed) => {
        const { geometry, sizes, input, filter, bias, gradOutput } = operands(spec, seed);
        const plain = new Float32Array(sizes.output);
        reference.conv2dForward(input, filter, bias, plain, geometry);
        const relued = new Float32Array(sizes.output);
        reference.reluForward(plain, relued);
        const fused = new Float32Array(sizes.output);
        reference.conv2dForward(input, filter, bias, fused, geometry, true);
        assert.deepEqual(fused, relued);
        const masked = new Float32Array(sizes.output);
        reference.reluBackward(fused, gradOutput, masked);
        const expected = { filter: new Float32Array(sizes.filter), bias: new Float32Array(spec.outChannels) };
        reference.conv2dBackwardFilter(input, masked, expected.filter, geometry, expected.bias);
        const actual = { filter: new Float32Array(sizes.filter), bias: new Float32Array(spec.outChannels) };
        reference.conv2dBackwardFilter(input, gradOutput, actual.filter, geometry, actual.bias, fused);
        assert.deepEqual(actual, expected);
        freeHeapArrays();
      },
    ),
    { numRuns: 30, seed: 71 },
  );
});

/** wasm fused forward and masked filter (and bias) gradient against the reference. */
function checkFused(spec: ConvCase, seed: number): void {
  const { geometry, sizes, input, filter, bias, gradOutput } = operands(spec, seed);
  const pixels = sizes.output / spec.outChannels;
  const label = JSON.stringify(spec);
  const expectedOutput = new Float32Array(sizes.output);
  reference.conv2dForward(input, filter, bias, expectedOutput, geometry, true);
  const output = heapArray(new Float32Array(sizes.output).fill(NaN));
  wasm.conv2dForward(input, filter, bias, output, geometry, true);
  assertClose(output, expectedOutput, { ...tolerance(sizes.filter / spec.outChannels), label: `output ${label}` });
  assert.ok(output.every((value) => value >= 0));
  // Mask by the reference's output so that a near-zero value rounded differently cannot flip a cell.
  const reluOutput = heapArray(expectedOutput);
  const expected = { filter: new Float32Array(sizes.filter), bias: new Float32Array(spec.outChannels) };
  reference.conv2dBackwardFilter(input, gradOutput, expected.filter, geometry, expected.bias, reluOutput);
  const gradFilter = heapArray(new Float32Array(sizes.filter).fill(NaN));
  const gradBias = heapArray(new Float32Array(spec.outChannels).fill(NaN));
  wasm.conv2dBackwardFilter(input, gradOutput, gradFilter, geometry, gradBias, reluOutput);
  assertClose(gradFilter, expected.filter, { ...tolerance(pixels), label: `gradFilter ${label}` });
  assertClose(gradBias, expected.bias, { ...tolerance(pixels), label: `gradBias ${label}` });
  freeHeapArrays();
}

const directCases = convCases({
  channels: fc.integer({ min: 1, max: 4 }),
  outChannels: fc.constantFrom(8, 16, 32),
}).map((spec): ConvCase => ({ ...spec, padding: 'valid' }));
const packedCases = convCases({ channels: fc.constantFrom(1, 3), outChannels: fc.constantFrom(5, 8) }).filter(
  (spec) => !directConvApplies(convGeometryOf(spec)),
);

for (const threads of [1, 2, 3]) {
  describe(`fused conv2d relu kernels on ${threads} thread(s)`, { skip }, () => {
    onThreads(threads);

    test('direct path (relu in the epilogue, mask in the filter-gradient chunks) matches the reference', () => {
      fc.assert(
        fc.property(directCases, fc.integer({ min: 1, max: 1000 }), (spec, seed) => checkFused(spec, seed)),
        { numRuns: 30, seed: 80 + threads },
      );
    });

    test('packed path (relu pass after the product, masked gradient in scratch) matches the reference', () => {
      fc.assert(
        fc.property(packedCases, fc.integer({ min: 1, max: 1000 }), (spec, seed) => checkFused(spec, seed)),
        { numRuns: 20, seed: 90 + threads },
      );
    });
  });
}
