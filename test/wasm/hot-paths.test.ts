// The specialised paths (channelsLast, dense 2x2 and 3x3 windows, channels in groups of 4 with
// remainders) and the edge cases that broke other libraries, one by one against the reference.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adaptiveGeometry } from '../../src/geometry/adaptive-geometry.js';
import { poolGeometry, type PoolGeometry, type PoolOptions } from '../../src/geometry/pool-geometry.js';
import { tidy } from '../../src/tensor/scope.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertSame, filled, poisoned, reference, wasm, type ValueKind } from './harness.js';

const divisor = { countIncludePad: false, divisorOverride: null };
const withPad = { countIncludePad: true, divisorOverride: null };

/** Every forward kernel and the average backward on one geometry and one kind of values. */
function compareAll(geometry: PoolGeometry, values: ValueKind, seed: number): void {
  tidy(() => {
    const input = filled(geometry.inputShape, values, seed);
    const label = `${geometry.inputShape.join('x')} ${values}`;
    const run = (name: string, fill: (kernels: typeof reference, output: Tensor, indices: Tensor | null) => void) => {
      const expected = poisoned(geometry.outputShape);
      const expectedIndices = poisoned(geometry.outputShape, 'int32');
      fill(reference, expected, expectedIndices);
      const actual = poisoned(geometry.outputShape);
      const indices = poisoned(geometry.outputShape, 'int32');
      fill(wasm(), actual, indices);
      assertSame(actual.values, expected.values, `${name} ${label}`);
      assertSame(indices.intValues, expectedIndices.intValues, `${name} indices ${label}`);
    };
    run('max', (kernels, output, indices) =>
      kernels.maxPoolForward(input.values, output.values, indices!.intValues, geometry),
    );
    run('max without argmax', (kernels, output) => kernels.maxPoolForward(input.values, output.values, null, geometry));
    run('avg', (kernels, output) => kernels.avgPoolForward(input.values, output.values, geometry, divisor));
    run('avg counting padding', (kernels, output) =>
      kernels.avgPoolForward(input.values, output.values, geometry, withPad),
    );
    if (values !== 'special')
      run('lp2', (kernels, output) => kernels.lpPoolForward(input.values, output.values, geometry, 2));
    const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
    const expected = poisoned(geometry.inputShape);
    const actual = poisoned(geometry.inputShape);
    for (const rule of [divisor, withPad]) {
      reference.avgPoolBackward(gradOutput.values, expected.values, geometry, rule);
      wasm().avgPoolBackward(gradOutput.values, actual.values, geometry, rule);
      assertSame(actual.values, expected.values, `avg backward ${label}`);
    }
  });
}

const hotOptions: PoolOptions[] = [
  { kernelSize: 2 },
  { kernelSize: 3, stride: 2, padding: 'same' },
  { kernelSize: 3, stride: 2, padding: 1, ceilMode: true },
  { kernelSize: 3, stride: 1 },
];

test('dense 2x2 and 3x3 windows over 4 to 67 channels match the reference exactly', () => {
  let seed = 1;
  for (const channels of [4, 8, 12, 13, 64, 67]) {
    for (const options of hotOptions) {
      for (const values of ['plain', 'ties', 'negative', 'special'] as const) {
        compareAll(poolGeometry('test', [2, 9, 10, channels], 2, options), values, seed++);
      }
    }
  }
});

test('rows of dense 3x3 windows at row stride 2, done two at a time (shared middle row), match the reference exactly', () => {
  let seed = 300;
  const options: PoolOptions[] = [
    { kernelSize: 3, stride: 2 },
    { kernelSize: 3, stride: 2, padding: 'same' },
    { kernelSize: 3, stride: [2, 1], padding: 1, ceilMode: true },
    { kernelSize: [3, 2], stride: 2 }, // 3 rows, 2 columns: rows stacked, no dense 3x3 window
  ];
  for (const height of [13, 14]) {
    for (const channels of [4, 7, 64]) {
      for (const option of options) {
        for (const values of ['plain', 'ties', 'negative', 'special'] as const) {
          compareAll(poolGeometry('test', [3, height, 11, channels], 2, option), values, seed++);
        }
      }
    }
  }
});

test('channelsFirst 2x2 windows at stride 2, four output columns at a time, match the reference exactly', () => {
  let seed = 500;
  const options: PoolOptions[] = [
    { kernelSize: 2 },
    { kernelSize: 2, padding: 1, ceilMode: true },
    { kernelSize: 2, padding: 'same' },
    { kernelSize: 2, padding: [[1, 0], 0, 0] }, // depth windows with 1 in-bounds slice of 2 padded
  ];
  for (const width of [8, 9, 16, 17, 23]) {
    options.forEach((option, index) => {
      const spatial = index === 3 ? [2, 5, width] : [5, width];
      for (const values of ['plain', 'ties', 'negative', 'special'] as const) {
        const geometry = poolGeometry('test', [2, 3, ...spatial], index === 3 ? 3 : 2, {
          ...option,
          dataFormat: 'channelsFirst',
        });
        compareAll(geometry, values, seed++);
      }
    });
  }
});

