// BlurPool against hand-worked windows (reflect, replicate and zero padding), PyTorch golden files
// (test/golden/blur: the paper's code transcribed), identities, NaN, errors and finite differences.
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backward,
  blurPool1d,
  blurPool2d,
  blurPool3d,
  PoolkitArgumentError,
  requireGrad,
  tensor,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { checkLayoutCase, readGoldenCases, type LayoutCase } from '../helpers/golden-cases.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';

const line = tensor([1, 3, 5, 7, 9], [1, 5, 1]);

test('[1, 3, 5, 7, 9] blurred by [1, 2, 1]/4 with stride 2: reflect, replicate and zero padding', () => {
  // Reflect reads x[−1] = x[1] and x[5] = x[3]; replicate reads the edge; zero reads 0.
  assert.deepEqual(Array.from(blurPool1d(line, { filterSize: 3 }).values), [2, 5, 8]);
  assert.deepEqual(Array.from(blurPool1d(line, { filterSize: 3, padMode: 'replicate' }).values), [1.5, 5, 8.5]);
  assert.deepEqual(Array.from(blurPool1d(line, { filterSize: 3, padMode: 'zero' }).values), [1.25, 5, 6.25]);
});

test('a mirrored cell gets the gradient of every tap that read it', () => {
  const x = requireGrad(line.clone());
  backward(blurPool1d(x, { filterSize: 3 }), tensor([1, 0, 0], [1, 3, 1]));
  // y0 = x[1]/4 + x[0]/2 + x[1]/4: x[1] is read twice (once through the reflection).
  assert.deepEqual(Array.from(x.grad!.values), [0.5, 0.5, 0, 0, 0]);
});

test('the filters are rows of Pascal’s triangle over their sum: a constant stays constant for f = 1..7', () => {
  const constant = tensor(new Float32Array(2 * 9 * 8 * 3).fill(1.5), [2, 9, 8, 3]);
  for (let filterSize = 1; filterSize <= 7; filterSize++) {
    for (const padMode of ['reflect', 'replicate'] as const) {
      const y = blurPool2d(constant, { filterSize, padMode });
      assert.deepEqual(y.shape, [2, 5, 4, 3]);
      assertClose(y.values, new Float32Array(y.size).fill(1.5), { label: `f=${filterSize} ${padMode}` });
    }
  }
  // f = 4 pads one cell before: output o reads x[o − 1 .. o + 2], so a lone 8 at 2 spreads over 0..3.
  const impulse = tensor([0, 0, 8, 0, 0, 0, 0, 0], [1, 8, 1]);
  assert.deepEqual(Array.from(blurPool1d(impulse, { filterSize: 4, stride: 1 }).values), [1, 3, 3, 1, 0, 0, 0, 0]);
});

test('a constant stays constant on random shapes, filters, strides and edge modes; a ramp keeps its slope inside', () => {
  fc.assert(
    fc.property(
      fc.record({
        rank: fc.integer({ min: 1, max: 3 }),
        sizes: fc.array(fc.integer({ min: 4, max: 9 }), { minLength: 3, maxLength: 3 }),
        filterSize: fc.integer({ min: 1, max: 7 }),
        stride: fc.integer({ min: 1, max: 3 }),
        replicate: fc.boolean(),
      }),
      ({ rank, sizes, filterSize, stride, replicate }) => {
        const shape = [1, ...sizes.slice(0, rank), 2];
        const constant = tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.75), shape);
        const padMode = replicate ? 'replicate' : 'reflect';
        const y = [blurPool1d, blurPool2d, blurPool3d][rank - 1]!(constant, { filterSize, stride, padMode });
        assert.deepEqual(
          y.shape.slice(1, -1),
          sizes.slice(0, rank).map((size) => Math.ceil(size / stride)),
        );
        assertClose(y.values, new Float32Array(y.size).fill(0.75));
      },
    ),
    { numRuns: 60, seed: 19 },
  );
  // A symmetric filter keeps a linear ramp away from the edges: x[n] = n blurred at stride 1 is n again.
  const ramp = blurPool1d(
    tensor(
      Array.from({ length: 12 }, (_, index) => index),
      [1, 12, 1],
    ),
    { filterSize: 5, stride: 1 },
  );
  assertClose(ramp.values.slice(2, 10), [2, 3, 4, 5, 6, 7, 8, 9]);
});

