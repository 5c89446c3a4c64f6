// The step kernels on the GPU against their reference kernels (the specification), on random small
// shapes with NaN, ±Infinity, ±0 and ties planted: the argmax-compare count, the row gather, the bias
// add, the column sum, softmax rows and the elementwise add.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Random } from '../../src/index.js';
import { referenceStepKernels as reference } from '../../src/kernels/reference/step-kernels.js';
import { GPU_STEP_BOUNDS } from '../../src/kernels/webgpu/train-step-kernels.js';
import { assertWithin, gpu, onGpu, skip, ulp } from './harness.js';

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, 1];

/** Values in ±spread, with specials (NaN, ±Infinity, ±0, ties) planted when `special`. */
function valuesOf(length: number, seed: number, spread: number, special: boolean): Float32Array {
  const random = new Random(seed);
  const values = Float32Array.from({ length }, () => (random.uniform() * 2 - 1) * spread);
  if (special) for (let index = 0; index < length; index += 3) values[index] = SPECIAL[(index / 3) % SPECIAL.length]!;
  return values;
}

const bitsEqual = (actual: Float32Array | Int32Array, expected: Float32Array | Int32Array, label: string) =>
  assert.deepEqual(new Int32Array(actual.buffer.slice(0)), new Int32Array(expected.buffer.slice(0)), label);

test('argmaxCompare on the GPU counts what the reference counts (ties, NaN, float and int labels)', { skip }, () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 10_000 }),
      fc.boolean(),
      fc.boolean(),
      (rows, classes, seed, special, asFloat) => {
        const predictions = valuesOf(rows * classes, seed, 4, special);
        if (special) predictions.fill(2, 0, Math.min(classes, 3)); // a tie in row 0
        const random = new Random(seed + 1);
        const drawn = Array.from({ length: rows }, () => Math.floor(random.uniform() * classes));
        const labels = asFloat ? Float32Array.from(drawn) : Int32Array.from(drawn);
        const previous = Int32Array.of(0, seed);
        const [expected, actual] = [new Int32Array(2), Int32Array.of(-5, -5)];
        reference.argmaxCompare(predictions, labels, previous, expected, { rows, classes });
        onGpu('argmaxCompare', 1, () => gpu().argmaxCompare(predictions, labels, previous, actual, { rows, classes }));
        assert.deepEqual(Array.from(actual), Array.from(expected), JSON.stringify({ rows, classes, seed, special }));
      },
    ),
    { numRuns: 25, seed: 19 },
  );
});

test('gatherRows on the GPU copies the rows the reference copies, bit for bit', { skip }, () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 30 }),
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 1, max: 10_000 }),
      fc.boolean(),
      fc.boolean(),
      (sourceRows, rowSize, seed, ordered, asInt) => {
        const random = new Random(seed);
        const start = Math.floor(random.uniform() * sourceRows);
        const count = 1 + Math.floor(random.uniform() * (sourceRows - start));
        const floats = valuesOf(sourceRows * rowSize, seed, 9, true);
        const source = asInt ? new Int32Array(floats.buffer) : floats;
        const order = ordered ? random.permutation(sourceRows) : null;
        const make = () => (asInt ? new Int32Array(count * rowSize) : new Float32Array(count * rowSize));
        const [expected, actual] = [make(), make()];
        const gather = { start, count, rowSize };
        reference.gatherRows(source, order, expected, gather);
        onGpu('gatherRows', 1, () => gpu().gatherRows(source, order, actual, gather));
        bitsEqual(actual, expected, JSON.stringify({ sourceRows, rowSize, seed, ordered }));
      },
    ),
    { numRuns: 25, seed: 19 },
  );
});

test('biasAdd and addForward on the GPU are bit for bit; columnSum within its float32 bound', { skip }, () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 24 }),
      fc.integer({ min: 1, max: 10_000 }),
      fc.boolean(),
      (rows, columns, seed, special) => {
        const label = JSON.stringify({ rows, columns, seed, special });
        const shape = { rows, columns };
        const matrix = valuesOf(rows * columns, seed, 3, special);
        const bias = valuesOf(columns, seed + 1, 3, special);
        const [expected, actual] = [matrix.slice(), matrix.slice()];
        reference.biasAdd(expected, bias, shape);
        onGpu('biasAdd', 1, () => gpu().biasAdd(actual, bias, shape));
        bitsEqual(actual, expected, `biasAdd ${label}`);

        const right = valuesOf(rows * columns, seed + 2, 3, special);
        const [sum, gpuSum] = [new Float32Array(rows * columns), new Float32Array(rows * columns)];
        reference.addForward(matrix, right, sum);
        onGpu('addForward', 1, () => gpu().addForward(matrix, right, gpuSum));
        assertWithin(gpuSum, sum, () => 0, `addForward ${label}`);

        const [sums, gpuSums] = [new Float32Array(columns), new Float32Array(columns).fill(7)];
        reference.columnSum(matrix, sums, shape);
        onGpu('columnSum', 1, () => gpu().columnSum(matrix, gpuSums, shape));
        const bound = (column: number) => {
          let magnitude = 0;
          for (let row = 0; row < rows; row++) magnitude += Math.abs(matrix[row * columns + column]!);
          return GPU_STEP_BOUNDS.columnSumUnits(rows) * magnitude + ulp(sums[column]!);
        };
        assertWithin(gpuSums, sums, bound, `columnSum ${label}`);
      },
    ),
    { numRuns: 25, seed: 19 },
  );
});

