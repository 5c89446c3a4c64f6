// poolkit compare: the shift function and its offsets, the spread over seeds, the table and chart
// writers, flag errors, and a tiny real run (2 kinds, 2 seeds) whose files hold consistent numbers.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../cli/args.js';
import { run as runCompare } from '../../cli/commands/compare.js';
import { compareChart } from '../../cli/compare/chart.js';
import { agreement, shiftConsistency, shiftDirections, shiftImages, shiftOffsets } from '../../cli/compare/shift.js';
import { spread } from '../../cli/compare/statistics.js';
import { compareTable, summarizeRuns } from '../../cli/compare/table.js';
import { layers, Random, sequential, tensor } from '../../src/index.js';

const count = (from: number, length: number) => Float32Array.from({ length }, (_, index) => from + index);

test('shiftImages moves each image by its own offset and fills with 0', () => {
  const images = count(1, 18); // two 3x3 images, one channel
  const shifted = shiftImages(
    images,
    [2, 3, 3, 1],
    [
      [1, 0], // right by 1
      [-1, 1], // left by 1, down by 1
    ],
  );
  assert.deepEqual(Array.from(shifted), [0, 1, 2, 0, 4, 5, 0, 7, 8, 0, 0, 0, 11, 12, 0, 14, 15, 0]);
  // two channels move together: up by one
  assert.deepEqual(Array.from(shiftImages(count(1, 8), [1, 2, 2, 2], [[0, -1]])), [5, 6, 7, 8, 0, 0, 0, 0]);
  assert.deepEqual(
    Array.from(
      shiftImages(
        images,
        [2, 3, 3, 1],
        [
          [0, 0],
          [0, 0],
        ],
      ),
    ),
    Array.from(images),
  );
  assert.deepEqual(
    Array.from(
      shiftImages(
        images,
        [2, 3, 3, 1],
        [
          [3, 0],
          [-2, -4],
        ],
      ),
    ),
    Array(18).fill(0),
  );
  assert.deepEqual(Array.from(images), Array.from(count(1, 18)), 'the input is left as it was');
});

test('shiftOffsets: per distance 1..4, one of the 8 directions per image from new Random(seed)', () => {
  const offsets = shiftOffsets(50, 7);
  assert.deepEqual(offsets, shiftOffsets(50, 7));
  assert.notDeepEqual(offsets, shiftOffsets(50, 8));
  const random = new Random(7);
  offsets.forEach((perImage, index) => {
    assert.equal(perImage.length, 50);
    for (const [dx, dy] of perImage) {
      const [directionX, directionY] = shiftDirections[random.integer(8)]!;
      assert.deepEqual([dx, dy], [directionX * (index + 1), directionY * (index + 1)]);
    }
  });
  assert.equal(new Set(offsets[0]!.map(String)).size, 8, 'all 8 directions are drawn');
});

test('agreement, and the spread over seeds (sample standard deviation)', () => {
  const classes = Int32Array.from([3, 1, 4, 1, 5]);
  assert.equal(agreement(classes, classes), 1); // a shift by 0 changes nothing
  assert.equal(agreement(classes, Int32Array.from([3, 1, 4, 0, 0])), 0.6);
  assert.deepEqual(spread([0.9, 0.9, 0.9]), { mean: 0.9, std: 0 });
  const { mean, std } = spread([1, 2, 3, 4]);
  assert.equal(mean, 2.5);
  assert.ok(Math.abs(std - Math.sqrt(5 / 3)) < 1e-15);
  assert.ok(Number.isNaN(spread([0.5]).std));
});

test('shiftConsistency: 1 at distance 0; at 1, 2, 3, image-by-image predictions agree', () => {
  const model = sequential(
    [
      layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 1] }),
      layers.flatten(),
      layers.dense({ units: 3, activation: 'softmax' }),
    ],
    { seed: 5 },
  );
  const random = new Random(11);
  const [images, size] = [40, 36];
  const x = tensor(
    Float32Array.from({ length: images * size }, () => random.uniform()),
    [images, 6, 6, 1],
  );
  const classOf = (pixels: number[]) => {
    const single = tensor(Float32Array.from(pixels), [1, 6, 6, 1]);
    const probabilities = Array.from((model.predict(single) as ReturnType<typeof tensor>).dataSync());
    single.dispose();
    return probabilities.indexOf(Math.max(...probabilities));
  };
  try {
    const distances = [0, 1, 2, 3];
    const measured = shiftConsistency(model, x, 3, 8, distances);
    assert.equal(measured[0], 1);
    // independently: each image moved by hand (out[y][x] = in[y − dy][x − dx]) and predicted alone
    const expected = shiftOffsets(images, 3, distances).map((offsets) => {
      let same = 0;
      for (let image = 0; image < images; image++) {
        const original = Array.from(x.values.subarray(image * size, (image + 1) * size));
        const [dx, dy] = offsets[image]!;
        const moved = Array.from({ length: size }, (_, cell) => {
          const [row, column] = [Math.floor(cell / 6) - dy, (cell % 6) - dx];
          return row >= 0 && row < 6 && column >= 0 && column < 6 ? original[row * 6 + column]! : 0;
        });
        if (classOf(original) === classOf(moved)) same++;
      }
      return same / images;
    });
    assert.deepEqual(measured, expected);
    assert.ok(measured.slice(1).every((value) => value < 1 && value > 0));
  } finally {
    x.dispose();
    model.dispose();
  }
});