test('edge cases: 1x1 windows, a window as large as the input, stride past the window, large padding', () => {
  const cases: [number[], PoolOptions][] = [
    [[2, 5, 6, 7], { kernelSize: 1 }],
    [[2, 5, 6, 8], { kernelSize: [5, 6] }],
    [[1, 7, 7, 5], { kernelSize: 2, stride: 5 }],
    [[1, 9, 9, 4], { kernelSize: 5, stride: 1, padding: 2 }],
    [[1, 9, 9, 4], { kernelSize: 5, stride: 2, padding: 2, dilation: 2 }],
    [[2, 6, 6, 3], { kernelSize: 3, padding: 'same', dataFormat: 'channelsFirst' }],
  ];
  cases.forEach(([shape, options], index) => {
    for (const values of ['plain', 'negative', 'ties', 'special'] as const) {
      compareAll(poolGeometry('test', shape, 2, options), values, 100 + index);
    }
  });
});

test('max keeps the first of tied zeros (-0 then +0 gives -0) on the dense paths', () => {
  tidy(() => {
    for (const kernelSize of [2, 3]) {
      const geometry = poolGeometry('test', [1, kernelSize, kernelSize, 4], 2, { kernelSize });
      const input = Tensor.allocate(geometry.inputShape);
      input.values.fill(0);
      input.values.fill(-0, 0, 4);
      const output = poisoned(geometry.outputShape);
      wasm().maxPoolForward(input.values, output.values, null, geometry);
      assert.ok(Object.is(output.values[0], -0), `${kernelSize}x${kernelSize}: ${output.values[0]}`);
    }
  });
});

test('stacked 3x3 rows keep the first of tied zeros in row-major order, as the reference does', () => {
  tidy(() => {
    for (const option of [
      { kernelSize: 3, stride: 2 },
      { kernelSize: 3, stride: 2, padding: 'same' },
    ] as PoolOptions[]) {
      const geometry = poolGeometry('test', [2, 9, 9, 8], 2, option);
      const input = Tensor.allocate(geometry.inputShape);
      for (let seed = 1; seed <= 20; seed++) {
        input.values.forEach((_, index) => (input.values[index] = Math.sin(index * seed) > 0 ? 0 : -0));
        for (const withIndices of [false, true]) {
          const expected = poisoned(geometry.outputShape);
          const actual = poisoned(geometry.outputShape);
          const indices = withIndices ? poisoned(geometry.outputShape, 'int32').intValues : null;
          reference.maxPoolForward(input.values, expected.values, indices, geometry);
          wasm().maxPoolForward(input.values, actual.values, indices, geometry);
          assertSame(actual.values, expected.values, `±0 ties ${JSON.stringify(option)} seed ${seed}`);
        }
      }
    }
  });
});

test('a NaN anywhere in a dense window comes out as NaN, with the last NaN as argmax', () => {
  tidy(() => {
    const geometry = poolGeometry('test', [1, 3, 3, 4], 2, { kernelSize: 3 });
    for (let position = 0; position < 9; position++) {
      const input = filled(geometry.inputShape, 'plain', position);
      input.values[position * 4 + 1] = NaN;
      const output = poisoned(geometry.outputShape);
      const indices = poisoned(geometry.outputShape, 'int32');
      wasm().maxPoolForward(input.values, output.values, null, geometry);
      assert.ok(Number.isNaN(output.values[1]) && !Number.isNaN(output.values[0]), `NaN at ${position}`);
      wasm().maxPoolForward(input.values, output.values, indices.intValues, geometry);
      assert.equal(indices.intValues[1], position);
    }
  });
});

test('window tables too large for the argument block go to the heap and give the same results', () => {
  tidy(() => {
    const geometry = adaptiveGeometry('test', [1, 9000, 5], 1, 5000);
    const input = filled(geometry.inputShape, 'plain', 3);
    const expected = poisoned(geometry.outputShape);
    const actual = poisoned(geometry.outputShape);
    reference.adaptiveAvgPoolForward(input.values, expected.values, geometry);
    wasm().adaptiveAvgPoolForward(input.values, actual.values, geometry);
    assertSame(actual.values, expected.values, 'adaptive avg, 9000 -> 5000');
  });
});
