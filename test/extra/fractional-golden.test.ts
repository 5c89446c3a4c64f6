// fractionalMaxPool2d/3d against PyTorch 1.13's fractional_max_pool2d/3d given the same samples:
// output, indices and input gradient (test/golden/fractional/generate.py wrote the cases).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  backward,
  fractionalMaxPool2d,
  fractionalMaxPool3d,
  requireGrad,
  tensor,
  type FractionalMaxPoolOptions,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

interface GoldenCase {
  name: string;
  inputShape: number[];
  kernelSize: number[];
  outputSize: number[] | null;
  outputRatio: number[] | null;
  input: (number | null)[];
  samples: number[];
  outputShape: number[];
  output: (number | null)[];
  indices: number[];
  gradWeights: number[];
  gradInput: (number | null)[];
}

const golden = JSON.parse(readFileSync(new URL('../golden/fractional/cases.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
};
const numbers = (values: (number | null)[]): number[] => values.map((value) => (value === null ? NaN : value));

for (const item of golden.cases) {
  test(`fractional max pool equals PyTorch: ${item.name}`, () => {
    const pool = item.inputShape.length === 4 ? fractionalMaxPool2d : fractionalMaxPool3d;
    const input = requireGrad(tensor(numbers(item.input), item.inputShape));
    const options: FractionalMaxPoolOptions = {
      kernelSize: item.kernelSize,
      samples: item.samples,
      dataFormat: 'channelsFirst',
      ...(item.outputSize !== null ? { outputSize: item.outputSize } : { outputRatio: item.outputRatio! }),
    };
    const { output, indices } = pool(input, { ...options, returnIndices: true });
    assert.deepEqual(output.shape, item.outputShape);
    assertClose(output.values, numbers(item.output), { absolute: 0, relative: 0, label: 'output' });
    assert.deepEqual(Array.from(indices.intValues), item.indices);
    backward(output, tensor(item.gradWeights, item.outputShape));
    assertClose(input.grad!.values, numbers(item.gradInput), { absolute: 1e-6, label: 'gradInput' });
  });
}

test('fractional max pool channelsLast equals channelsFirst transposed (golden case 0)', () => {
  const item = golden.cases[0]!;
  const [batch, channels, height, width] = item.inputShape as [number, number, number, number];
  const nhwc = new Float32Array(item.input.length);
  for (let index = 0; index < nhwc.length; index++) {
    const column = index % width;
    const row = Math.floor(index / width) % height;
    const channel = Math.floor(index / (width * height)) % channels;
    const sample = Math.floor(index / (width * height * channels));
    nhwc[((sample * height + row) * width + column) * channels + channel] = item.input[index]!;
  }
  const output = fractionalMaxPool2d(tensor(nhwc, [batch, height, width, channels]), {
    kernelSize: item.kernelSize,
    outputSize: item.outputSize!,
    samples: item.samples,
  });
  const [, , outHeight, outWidth] = item.outputShape as [number, number, number, number];
  const expected = numbers(item.output);
  for (let index = 0; index < expected.length; index++) {
    const column = index % outWidth;
    const row = Math.floor(index / outWidth) % outHeight;
    const channel = Math.floor(index / (outWidth * outHeight)) % channels;
    const sample = Math.floor(index / (outWidth * outHeight * channels));
    assert.equal(output.values[((sample * outHeight + row) * outWidth + column) * channels + channel], expected[index]);
  }
});
