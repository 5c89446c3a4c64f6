// The WebAssembly training kernels against the reference kernels, on one thread and on two: random
// shapes that leave SIMD and block remainders (k = 1, m or n = 1, transposes, accumulate), long k
// (split among threads), and convolutions with stride, dilation, padding, channels 1, 3 and 32.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { ConvGeometry, MatmulOptions } from '../../src/index.js';
import { referenceTrainKernels as reference } from '../../src/kernels/reference/train-kernels.js';
import { setParallelThreshold, setThreadCount, threadsReady } from '../../src/kernels/wasm/threads.js';
import * as trainModule from '../../src/kernels/wasm/generated/train.js';
import { ARGUMENT_BLOCKS, decodeBase64, kernelImports, type KernelModule } from '../../src/kernels/wasm/loader.js';
import { createTrainKernels, trainKernelModule, wasmTrainKernels } from '../../src/kernels/wasm/train-kernels.js';
import { assertClose } from '../helpers/assert-close.js';
import {
  convCases,
  convGeometryOf,
  freeHeapArrays,
  heapArray,
  matmulShapes,
  randomArray,
  sizesOf,
  type ConvCase,
} from './train-fixtures.js';

let wasm = wasmTrainKernels as Required<typeof wasmTrainKernels>;
const skip = wasmTrainKernels.matmul === undefined ? 'WebAssembly SIMD is not available' : false;

/** Float32 sums of k terms of size ≤ 1 against double ones: the error grows with k. */
const tolerance = (k: number) => ({ absolute: 1e-6 * (k + 4), relative: 1e-5 });

function checkMatmul(options: MatmulOptions, seed: number): void {
  const { m, k, n, accumulate } = options;
  const a = heapArray(randomArray(m * k, seed));
  const b = heapArray(randomArray(k * n, seed + 1));
  const start = accumulate ? randomArray(m * n, seed + 2) : new Float32Array(m * n).fill(NaN);
  const expected = start.slice();
  reference.matmul(a, b, expected, options);
  const out = heapArray(start);
  wasm.matmul(a, b, out, options);
  assertClose(out, expected, { ...tolerance(k), label: `matmul ${JSON.stringify(options)}` });
  freeHeapArrays();
}

function checkConv(spec: ConvCase, seed: number, withBias: boolean): void {
  const geometry: ConvGeometry = convGeometryOf(spec);
  const sizes = sizesOf(geometry);
  const input = heapArray(randomArray(sizes.input, seed));
  const filter = heapArray(randomArray(sizes.filter, seed + 1));
  const bias = withBias ? heapArray(randomArray(spec.outChannels, seed + 2)) : null;
  const gradOutput = heapArray(randomArray(sizes.output, seed + 3));
  const label = JSON.stringify(spec);
  const expected = { output: new Float32Array(sizes.output), gradInput: new Float32Array(sizes.input) };
  reference.conv2dForward(input, filter, bias, expected.output, geometry);
  reference.conv2dBackwardInput(gradOutput, filter, expected.gradInput, geometry);
  const expectedGradFilter = new Float32Array(sizes.filter);
  reference.conv2dBackwardFilter(input, gradOutput, expectedGradFilter, geometry);
  const output = heapArray(new Float32Array(sizes.output).fill(NaN));
  wasm.conv2dForward(input, filter, bias, output, geometry);
  assertClose(output, expected.output, { ...tolerance(sizes.filter / spec.outChannels), label: `output ${label}` });
  const gradInput = heapArray(new Float32Array(sizes.input).fill(NaN));
  wasm.conv2dBackwardInput(gradOutput, filter, gradInput, geometry);
  assertClose(gradInput, expected.gradInput, { ...tolerance(sizes.filter), label: `gradInput ${label}` });
  const gradFilter = heapArray(new Float32Array(sizes.filter).fill(NaN));
  wasm.conv2dBackwardFilter(input, gradOutput, gradFilter, geometry);
  assertClose(gradFilter, expectedGradFilter, {
    ...tolerance(sizes.output / spec.outChannels),
    label: `gradFilter ${label}`,
  });
  freeHeapArrays();
}

const edgeChannels = fc.constantFrom(1, 3, 32, 2, 5);
const edgeOutChannels = fc.constantFrom(1, 3, 8, 9, 16, 33);