const seedRun = (seed: number, testAccuracy: number, shift: number[], strides?: number[]) => ({
  seed,
  testAccuracy,
  shiftConsistency: shift,
  secondsPerEpoch: 10 + seed - 42,
  ...(strides === undefined ? {} : { learnedStrides: strides }),
});

test('the table and chart: mean ± std over seeds, shift consistency, learned strides', () => {
  const rows = [
    summarizeRuns('max', 693962, [seedRun(42, 0.98, [1, 0.9, 0.8, 0.7]), seedRun(43, 0.96, [1, 1, 0.8, 0.6])]),
    summarizeRuns('diffStride', 693962, [seedRun(42, 0.5, [0.5, 0.5, 0.5, 0.5], [2.25, 1.5])]),
  ];
  assert.ok(Math.abs(rows[0]!.testAccuracy.std - 0.02 / Math.SQRT2) < 1e-12);
  assert.ok(Math.abs(rows[0]!.shiftConsistency.mean - 0.85) < 1e-12);
  assert.ok(Math.abs(rows[0]!.shiftConsistencyPerDistance[1]!.mean - 0.95) < 1e-12);
  assert.equal(rows[0]!.secondsPerEpoch, 10.5);
  const table = compareTable(rows, 'a caption');
  assert.match(table, /^Seed CNN with each pooling kind; a caption\./);
  assert.match(
    table,
    /\| kind \| test accuracy \(mean ± std\) \| shift consistency \(mean ± std\) \| seconds \/ epoch \| parameters \|/,
  );
  assert.match(table, /\| max \| 97\.00% ± 1\.41% \| 85\.00% ± 0\.00% \| 10\.5 \| 693,962 \|/);
  assert.match(table, /\| diffStride \| 50\.00% \| 50\.00% \| 10\.0 \| 693,962 \|/); // one seed: no ±
  assert.match(table, /by d = 1, 2, 3, 4 pixels/);
  assert.match(table, /diffStride learned strides \(height × width, per seed\): seed 42: 2\.250 × 1\.500/);
  const svg = compareChart(rows, 'a <slice>');
  assert.match(svg, /^<svg /);
  assert.equal(svg.match(/<circle /g)?.length, 2);
  assert.equal(svg.match(/class="error-bar"/g)?.length, 2);
  assert.match(svg, />diffStride<\/text>/);
  assert.match(svg, /a &lt;slice&gt;/);
});

test('compare trains 2 kinds with 2 seeds and writes consistent numbers', async () => {
  const out = mkdtempSync(join(tmpdir(), 'poolkit-compare-'));
  const log = console.log;
  console.log = () => {};
  try {
    const flags = ['--kinds', 'max,diffStride', '--seeds', '2', '--train-limit', '32', '--test-limit', '16'];
    await runCompare([...flags, '--batch-size', '16', '--out', out]);
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    assert.deepEqual(
      json.rows.map((row: { kind: string }) => row.kind),
      ['max', 'diffStride'],
    );
    for (const row of json.rows) {
      assert.deepEqual(
        row.runs.map((run: { seed: number }) => run.seed),
        [42, 43],
      );
      const accuracies = row.runs.map((run: { testAccuracy: number }) => run.testAccuracy);
      assert.deepEqual(row.testAccuracy, spread(accuracies));
      for (const run of row.runs) {
        assert.equal(run.shiftConsistency.length, 4);
        for (const value of run.shiftConsistency) assert.ok(Number.isInteger(value * 16) && value >= 0 && value <= 1);
      }
    }
    const strides = json.rows[1].runs.map((run: { learnedStrides: number[] }) => run.learnedStrides);
    for (const perAxis of strides) {
      assert.equal(perAxis.length, 2);
      for (const stride of perAxis) assert.ok(stride >= 26 / 22 && stride <= 13, `stride ${stride} in its bounds`);
    }
    assert.equal(json.rows[0].runs[0].learnedStrides, undefined);
    const table = readFileSync(join(out, 'compare.md'), 'utf8');
    assert.match(table, /`poolkit compare --kinds max,diffStride --seeds 2 .*`: 32 training and 16 test images/);
    assert.match(table, /seeds 42 to 43, backend \w+, \d{4}-\d\d-\d\d\./);
    assert.match(table, /\| max \| [\d.]+% ± [\d.]+% \| [\d.]+% ± [\d.]+% \| [\d.]+ \| 693,962 \|/);
    assert.match(table, /diffStride learned strides .*seed 42: [\d.]+ × [\d.]+; seed 43: /);
    assert.match(readFileSync(join(out, 'compare.svg'), 'utf8'), /<\/svg>/);
  } finally {
    console.log = log;
    rmSync(out, { recursive: true, force: true });
  }
});

test('bad flags are usage errors that name the flag', async () => {
  const refused = async (args: string[], flag: RegExp) =>
    assert.rejects(runCompare(args), (error: unknown) => error instanceof UsageError && flag.test(error.message));
  await refused(['--kinds', 'max,nosuchkind'], /--kinds/);
  await refused(['--epochs', '0'], /--epochs/);
  await refused(['--seeds', '0'], /--seeds must be a whole number from 1 to 100, got '0'/);
  await refused(['--seeds', 'two'], /--seeds must be a whole number/);
  await refused(['--seeds', '2.5'], /--seeds must be a whole number/);
  await refused(['--seed', String(2 ** 31 - 1), '--seeds', '3'], /--seed must be a whole number from .* to 2147483645/);
});