test('filterSize 1 is plain subsampling x[::s] in every axis', () => {
  const x = uniformTensor([1, 2, 5, 7, 3], 3);
  const y = blurPool3d(x, { filterSize: 1, stride: [1, 2, 3], dataFormat: 'channelsFirst' });
  const expected: number[] = [];
  for (let channel = 0; channel < 2; channel++)
    for (let depth = 0; depth < 5; depth++)
      for (let row = 0; row < 7; row += 2)
        for (let column = 0; column < 3; column += 3)
          expected.push(x.values[((channel * 5 + depth) * 7 + row) * 3 + column]!);
  assert.deepEqual(y.shape, [1, 2, 5, 4, 1]);
  assert.deepEqual(Array.from(y.values), expected);
});

interface BlurCase extends LayoutCase {
  kind: 'blur' | 'maxBlur';
  dims: 1 | 2 | 3;
}

const OPS = { 1: blurPool1d, 2: blurPool2d, 3: blurPool3d } as const;
const golden = readGoldenCases<BlurCase>(new URL('../golden/blur/cases.json', import.meta.url));

test('equals the paper’s code in PyTorch (pad, depthwise conv): forward and input gradient', () => {
  const cases = golden.filter((entry) => entry.kind === 'blur');
  assert.ok(cases.length >= 15);
  for (const entry of cases)
    checkLayoutCase(entry, (x) => OPS[entry.dims](x, entry.options), { absolute: 1e-5, relative: 1e-5 });
});

test('NaN and infinity reach exactly the outputs whose taps read them', () => {
  const y = blurPool1d(tensor([0, 0, 0, 0, NaN, 0, Infinity, 0], [1, 8, 1]), { filterSize: 2 });
  // Windows [x0 x1] [x2 x3] [x4 x5] [x6 x7]: the third reads NaN, the fourth Infinity.
  assert.deepEqual(Array.from(y.values), [0, 0, NaN, Infinity]);
});

test('bad options and inputs too short to reflect are refused, naming the argument', () => {
  const x = uniformTensor([1, 4, 4, 1], 1);
  const refuses = (run: () => Tensor, argument: string) =>
    assert.throws(run, (error: unknown) => error instanceof PoolkitArgumentError && error.argument === argument);
  refuses(() => blurPool2d(x, { filterSize: 0 }), 'filterSize');
  refuses(() => blurPool2d(x, { filterSize: 8 }), 'filterSize');
  refuses(() => blurPool2d(x, { filterSize: 2.5 }), 'filterSize');
  refuses(() => blurPool2d(x, { padMode: 'circular' as never }), 'padMode');
  refuses(() => blurPool2d(x, { stride: 0 }), 'stride');
  // f = 7 pads 3 cells after: a 3-cell axis cannot be reflected (PyTorch's ReflectionPad refuses too).
  refuses(() => blurPool2d(uniformTensor([1, 3, 8, 1], 2), { filterSize: 7 }), 'input');
  assert.deepEqual(blurPool2d(uniformTensor([1, 3, 8, 1], 2), { filterSize: 7, padMode: 'zero' }).shape, [1, 2, 4, 1]);
  refuses(() => blurPool2d(uniformTensor([4, 4, 1], 2), {}), 'input');
});

test('finite differences agree in 1D, 2D and 3D for every padding', () => {
  gradcheck((x) => blurPool1d(x!, { filterSize: 5, stride: 2 }), [uniformTensor([2, 7, 2], 3)]);
  gradcheck((x) => blurPool2d(x!, { filterSize: 4, padMode: 'replicate' }), [uniformTensor([1, 5, 6, 2], 4)]);
  gradcheck(
    (x) => blurPool2d(x!, { filterSize: 3, stride: [2, 1], padMode: 'zero' }),
    [uniformTensor([1, 4, 5, 1], 5)],
  );
  gradcheck((x) => blurPool3d(x!, { filterSize: 3, dataFormat: 'channelsFirst' }), [uniformTensor([1, 2, 3, 4, 4], 6)]);
});