// On 2 and 3 threads every product is split (threshold 0), so the small random shapes run through
// the thread pool's dynamic chunks, the per-thread scratch slots and the depth split's partials.
for (const threads of [1, 2, 3]) {
  describe(`wasm training kernels on ${threads} thread(s)`, { skip }, () => {
    before(async () => {
      await setThreadCount(threads);
      await threadsReady();
      setParallelThreshold(threads > 1 ? 0 : undefined);
    });
    after(async () => {
      setParallelThreshold();
      await setThreadCount(1);
    });

    test('matmul matches the reference on small random shapes', () => {
      fc.assert(
        fc.property(matmulShapes(21), fc.integer({ min: 1, max: 1000 }), (options, seed) => checkMatmul(options, seed)),
        { numRuns: 150, seed: 7 + threads },
      );
    });

    test('matmul matches the reference on shapes with several row, column and depth blocks', () => {
      fc.assert(
        fc.property(matmulShapes(300), fc.integer({ min: 1, max: 1000 }), (options, seed) =>
          checkMatmul(options, seed),
        ),
        { numRuns: 12, seed: 11 + threads },
      );
    });

    test('matmul with k = 1, m = 1, n = 1, and a long k split among threads', () => {
      const cases: [number, number, number][] = [
        [37, 1, 29],
        [1, 300, 77],
        [65, 300, 1],
        [1, 1, 1],
        [12, 3000, 20],
        [128, 1100, 128],
        [9, 2100, 32],
        [5, 70000, 9],
      ];
      for (const [m, k, n] of cases) {
        for (const transposeA of [false, true]) {
          checkMatmul({ m, k, n, transposeA, transposeB: !transposeA, accumulate: transposeA }, m + k + n);
        }
      }
    });

    test('conv2d forward and both backwards match the reference (stride, dilation, same, valid, explicit)', () => {
      const cases = convCases({ channels: edgeChannels, outChannels: edgeOutChannels });
      fc.assert(
        fc.property(cases, fc.integer({ min: 1, max: 1000 }), fc.boolean(), (spec, seed, withBias) =>
          checkConv(spec, seed, withBias),
        ),
        { numRuns: 60, seed: 3 + threads },
      );
    });

    test('empty sizes: batch 0, channels 0 (k = 0: bias or zeros), outChannels 0, matmul k = 0', () => {
      const base: ConvCase = {
        batch: 2,
        height: 5,
        width: 4,
        channels: 3,
        outChannels: 4,
        kernelHeight: 2,
        kernelWidth: 2,
        stride: [1, 1],
        dilation: [1, 1],
        padding: 'same',
      };
      for (const spec of [
        { ...base, batch: 0 },
        { ...base, channels: 0 },
        { ...base, outChannels: 0 },
      ]) {
        checkConv(spec, 5, true);
        checkConv(spec, 6, false);
      }
      checkMatmul({ m: 3, k: 0, n: 5, transposeA: false, transposeB: false, accumulate: false }, 1);
      checkMatmul({ m: 3, k: 0, n: 5, transposeA: true, transposeB: true, accumulate: true }, 2);
    });

    test('conv2d on MNIST-sized batches, repeated (the seed CNN layer, 32 channels at stride 2, dilation 2)', () => {
      const seedLayer: ConvCase = {
        batch: 6,
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
      // Repeated: a thread overrunning its scratch slot corrupts the other's only when their timing overlaps.
      for (let repeat = 0; repeat < 4; repeat++) {
        checkConv(seedLayer, 1 + repeat, true);
        checkConv(
          {
            ...seedLayer,
            batch: 3,
            height: 13,
            width: 13,
            channels: 32,
            outChannels: 20,
            stride: [2, 2],
            padding: 'same',
          },
          2,
          false,
        );
      }
      checkConv(
        {
          ...seedLayer,
          batch: 1,
          height: 11,
          width: 9,
          channels: 3,
          outChannels: 7,
          dilation: [2, 2],
          padding: 'same',
        },
        3,
        true,
      );
    });
  });
}

describe('the plain-SIMD build (no relaxed madd), for engines without relaxed SIMD', { skip }, () => {
  test('matmul and conv2d match the reference', async () => {
    const module = await WebAssembly.compile(decodeBase64(trainModule.simd));
    const instance = await WebAssembly.instantiate(module, kernelImports());
    const exports = instance.exports as unknown as KernelModule['exports'];
    const plain: KernelModule = {
      name: 'train',
      module,
      instance,
      exports,
      relaxed: false,
      argumentBlock: ARGUMENT_BLOCKS.train.offset,
    };
    const loaded = wasm;
    wasm = createTrainKernels(plain); // not registered with the thread pool: runs on the main thread
    try {
      checkMatmul({ m: 37, k: 300, n: 29, transposeA: true, transposeB: false, accumulate: true }, 9);
      checkConv(
        {
          batch: 2,
          height: 9,
          width: 8,
          channels: 3,
          outChannels: 9,
          kernelHeight: 3,
          kernelWidth: 2,
          stride: [2, 1],
          dilation: [1, 2],
          padding: 'same',
        },
        4,
        true,
      );
    } finally {
      wasm = loaded;
    }
    const relaxedWanted = process.env.POOLKIT_WASM_SIMD !== 'plain'; // the runner's plain-SIMD pass sets it
    assert.equal(
      trainKernelModule?.relaxed,
      relaxedWanted && WebAssembly.validate(decodeBase64(trainModule.relaxedSimd)),
    );
  });
});
