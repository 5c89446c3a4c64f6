// The TensorFlow.js-style Tensor methods: dataSync/data, arraySync/array, print and toString, whose
// value lines are compared with TensorFlow.js's own toString on random shapes and values.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { before, test } from 'node:test';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Random, tensor, zeros } from '../../src/index.js';

before(async () => {
  await tf.setBackend('cpu');
});

test('dataSync copies the values with the dtype’s array type; data() resolves to the same', async () => {
  const floats = tensor([1.5, 2, 3], [3]);
  const copy = floats.dataSync();
  assert.ok(copy instanceof Float32Array);
  copy[0] = 99;
  assert.equal(floats.values[0], 1.5);
  const ints = tensor([1, 2], [2], 'int32');
  assert.ok(ints.dataSync() instanceof Int32Array);
  const promised = ints.data();
  assert.ok(promised instanceof Promise);
  assert.deepEqual(await promised, Int32Array.from([1, 2]));
  floats.dispose();
  assert.deepEqual(copy, Float32Array.from([99, 2, 3]));
  assert.throws(() => floats.dataSync(), /used after being disposed/);
});

test('arraySync and array give nested arrays, a number for a scalar', async () => {
  const matrix = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  assert.deepEqual(matrix.arraySync(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(await matrix.array(), matrix.arraySync());
  assert.equal(tensor(7, []).arraySync(), 7);
});

test('toString: a header with dtype and shape, then the values; print() logs it; console.log shows it', () => {
  const matrix = tensor([
    [1, 2.5],
    [-3, 4],
  ]);
  const expected = 'Tensor float32 [2, 2]\n    [[1 , 2.5],\n     [-3, 4  ]]';
  assert.equal(matrix.toString(), expected);
  assert.equal(inspect(matrix), expected);
  const logged: unknown[] = [];
  const original = console.log;
  console.log = (...items: unknown[]) => logged.push(...items);
  try {
    matrix.print();
  } finally {
    console.log = original;
  }
  assert.deepEqual(logged, [expected]);
  assert.equal(tensor(3, [], 'int32').toString(), 'Tensor int32 []\n    3');
  assert.equal(tensor([[5, 7, 9]]).toString(), 'Tensor float32 [1, 3]\n    [[5, 7, 9]]');
  assert.equal(zeros([0]).toString(), 'Tensor float32 [0]\n    []');
  matrix.dispose();
  assert.equal(matrix.toString(), 'Tensor float32 [2, 2]');
});

/** TensorFlow.js's value lines (its toString without the 'Tensor' line) for the same values. */
function tfjsLines(values: Float32Array | Int32Array, shape: number[], dtype: 'float32' | 'int32'): string[] {
  const reference = tf.tensor(values, shape, dtype);
  const lines = reference.toString().split('\n').slice(1);
  reference.dispose();
  return lines;
}

function ourLines(values: Float32Array | Int32Array, shape: number[], dtype: 'float32' | 'int32'): string[] {
  return tensor(values, shape, dtype).toString().split('\n').slice(1);
}

// TF.js prints one-row blocks as '[[5, 7, 9],]', so these shapes keep every extent at 2 or more.
test('the value lines equal TensorFlow.js’s for random shapes, floats of every width, and int32', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 2, max: 6 }), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 0, max: 1e6 }),
      fc.boolean(),
      (shape, seed, integers) => {
        const random = new Random(seed);
        const count = shape.reduce((total, extent) => total * extent, 1);
        const draw = () => (random.uniform() - 0.5) * 10 ** random.integer(5);
        const values = integers ? Int32Array.from({ length: count }, draw) : Float32Array.from({ length: count }, draw);
        const dtype = integers ? 'int32' : 'float32';
        assert.deepEqual(ourLines(values, shape, dtype), tfjsLines(values, shape, dtype));
      },
    ),
    { numRuns: 60, seed: 3 },
  );
});

// Summarised axes: poolkit pads columns over the cells it shows, TF.js over all of them, so the
// digits here all have one width and the two must agree exactly.
test('axes longer than 20 are summarised as TensorFlow.js does (first 3, ..., last 3)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 2, max: 30 }), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 0, max: 1e6 }),
      (shape, seed) => {
        const random = new Random(seed);
        const count = shape.reduce((total, extent) => total * extent, 1);
        const values = Float32Array.from({ length: count }, () => random.integer(10));
        assert.deepEqual(ourLines(values, shape, 'float32'), tfjsLines(values, shape, 'float32'));
      },
    ),
    { numRuns: 40, seed: 4 },
  );
  const long = tensor(Float32Array.from({ length: 25 }, (_, index) => index));
  assert.equal(long.toString(), 'Tensor float32 [25]\n    [0, 1, 2, ..., 22, 23, 24]');
});
