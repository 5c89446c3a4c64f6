// PyTorch 1.13 golden cases (test/golden/pool/generate.py → cases.json): max (with indices), avg and
// Lp pooling, forward and input gradients for a random upstream gradient, in both data formats.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  avgPool1d,
  avgPool2d,
  avgPool3d,
  backward,
  lpPool1d,
  lpPool2d,
  lpPool3d,
  maxPool1d,
  maxPool2d,
  maxPool3d,
  requireGrad,
  tensor,
  tidy,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

type Encoded = (number | 'NaN' | 'Infinity' | '-Infinity')[];

interface GoldenCase {
  name: string;
  op: 'max' | 'avg' | 'lp';
  dims: 1 | 2 | 3;
  options: Record<string, unknown>;
  inputShape: number[];
  input: Encoded;
  output: Encoded;
  gradOutput: Encoded;
  gradInput: Encoded;
  indices?: number[];
}

const file = new URL('./pool/cases.json', import.meta.url);
interface LpDifference {
  name: string;
  options: Record<string, unknown>;
  inputShape: number[];
  input: Encoded;
  pytorchOutput: Encoded;
  scale?: Encoded;
}

const { cases, lpDifferences } = JSON.parse(readFileSync(file, 'utf8')) as {
  cases: GoldenCase[];
  lpDifferences: LpDifference[];
};

/** The float32 values the generator wrote (NaN and infinities travel as strings). */
function decode(values: Encoded): Float32Array {
  return Float32Array.from(values, (value) => (typeof value === 'number' ? value : Number(value)));
}

type Pool = (input: Tensor, options: never) => Tensor | { output: Tensor; indices: Tensor };
const OPS: Record<GoldenCase['op'], Record<1 | 2 | 3, Pool>> = {
  max: { 1: maxPool1d, 2: maxPool2d, 3: maxPool3d },
  avg: { 1: avgPool1d, 2: avgPool2d, 3: avgPool3d },
  lp: { 1: lpPool1d, 2: lpPool2d, 3: lpPool3d },
};

test('the golden file holds enough cases of each kind', () => {
  const count = (op: string) => cases.filter((golden) => golden.op === op).length;
  assert.ok(count('max') >= 15 && count('avg') >= 15 && count('lp') >= 10, `max ${count('max')}, avg ${count('avg')}`);
});

for (const golden of cases) {
  test(`PyTorch golden: ${golden.name}`, () => {
    tidy(() => {
      const input = requireGrad(tensor(decode(golden.input), golden.inputShape));
      const result = OPS[golden.op][golden.dims](input, golden.options as never);
      const output = 'output' in result ? result.output : result;
      // Max pooling selects, so it is exact; sums round differently in float64 and PyTorch's float32.
      const exact = golden.op === 'max';
      const tolerance = exact ? { absolute: 0, relative: 0 } : { absolute: 1e-6, relative: 1e-5 };
      assertClose(output.values, decode(golden.output), { ...tolerance, label: 'output' });
      if (golden.indices !== undefined) {
        assert.ok('indices' in result, 'max pool must return indices');
        assert.deepEqual(Array.from(result.indices.intValues), golden.indices);
      }
      backward(output, tensor(decode(golden.gradOutput), output.shape));
      assertClose(input.grad!.values, decode(golden.gradInput), { absolute: 1e-6, relative: 1e-5, label: 'gradInput' });
    });
  });
}

test(`documented difference: ${lpDifferences[0]!.name}`, () => {
  const [golden] = lpDifferences;
  const output = lpPool2d(tensor(decode(golden!.input), golden!.inputShape), golden!.options as never).values;
  const scale = decode(golden!.scale!);
  assert.ok(
    scale.some((factor) => factor > 1),
    'the case must hold overhanging windows',
  );
  const scaled = output.map((value, index) => value * scale[index]!);
  assertClose(scaled, decode(golden!.pytorchOutput), { absolute: 1e-6, relative: 1e-5, label: 'scaled output' });
});

test(`documented difference: ${lpDifferences[1]!.name}`, () => {
  const golden = lpDifferences[1]!;
  const input = decode(golden.input);
  const output = lpPool2d(tensor(input, golden.inputShape), golden.options as never).values;
  const pytorch = decode(golden.pytorchOutput);
  // A 4x4 plane in 2x2 windows: poolkit sums |x|^3, PyTorch x^3.
  for (let window = 0; window < 4; window++) {
    const [row, column] = [2 * Math.floor(window / 2), 2 * (window % 2)];
    const cells = [0, 1, 4, 5].map((offset) => input[row * 4 + column + offset]!);
    const cubes = cells.reduce((sum, value) => sum + value ** 3, 0);
    assert.ok(
      Math.abs(output[window]! - Math.cbrt(cells.reduce((sum, value) => sum + Math.abs(value) ** 3, 0))) < 1e-5,
    );
    if (cubes < 0) assert.ok(Number.isNaN(pytorch[window]), `window ${window}: PyTorch gives NaN`);
    if (cells.every((value) => value >= 0)) assertClose([output[window]!], [pytorch[window]!], { label: 'window' });
  }
  assert.ok(pytorch.some(Number.isNaN), 'the case must show the NaN');
});
