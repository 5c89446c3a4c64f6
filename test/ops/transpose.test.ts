// transpose on every kind of permutation: batched 2D transposes (the transposePlanes kernel) and the
// rest (the odometer), bit for bit against an index-by-index definition; which permutations are
// batched 2D transposes; and the backward pass (the inverse permutation) by finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getBackend, kernelSource } from '../../src/kernels/backend.js';
import { planeTranspose } from '../../src/ops/nn/shape.js';
import { Random, tensor, tidy, transpose, type Tensor } from '../../src/index.js';
import { gradcheck } from '../helpers/gradcheck.js';

const SPECIAL_WORDS = [0x7f800001, 0x7fc00000, 0xffbadbad, 0x80000000, 0, 0xff800000];

function bitsOf(values: Float32Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length);
}

/** A tensor of random 32-bit patterns (NaN payloads and −0 among them), seeded. */
function randomBits(shape: number[], seed: number): Tensor {
  const random = new Random(seed);
  const output = tensor(new Float32Array(shape.reduce((total, size) => total * size, 1)), shape);
  const words = bitsOf(output.values);
  for (let index = 0; index < words.length; index++) {
    words[index] = random.uniform() < 0.1 ? SPECIAL_WORDS[index % 6]! : (random.uniform() * 2 ** 32) | 0;
  }
  return output;
}

/** The definition: output[i] = input[j] where output axis a's coordinate is input axis order[a]'s. */
function expectedBits(input: Tensor, order: readonly number[]): Int32Array {
  const shape = input.shape;
  const outputShape = order.map((axis) => shape[axis]!);
  const words = bitsOf(input.values);
  const output = new Int32Array(words.length);
  const coordinates = new Array<number>(shape.length).fill(0);
  for (let index = 0; index < output.length; index++) {
    let rest = index;
    for (let axis = order.length - 1; axis >= 0; axis--) {
      coordinates[order[axis]!] = rest % outputShape[axis]!;
      rest = Math.floor(rest / outputShape[axis]!);
    }
    output[index] = words[coordinates.reduce((flat, coordinate, axis) => flat * shape[axis]! + coordinate, 0)]!;
  }
  return output;
}

function permutations(rank: number): number[][] {
  if (rank === 0) return [[]];
  return permutations(rank - 1).flatMap((rest) =>
    Array.from({ length: rank }, (_, at) => [...rest.slice(0, at), rank - 1, ...rest.slice(at)]),
  );
}

test('transpose: every permutation of ranks 1 to 4 and some of rank 5 keep every bit', () => {
  const shapes = [[7], [5, 6], [3, 5, 7], [2, 3, 1, 6], [2, 5, 4, 9], [1, 4, 6, 3], [3, 2, 5, 3, 4]];
  for (const [index, shape] of shapes.entries()) {
    const orders =
      shape.length < 5
        ? permutations(shape.length)
        : [
            [0, 2, 3, 4, 1],
            [0, 4, 1, 2, 3],
            [0, 3, 1, 4, 2],
          ];
    for (const order of orders) {
      tidy(() => {
        const input = randomBits(shape, index + 1);
        assert.deepEqual(bitsOf(transpose(input, order).values), expectedBits(input, order), `${shape} by ${order}`);
      });
    }
  }
});

test('transpose: NCHW ↔ NHWC at sizes past the SIMD blocks and row tiles go through transposePlanes', () => {
  const nchw = [3, 37, 9, 11];
  for (const order of [
    [0, 2, 3, 1],
    [0, 3, 1, 2],
  ]) {
    tidy(() => {
      const input = randomBits(nchw, 11);
      assert.deepEqual(bitsOf(transpose(input, order).values), expectedBits(input, order), `${order}`);
    });
  }
  assert.equal(kernelSource('transposePlanes'), getBackend() === 'wasm' ? 'wasm' : 'reference');
});

test('planeTranspose: which permutations are batched 2D transposes, and their planes', () => {
  const shape = [2, 3, 4, 5];
  assert.deepEqual(planeTranspose(shape, [0, 2, 3, 1]), { batch: 2, rows: 3, columns: 20 });
  assert.deepEqual(planeTranspose(shape, [0, 3, 1, 2]), { batch: 2, rows: 12, columns: 5 });
  assert.deepEqual(planeTranspose(shape, [1, 2, 3, 0]), { batch: 1, rows: 2, columns: 60 });
  assert.deepEqual(planeTranspose(shape, [0, 1, 3, 2]), { batch: 6, rows: 4, columns: 5 });
  assert.deepEqual(planeTranspose([6, 7], [1, 0]), { batch: 1, rows: 6, columns: 7 });
  assert.deepEqual(planeTranspose([2, 3, 4, 5, 6], [0, 2, 3, 4, 1]), { batch: 2, rows: 3, columns: 120 });
  // Size-1 axes move no bytes: [0, 2, 1, 3] with a size-1 last axis is [0, 2, 1].
  assert.deepEqual(planeTranspose([2, 3, 4, 1], [0, 2, 1, 3]), { batch: 2, rows: 3, columns: 4 });
  assert.deepEqual(planeTranspose(shape, [0, 1, 2, 3]), { batch: 1, rows: 1, columns: 120 });
  for (const order of [
    [0, 2, 1, 3],
    [3, 1, 2, 0],
    [1, 0, 3, 2],
    [2, 1, 0, 3],
  ]) {
    assert.equal(planeTranspose(shape, order), null, `${order}`);
  }
});

test('transpose backward: the inverse permutation, batched 2D or not (finite differences)', () => {
  const random = new Random(5);
  const input = tensor(
    Float32Array.from({ length: 2 * 5 * 3 * 6 }, () => random.uniform() * 2 - 1),
    [2, 5, 3, 6],
  );
  for (const order of [
    [0, 2, 3, 1],
    [0, 3, 1, 2],
    [0, 2, 1, 3],
    [3, 2, 1, 0],
  ]) {
    gradcheck((x) => transpose(x!, order), [input]);
  }
});