test(
  'softmaxForward and softmaxBackward on the GPU within GPU_STEP_BOUNDS of the reference (NaN, ±Infinity rows)',
  { skip },
  () => {
    const check = (rows: number, classes: number, seed: number, spread: number, special: boolean) => {
      const logits = valuesOf(rows * classes, seed, spread, special);
      if (special && rows > 1) logits.fill(-Infinity, classes, 2 * classes); // row 1: only -Infinity
      const [expected, actual] = [new Float32Array(rows * classes), new Float32Array(rows * classes).fill(7)];
      reference.softmaxForward(logits, expected, { rows, classes });
      onGpu('softmaxForward', 1, () => gpu().softmaxForward(logits, actual, { rows, classes }));
      const bound = (index: number) => {
        const probability = expected[index]!;
        const logProbability = Math.max(Math.log(probability), -104); // e^-104 is below float32's normals
        return probability * GPU_STEP_BOUNDS.softmaxRelative(classes, logProbability) + 2 ** -126;
      };
      assertWithin(actual, expected, bound, `softmax ${JSON.stringify({ rows, classes, seed, spread, special })}`);
      const gradOutput = valuesOf(rows * classes, seed + 3, 2, false);
      const [wantGrad, gotGrad] = [new Float32Array(rows * classes), new Float32Array(rows * classes).fill(7)];
      reference.softmaxBackward(expected, gradOutput, wantGrad, { rows, classes });
      onGpu('softmaxBackward', 1, () => gpu().softmaxBackward(expected, gradOutput, gotGrad, { rows, classes }));
      const gradBound = (index: number) => {
        const start = index - (index % classes);
        let [magnitude, total] = [0, 0];
        for (let column = start; column < start + classes; column++) {
          magnitude += Math.abs(gradOutput[column]! * expected[column]!);
          total += gradOutput[column]! * expected[column]!;
        }
        const y = Math.abs(expected[index]!);
        const units = GPU_STEP_BOUNDS.softmaxGradientUnits(classes) * magnitude;
        // A y below 2^-126 may be flushed to 0 on the GPU: |g − Σ| · 2^-126 more.
        const flushed = (1 + Math.abs(gradOutput[index]! - total)) * 2 ** -126;
        return y * (units + 2 * ulp(gradOutput[index]! - total)) + 2 * ulp(wantGrad[index]!) + flushed;
      };
      assertWithin(
        gotGrad,
        wantGrad,
        gradBound,
        `softmax gradient ${JSON.stringify({ rows, classes, seed, special })}`,
      );
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom(0.5, 8, 80),
        fc.boolean(),
        check,
      ),
      { numRuns: 25, seed: 19 },
    );
    check(4, 5, 3, 1, true);
  },
);

test('sigmoid and tanh on the GPU, forward and backward, within GPU_STEP_BOUNDS (NaN, ±Infinity, ±0)', { skip }, () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 1, max: 10_000 }),
      fc.constantFrom(0.01, 1, 12, 100),
      fc.boolean(),
      (length, seed, spread, special) => {
        const label = JSON.stringify({ length, seed, spread, special });
        const input = valuesOf(length, seed, spread, special);
        const gradOutput = valuesOf(length, seed + 1, 2, false);
        for (const [name, relative] of [
          ['sigmoid', GPU_STEP_BOUNDS.sigmoidRelative],
          ['tanh', GPU_STEP_BOUNDS.tanhRelative],
        ] as const) {
          const [expected, actual] = [new Float32Array(length), new Float32Array(length).fill(7)];
          reference[`${name}Forward`](input, expected);
          onGpu(`${name}Forward`, 1, () => gpu()[`${name}Forward`](input, actual));
          const bound = (index: number) =>
            (Number.isFinite(input[index]) ? relative(input[index]!) * Math.abs(expected[index]!) : 0) + 2 ** -126;
          assertWithin(actual, expected, bound, `${name} ${label}`);
          input.forEach((value, index) => {
            if (value === 0) assert.ok(Object.is(actual[index], expected[index]), `${name}(${value}) keeps its sign`);
          });
          const [wantGrad, gotGrad] = [new Float32Array(length), new Float32Array(length).fill(7)];
          reference[`${name}Backward`](expected, gradOutput, wantGrad);
          onGpu(`${name}Backward`, 1, () => gpu()[`${name}Backward`](expected, gradOutput, gotGrad));
          const gradBound = (index: number) =>
            GPU_STEP_BOUNDS.gradientUlps * ulp(wantGrad[index]!) + Math.abs(gradOutput[index]!) * 2 ** -23 + 2 ** -126;
          assertWithin(gotGrad, wantGrad, gradBound, `${name} gradient ${label}`);
        }
      },
    ),
    { numRuns: 25, seed: 19 },
  );
});
