// S3Pool against PyTorch golden files (test/golden/s3: the paper's code, dense max then the kept rows),
// max pooling at inference, the documented draw order and its statistics, errors, finite differences.
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backward,
  layers,
  maxPool1d,
  maxPool2d,
  maxPool3d,
  memoryStats,
  PoolkitArgumentError,
  Random,
  requireGrad,
  s3Pool1d,
  s3Pool2d,
  s3Pool3d,
  sum,
  tensor,
  tidy,
  type Tensor,
} from '../../src/index.js';
import { checkLayoutCase, readGoldenCases, type LayoutCase } from '../helpers/golden-cases.js';
import { gradcheck, spacedTensor } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';

const OPS = { 1: s3Pool1d, 2: s3Pool2d, 3: s3Pool3d } as const;
const golden = readGoldenCases<LayoutCase & { dims: 1 | 2 | 3 }>(new URL('../golden/s3/cases.json', import.meta.url));

test('equals the paper’s code in PyTorch (dense max, then the kept rows): forward and input gradient', () => {
  assert.equal(golden.length, 9);
  for (const entry of golden) checkLayoutCase(entry, (x) => OPS[entry.dims](x, entry.options));
});

test('inference keeps the grid 0, s, 2s, …: exactly max pooling with window k and stride s, any rank', () => {
  fc.assert(
    fc.property(
      fc.record({
        rank: fc.integer({ min: 1, max: 3 }),
        sizes: fc.array(fc.integer({ min: 3, max: 11 }), { minLength: 3, maxLength: 3 }),
        kernelSize: fc.integer({ min: 1, max: 3 }),
        stride: fc.integer({ min: 1, max: 3 }),
        seed: fc.integer({ min: 1, max: 1000 }),
      }),
      ({ rank, sizes, kernelSize, stride, seed }) => {
        const x = uniformTensor([2, ...sizes.slice(0, rank), 2], seed);
        const expected = [maxPool1d, maxPool2d, maxPool3d][rank - 1]!(x, { kernelSize, stride });
        const y = OPS[rank as 1 | 2 | 3](x, { kernelSize, stride, gridSize: 2 * stride });
        assert.deepEqual(y.shape, expected.shape);
        assert.deepEqual(Array.from(y.values), Array.from(expected.values));
      },
    ),
    { numRuns: 50, seed: 17 },
  );
});

/** An input whose cell (h, w) holds 100·h + w: with kernelSize 1 the output names the kept rows and columns. */
function labelled(height: number, width: number): Tensor {
  return tensor(
    Array.from({ length: height * width }, (_, index) => 100 * Math.floor(index / width) + (index % width)),
    [1, height, width, 1],
  );
}

function keptRows(output: Tensor, width: number): { rows: number[]; columns: number[] } {
  const values = Array.from(output.values);
  return {
    rows: values.filter((_, index) => index % width === 0).map((value) => Math.floor(value / 100)),
    columns: values.slice(0, width).map((value) => value % 100),
  };
}

test('training draws, per block of g, the first g/s of a Fisher–Yates permutation, ascending, axis by axis', () => {
  const y = s3Pool2d(labelled(10, 8), { kernelSize: 1, stride: 2, gridSize: 4, training: true, seed: 9 });
  // The documented rule, transcribed: height's blocks [0, 4), [4, 8), [8, 10), then width's two blocks.
  const random = new Random(9);
  const draw = (size: number) => {
    const rows: number[] = [];
    for (let offset = 0; offset < size; offset += 4) {
      const block = Math.min(4, size - offset);
      const order = Array.from(random.permutation(block)).slice(0, Math.ceil(block / 2));
      rows.push(...order.sort((a, b) => a - b).map((row) => offset + row));
    }
    return rows;
  };
  const expected = { rows: draw(10), columns: draw(8) };
  assert.deepEqual(y.shape, [1, 5, 4, 1]);
  assert.deepEqual(keptRows(y, 4), expected);
});

