// LSTM pooling: equal to a hand-written Keras LSTM run over each window, seeded initialisation,
// and back-propagation through time checked by finite differences for the input and every weight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backward,
  initLstmPoolWeights,
  lstmPool2d,
  lstmPool2dReference,
  PoolkitArgumentError,
  requireGrad,
  tensor,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { gradcheck, spacedValues } from '../helpers/gradcheck.js';

const sigmoid = (value: number): number => 1 / (1 + Math.exp(-value));

/** A direct LSTM over a sequence of vectors, Keras's formulas, gate order i, f, c, o. */
function directLstm(sequence: number[][], kernel: Float32Array, recurrent: Float32Array, bias: Float32Array): number[] {
  const hidden = bias.length / 4;
  let h = Array<number>(hidden).fill(0);
  let c = Array<number>(hidden).fill(0);
  for (const x of sequence) {
    const z = Array.from(bias, (value, column) => {
      let total = value;
      x.forEach((item, row) => (total += item * kernel[row * 4 * hidden + column]!));
      h.forEach((item, row) => (total += item * recurrent[row * 4 * hidden + column]!));
      return total;
    });
    const gate = (block: number, unit: number) => z[block * hidden + unit]!;
    c = c.map((cell, unit) => sigmoid(gate(1, unit)) * cell + sigmoid(gate(0, unit)) * Math.tanh(gate(2, unit)));
    h = c.map((cell, unit) => sigmoid(gate(3, unit)) * Math.tanh(cell));
  }
  return h;
}

test('each window equals a hand-written LSTM over its cells in row-major order', () => {
  // [1, 3, 4, 2] input (channelsLast), 2 channels, 2x2 windows stride 2 → 2 windows of 4 steps
  const values = Array.from({ length: 3 * 4 * 2 }, (_, index) => Math.sin(index + 1));
  const input = tensor(values, [1, 3, 4, 2]);
  const weights = initLstmPoolWeights(2, 3, 42);
  const output = lstmPool2d(input, weights, { kernelSize: 2 });
  assert.deepEqual(output.shape, [1, 1, 2, 3]);
  const cell = (row: number, column: number) => [values[(row * 4 + column) * 2]!, values[(row * 4 + column) * 2 + 1]!];
  const expected = [
    ...directLstm(
      [cell(0, 0), cell(0, 1), cell(1, 0), cell(1, 1)],
      weights.kernel.values,
      weights.recurrentKernel.values,
      weights.bias.values,
    ),
    ...directLstm(
      [cell(0, 2), cell(0, 3), cell(1, 2), cell(1, 3)],
      weights.kernel.values,
      weights.recurrentKernel.values,
      weights.bias.values,
    ),
  ];
  assertClose(output.values, expected, { absolute: 1e-6 });
});

test('padding shortens border sequences to their in-bounds cells; channelsFirst gives the same numbers', () => {
  const values = Array.from({ length: 2 * 2 * 1 }, (_, index) => index - 1.5);
  const weights = initLstmPoolWeights(1, 2, 5);
  const output = lstmPool2d(tensor(values, [1, 2, 2, 1]), weights, { kernelSize: 2, stride: 1, padding: 1 });
  assert.deepEqual(output.shape, [1, 3, 3, 2]);
  const corner = directLstm([[values[0]!]], weights.kernel.values, weights.recurrentKernel.values, weights.bias.values);
  assertClose(output.values.slice(0, 2), corner, { absolute: 1e-6 });
  const nchw = lstmPool2d(tensor(values, [1, 1, 2, 2]), weights, {
    kernelSize: 2,
    stride: 1,
    padding: 1,
    dataFormat: 'channelsFirst',
  });
  assertClose([nchw.values[0]!, nchw.values[9]!], corner, { absolute: 1e-6 });
});

