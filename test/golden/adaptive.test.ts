// Adaptive pooling, global pooling and max unpooling against PyTorch 1.13: forward values, indices and
// input gradients for a random upstream gradient, from golden/adaptive/cases.json (made by
// golden/adaptive/generate.py), in both data formats.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
  backward,
  globalAvgPool,
  globalLpPool,
  globalMaxPool,
  maxUnpool1d,
  maxUnpool2d,
  maxUnpool3d,
  requireGrad,
  tensor,
  tidy,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

type Encoded = (number | string)[];

interface GoldenCase {
  name: string;
  op: string;
  options: Record<string, unknown>;
  inputShape: number[];
  input: Encoded;
  indices?: number[];
  outputShape: number[];
  output: Encoded;
  outputIndices?: number[];
  gradOutput: Encoded;
  gradInput: Encoded;
}

type Run = (input: Tensor, indices: Tensor | null, options: never) => Tensor | { output: Tensor; indices: Tensor };

const OPS: Record<string, Run> = {
  adaptiveMaxPool1d: (input, _indices, options) => adaptiveMaxPool1d(input, options),
  adaptiveMaxPool2d: (input, _indices, options) => adaptiveMaxPool2d(input, options),
  adaptiveMaxPool3d: (input, _indices, options) => adaptiveMaxPool3d(input, options),
  adaptiveAvgPool1d: (input, _indices, options) => adaptiveAvgPool1d(input, options),
  adaptiveAvgPool2d: (input, _indices, options) => adaptiveAvgPool2d(input, options),
  adaptiveAvgPool3d: (input, _indices, options) => adaptiveAvgPool3d(input, options),
  globalMaxPool: (input, _indices, options) => globalMaxPool(input, options),
  globalAvgPool: (input, _indices, options) => globalAvgPool(input, options),
  globalLpPool: (input, _indices, options) => globalLpPool(input, options),
  maxUnpool1d: (input, indices, options) => maxUnpool1d(input, indices!, options),
  maxUnpool2d: (input, indices, options) => maxUnpool2d(input, indices!, options),
  maxUnpool3d: (input, indices, options) => maxUnpool3d(input, indices!, options),
};

function decode(values: Encoded): Float32Array {
  return Float32Array.from(values, (value) => (typeof value === 'number' ? value : Number(value)));
}

const golden = JSON.parse(readFileSync(new URL('./adaptive/cases.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
};

test('the golden file holds every kind of case', () => {
  const ops = new Set(golden.cases.map((item) => item.op));
  assert.equal(ops.size, Object.keys(OPS).length);
  assert.ok(golden.cases.length >= 100);
});

for (const item of golden.cases) {
  test(`PyTorch golden: ${item.name}`, () => {
    tidy(() => {
      const input = requireGrad(tensor(decode(item.input), item.inputShape));
      const indices = item.indices === undefined ? null : tensor(item.indices, item.inputShape, 'int32');
      const result = OPS[item.op]!(input, indices, item.options as never);
      const output = 'output' in result ? result.output : result;
      assert.deepEqual(output.shape, item.outputShape);
      // Max and unpool move values, so they must be exact; averages and norms round differently.
      const exact = item.op.includes('Max') || item.op.includes('Unpool');
      assertClose(output.values, decode(item.output), { absolute: exact ? 0 : 1e-6, relative: exact ? 0 : 1e-5 });
      if (item.outputIndices !== undefined) {
        assert.ok('indices' in result, 'indices were asked for');
        assert.deepEqual(Array.from(result.indices.intValues), item.outputIndices);
      }
      backward(output, tensor(decode(item.gradOutput), item.outputShape));
      assertClose(input.grad!.values, decode(item.gradInput), { absolute: 1e-6, relative: 1e-5, label: 'gradInput' });
    });
  });
}