test('each row is kept 1/s of the time over draws, g/s of them in every block', () => {
  const counts = new Array<number>(8).fill(0);
  const [draws, random] = [2000, new Random(17)];
  for (let draw = 0; draw < draws; draw++) {
    const { rows } = keptRows(s3Pool2d(labelled(8, 2), { kernelSize: 1, gridSize: 4, training: true, random }), 1);
    assert.equal(rows.filter((row) => row < 4).length, 2); // two from each block of four
    for (const row of rows) counts[row]!++;
  }
  for (const count of counts) assert.ok(Math.abs(count / draws - 0.5) < 0.05, `frequency ${count / draws}`);
});

test('the same seed draws the same rows; a Random continues its sequence; a layer draws only in training', () => {
  const x = uniformTensor([2, 9, 9, 3], 4);
  const options = { gridSize: 4, training: true } as const;
  const first = s3Pool2d(x, { ...options, seed: 3 }).values.slice();
  assert.deepEqual(Array.from(s3Pool2d(x, { ...options, seed: 3 }).values), Array.from(first));
  const random = new Random(3);
  assert.deepEqual(Array.from(s3Pool2d(x, { ...options, random }).values), Array.from(first));
  assert.notDeepEqual(Array.from(s3Pool2d(x, { ...options, random }).values), Array.from(first));
  const layer = layers.s3Pooling2d({ gridSize: 4 });
  const inference = layer.apply(x, { training: false, random: new Random(1) }) as Tensor;
  assert.deepEqual(Array.from(inference.values), Array.from(s3Pool2d(x).values));
  assert.deepEqual(layer.computeOutputShape([null, 26, 26, 32]), [null, 13, 13, 32]);
});

test('NaN propagates through the dense maxima; the first of tied maxima gets the gradient', () => {
  // Dense maxima of [1, NaN, 2, 3, 3]: [NaN, NaN, 3, 3]; the grid keeps cells 0 and 2.
  const y = s3Pool1d(tensor([1, NaN, 2, 3, 3], [1, 5, 1]));
  assert.ok(Number.isNaN(y.values[0]));
  assert.equal(y.values[1], 3);
  const x = requireGrad(tensor([1, 1, 1, 1], [1, 4, 1]));
  backward(s3Pool1d(x, { rows: [[1, 2]] }), tensor([1, 10], [1, 2, 1]));
  assert.deepEqual(Array.from(x.grad!.values), [0, 1, 10, 0]);
});

test('bad options are refused, naming the argument', () => {
  const x = uniformTensor([1, 8, 8, 1], 1);
  const refuses = (run: () => Tensor, argument: string) =>
    assert.throws(run, (error: unknown) => error instanceof PoolkitArgumentError && error.argument === argument);
  refuses(() => s3Pool2d(x, { gridSize: 3 }), 'gridSize');
  refuses(() => s3Pool2d(x, { training: true }), 'seed');
  refuses(() => s3Pool2d(x, { stride: 0 }), 'stride');
  refuses(() => s3Pool2d(x, { kernelSize: 9 }), 'kernelSize');
  refuses(() => s3Pool2d(x, { rows: [[0, 2, 4, 6]] }), 'rows');
  refuses(
    () =>
      s3Pool2d(x, {
        rows: [
          [0, 2, 4, 6],
          [0, 3, 2, 5],
        ],
      }),
    'rows',
  );
  refuses(
    () =>
      s3Pool2d(x, {
        rows: [
          [0, 2, 4, 6],
          [0, 2, 4, 7],
        ],
      }),
    'rows',
  );
});

test('finite differences agree in training and inference, 1D to 3D', () => {
  gradcheck((x) => s3Pool1d(x!, { stride: 3, gridSize: 6, training: true, seed: 2 }), [spacedTensor([2, 13, 2], 3)]);
  gradcheck((x) => s3Pool2d(x!, { gridSize: 4, training: true, seed: 5 }), [spacedTensor([1, 7, 9, 2], 4)]);
  gradcheck((x) => s3Pool3d(x!, { dataFormat: 'channelsFirst' }), [spacedTensor([1, 2, 4, 5, 5], 5)]);
});

test('forward and backward leave no tensor behind (the dense maxima are temporaries)', () => {
  const run = () =>
    tidy(() => {
      const x = requireGrad(uniformTensor([2, 9, 9, 3], 8));
      backward(sum(s3Pool2d(x, { gridSize: 4, training: true, seed: 2 })));
    });
  run();
  const before = memoryStats().bytesUndisposed;
  run();
  assert.equal(memoryStats().bytesUndisposed, before);
});
