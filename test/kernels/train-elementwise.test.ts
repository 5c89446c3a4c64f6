// The WebAssembly Adam, SGD and relu kernels against the reference kernels, bit for bit, on 1 to 3
// threads with every call split: random lengths around the SIMD width and the 4096-element work
// unit, random hyper-parameters, and relu's edge values (NaN, −0, ±Infinity, exact zeros).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { referenceTrainKernels as reference } from '../../src/kernels/reference/train-kernels.js';
import { splitCallCount } from '../../src/kernels/wasm/threads.js';
import { wasmTrainKernels } from '../../src/kernels/wasm/train-kernels.js';
import { freeHeapArrays, heapArray, onThreads, randomArray } from './train-fixtures.js';

const wasm = wasmTrainKernels as Required<typeof wasmTrainKernels>;
const skip = wasmTrainKernels.adamUpdate === undefined ? 'WebAssembly SIMD is not available' : false;

/** Lengths that leave a SIMD tail, and ones past one and several work units. */
const lengths = fc.oneof(
  fc.integer({ min: 0, max: 19 }),
  fc.integer({ min: 4090, max: 4100 }),
  fc.constant(3 * 4096 + 5),
);

/** Gradients from 1e-4 to 10 in size, both signs, and some exact zeros. */
function gradients(length: number, seed: number): Float32Array {
  return randomArray(length, seed).map((value, index) =>
    index % 7 === 3 ? 0 : Math.sign(value) * 10 ** (5 * value - 4),
  );
}

/** Runs `update` on reference copies and on heap copies of the same arrays; the results must be identical. */
function compareInPlace(arrays: Float32Array[], update: (kernels: typeof wasm, views: Float32Array[]) => void): void {
  const expected = arrays.map((array) => array.slice());
  update(reference as typeof wasm, expected);
  const views = arrays.map((array) => heapArray(array));
  update(wasm, views);
  views.forEach((view, index) => assert.deepEqual(Float32Array.from(view), expected[index]));
  freeHeapArrays();
}

const adamSteps = fc.record({
  stepRate: fc.double({ min: 1e-5, max: 0.1, noNaN: true }),
  firstBlend: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
  secondBlend: fc.double({ min: 1e-4, max: 0.1, noNaN: true }),
  epsilon: fc.constantFrom(1e-7, 1e-8, 0.1),
});

for (const threads of [1, 2, 3]) {
  describe(`wasm elementwise training kernels on ${threads} thread(s)`, { skip }, () => {
    onThreads(threads);

    test('adamUpdate equals the reference bit for bit (values, m and v)', () => {
      const splitBefore = splitCallCount();
      fc.assert(
        fc.property(lengths, adamSteps, fc.integer({ min: 1, max: 1000 }), (length, step, seed) => {
          const moments = randomArray(length, seed + 2).map((value) => value * 0.1);
          const squares = randomArray(length, seed + 3).map((value) => value * value);
          compareInPlace(
            [randomArray(length, seed), gradients(length, seed + 1), moments, squares],
            (kernels, [values, grad, m, v]) => kernels.adamUpdate(values!, grad!, m!, v!, step),
          );
        }),
        { numRuns: 40, seed: 20 + threads },
      );
      if (threads > 1) assert.ok(splitCallCount() > splitBefore, 'the long cases must run split among threads');
    });

    test('sgdUpdate equals the reference bit for bit (plain, momentum, Nesterov)', () => {
      const steps = fc.record({
        learningRate: fc.double({ min: 1e-4, max: 1, noNaN: true }),
        momentum: fc.constantFrom(0, 0.5, 0.9),
        nesterov: fc.boolean(),
      });
      fc.assert(
        fc.property(lengths, steps, fc.integer({ min: 1, max: 1000 }), (length, step, seed) => {
          compareInPlace(
            [randomArray(length, seed), gradients(length, seed + 1), randomArray(length, seed + 2)],
            (kernels, [values, grad, velocity]) => kernels.sgdUpdate(values!, grad!, velocity!, step),
          );
        }),
        { numRuns: 30, seed: 30 + threads },
      );
    });

    test('reluForward and reluBackward equal the reference, NaN, −0 and infinities included', () => {
      const special = [NaN, -0, 0, Infinity, -Infinity, 1e-40, -1e-40];
      fc.assert(
        fc.property(lengths, fc.integer({ min: 1, max: 1000 }), (length, seed) => {
          const input = randomArray(length, seed).map((value, index) => special[index % 11] ?? value);
          const output = new Float32Array(length).fill(NaN);
          compareInPlace([input, output], (kernels, [source, target]) => kernels.reluForward(source!, target!));
          reference.reluForward(input, output);
          const gradInput = new Float32Array(length).fill(NaN);
          compareInPlace([output, gradients(length, seed + 1), gradInput], (kernels, [saved, grad, result]) =>
            kernels.reluBackward(saved!, grad!, result!),
          );
        }),
        { numRuns: 30, seed: 40 + threads },
      );
    });
  });
}