test('initialisation is seeded: Keras shapes, forget bias 1, orthonormal recurrent rows', () => {
  const first = initLstmPoolWeights(3, 4, 1);
  assert.deepEqual([first.kernel.shape, first.recurrentKernel.shape, first.bias.shape], [[3, 16], [4, 16], [16]]);
  assert.deepEqual(Array.from(first.kernel.values), Array.from(initLstmPoolWeights(3, 4, 1).kernel.values));
  assert.notDeepEqual(Array.from(first.kernel.values), Array.from(initLstmPoolWeights(3, 4, 2).kernel.values));
  assert.deepEqual(Array.from(first.bias.values), [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const rows = first.recurrentKernel.values;
  for (let row = 0; row < 4; row++) {
    for (let other = 0; other < 4; other++) {
      let dot = 0;
      for (let column = 0; column < 16; column++) dot += rows[row * 16 + column]! * rows[other * 16 + column]!;
      assert.ok(Math.abs(dot - (row === other ? 1 : 0)) < 1e-5);
    }
  }
});

test('gradients to the input, W, U and b match finite differences (overlapping windows, padding)', () => {
  const input = tensor(spacedValues(2 * 3 * 3 * 2, 3, 0.2), [2, 3, 3, 2]);
  const weights = initLstmPoolWeights(2, 3, 8);
  const pool = (x: Tensor, kernel?: Tensor, recurrentKernel?: Tensor, bias?: Tensor) =>
    lstmPool2d(
      x,
      { kernel: kernel!, recurrentKernel: recurrentKernel!, bias: bias! },
      { kernelSize: 2, stride: 1, padding: 1 },
    );
  gradcheck(pool, [input, weights.kernel, weights.recurrentKernel, weights.bias], { epsilon: 1e-2 });
});

test('weight shapes are checked and named', () => {
  const input = tensor(new Float32Array(8), [1, 2, 2, 2]);
  const weights = initLstmPoolWeights(2, 3, 1);
  const argument = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof PoolkitArgumentError);
      return error.argument;
    }
    return 'no error';
  };
  assert.equal(
    argument(() => lstmPool2d(input, { ...weights, kernel: initLstmPoolWeights(3, 3, 1).kernel }, { kernelSize: 2 })),
    'weights.kernel',
  );
  assert.equal(
    argument(() => lstmPool2d(input, { ...weights, recurrentKernel: tensor([1], [1]) }, { kernelSize: 2 })),
    'weights.recurrentKernel',
  );
  assert.equal(
    argument(() => lstmPool2d(input, { ...weights, bias: tensor([1, 2, 3]) }, { kernelSize: 2 })),
    'weights.bias',
  );
  assert.equal(
    argument(() => lstmPool2d(input, null as never, { kernelSize: 2 })),
    'weights',
  );
  assert.equal(
    argument(() => initLstmPoolWeights(2, 0, 1)),
    'hidden',
  );
});

test('the step-by-step path (matmul kernel) equals the per-window reference kernels, values and gradients', () => {
  for (const [shape, options, dataFormat] of [
    [[2, 5, 4, 3], { kernelSize: 2, stride: 1, padding: 1 }, 'channelsLast'],
    [[1, 3, 5, 5], { kernelSize: [2, 3], stride: 2 }, 'channelsFirst'],
  ] as const) {
    const channels = dataFormat === 'channelsLast' ? shape[3] : shape[1];
    const values = Float32Array.from(spacedValues(shape[0] * shape[1] * shape[2] * shape[3], 4, 0.1));
    const results = [lstmPool2d, lstmPool2dReference].map((pool) => {
      const weights = initLstmPoolWeights(channels, 3, 6);
      const parameters = [weights.kernel, weights.recurrentKernel, weights.bias].map((parameter) =>
        requireGrad(parameter),
      );
      const input = requireGrad(tensor(values, [...shape]));
      const output = pool(input, weights, { ...options, dataFormat });
      backward(output, tensor(Float32Array.from(spacedValues(output.size, 5)), output.shape));
      return [output, input, ...parameters].map((item, index) =>
        index === 0 ? item.toFloat32Array() : item.grad!.toFloat32Array(),
      );
    });
    results[0]!.forEach((values, index) =>
      assertClose(values, results[1]![index]!, { absolute: 1e-5, label: `result ${index}` }),
    );
  }
});
