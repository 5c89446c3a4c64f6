// Median pooling against PyTorch golden cases (golden/median/generate.py: torch.median over each
// window, autograd's gradient), hand-worked windows, its rules for even windows (the lower middle
// value), ties (the first cell in window order), NaN, ±Infinity and padding, and finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, medianPool1d, medianPool2d, medianPool3d, requireGrad, tensor, tidy } from '../../src/index.js';
import { gradcheck, spacedValues } from '../helpers/gradcheck.js';
import { checkGoldenCase, readGolden, type GoldenOp } from './formula-golden.js';

const OPS: Record<string, GoldenOp> = { medianPool1d, medianPool2d, medianPool3d };
const golden = readGolden('median');

test('the golden file covers ranks 1 to 3, padding, even windows, ties and NaN', () => {
  assert.deepEqual(new Set(golden.cases.map((item) => item.op)), new Set(Object.keys(OPS)));
  assert.ok(golden.cases.some((item) => item.skipGradients === true));
  assert.ok(golden.cases.some((item) => item.input.includes('NaN')));
});

// A median moves a value: outputs and gradients are exact.
for (const item of golden.cases) {
  test(`PyTorch golden: ${item.name}`, () => checkGoldenCase(item, OPS[item.op]!, { absolute: 0, relative: 0 }));
}

/** A 1D window's output, chosen cell and input gradient (upstream gradient 1). */
function window(values: number[]): { output: number; index: number; gradient: number[] } {
  return tidy(() => {
    const x = requireGrad(tensor(values, [1, values.length, 1]));
    const { output, indices } = medianPool1d(x, { kernelSize: values.length, returnIndices: true });
    backward(output);
    return { output: output.values[0]!, index: indices.intValues[0]!, gradient: Array.from(x.grad!.values) };
  });
}

test('an odd window gives its middle value; an even one the lower of the two middle values (torch.median)', () => {
  assert.deepEqual(window([5, 1, 3]), { output: 3, index: 2, gradient: [0, 0, 1] });
  assert.deepEqual(window([4, 1, 3, 2]), { output: 2, index: 3, gradient: [0, 0, 0, 1] });
});

test('among cells equal to the median the first in window order is chosen and gets the whole gradient', () => {
  assert.deepEqual(window([2, 2, 2, 2]), { output: 2, index: 0, gradient: [1, 0, 0, 0] });
  assert.deepEqual(window([3, 1, 1, 3]), { output: 1, index: 1, gradient: [0, 1, 0, 0] });
  assert.deepEqual(window([0, 7, 7, 7, 9]), { output: 7, index: 1, gradient: [0, 1, 0, 0, 0] });
});

test('NaN propagates (the first NaN is chosen); ±Infinity and all-negative windows are ordinary', () => {
  const nan = window([1, NaN, 0, NaN]);
  assert.ok(Number.isNaN(nan.output));
  assert.deepEqual([nan.index, ...nan.gradient], [1, 0, 1, 0, 0]);
  assert.deepEqual(window([Infinity, -Infinity, 2]).output, 2);
  assert.deepEqual(window([Infinity, Infinity, -1]).output, Infinity);
  assert.deepEqual(window([-3, -1, -2]).output, -2);
});

test('padding is not a value; a window with no in-bounds cell outputs 0 and passes no gradient', () => {
  // 3x3 window with padding 1 at a corner of a 2x2 input: 4 in-bounds cells, lower median of [1, 2, 3, 4] is 2.
  const corner = medianPool2d(tensor([1, 2, 3, 4], [1, 2, 2, 1]), { kernelSize: 3, stride: 2, padding: 1 });
  assert.deepEqual(Array.from(corner.values), [2]);
  const x = requireGrad(tensor([5, 6], [1, 2, 1]));
  const { output, indices } = medianPool1d(x, {
    kernelSize: 2,
    dilation: 3,
    padding: 1,
    stride: 1,
    returnIndices: true,
  });
  assert.deepEqual([...output.values, ...indices.intValues], [0, -1]);
  backward(output);
  assert.deepEqual(Array.from(x.grad!.values), [0, 0]);
});

test('2D and 3D windows and both layouts agree with a sort of each window', () => {
  const values = spacedValues(2 * 5 * 5, 9);
  const lastLayout = medianPool2d(tensor(values, [1, 5, 5, 2]), { kernelSize: 3, stride: 2 });
  const first = Array.from({ length: 50 }, (_, index) => values[(index % 25) * 2 + Math.floor(index / 25)]!);
  const firstLayout = medianPool2d(tensor(first, [1, 2, 5, 5]), {
    kernelSize: 3,
    stride: 2,
    dataFormat: 'channelsFirst',
  });
  const expected: number[][] = [[], []];
  for (const [row, column] of [
    [0, 0],
    [0, 2],
    [2, 0],
    [2, 2],
  ]) {
    for (let channel = 0; channel < 2; channel++) {
      const cells = [0, 1, 2].flatMap((dr) =>
        [0, 1, 2].map((dc) => values[((row! + dr) * 5 + column! + dc) * 2 + channel]!),
      );
      expected[channel]!.push(cells.sort((a, b) => a - b)[4]!);
    }
  }
  assert.deepEqual(Array.from(firstLayout.values), [...expected[0]!, ...expected[1]!]);
  assert.deepEqual(
    Array.from(lastLayout.values),
    expected[0]!.flatMap((value, index) => [value, expected[1]![index]!]),
  );
  const cube = medianPool3d(tensor([8, 1, 7, 2, 6, 3, 5, 4], [1, 2, 2, 2, 1]), { kernelSize: 2 });
  assert.deepEqual(Array.from(cube.values), [4]);
});

test('finite differences agree in 1D, 2D and 3D (overlapping windows, padding, dilation)', () => {
  // Spaced values: no two cells of a window within 2·epsilon, so the chosen cell cannot change.
  gradcheck(
    (x) => medianPool1d(x!, { kernelSize: 3, stride: 2, padding: 1 }),
    [tensor(spacedValues(28, 3), [2, 7, 2])],
  );
  gradcheck(
    (x) => medianPool2d(x!, { kernelSize: 3, stride: 1, dilation: 2 }),
    [tensor(spacedValues(72, 4), [1, 6, 6, 2])],
  );
  gradcheck(
    (x) => medianPool3d(x!, { kernelSize: 2, ceilMode: true, dataFormat: 'channelsFirst' }),
    [tensor(spacedValues(54, 5), [1, 2, 3, 3, 3])],
  );
});
