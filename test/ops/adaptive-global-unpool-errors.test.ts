// Every bad-input rule of adaptive pooling, global pooling and max unpooling throws a
// PoolkitArgumentError that names the op and the argument; none writes a wrong answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adaptiveAvgPool2d,
  adaptiveMaxPool1d,
  adaptiveMaxPool3d,
  globalAvgPool,
  globalLpPool,
  globalMaxPool,
  maxUnpool1d,
  maxUnpool2d,
  PoolkitArgumentError,
  tensor,
  zeros,
  type Tensor,
} from '../../src/index.js';

function throwsNaming(call: () => unknown, op: string, argument: string): void {
  assert.throws(call, (error: unknown) => {
    assert.ok(error instanceof PoolkitArgumentError, `expected a PoolkitArgumentError, got ${String(error)}`);
    assert.equal(error.op, op);
    assert.equal(error.argument, argument);
    assert.ok(error.message.startsWith(`${op}: ${argument} `), error.message);
    return true;
  });
}

const nhwc = zeros([1, 4, 4, 2]);
const disposed = zeros([1, 4, 4, 2]);
disposed.dispose();

test('adaptive pooling rejects bad input tensors', () => {
  throwsNaming(() => adaptiveAvgPool2d([1, 2] as unknown as Tensor, { outputSize: 2 }), 'adaptiveAvgPool2d', 'input');
  throwsNaming(() => adaptiveAvgPool2d(disposed, { outputSize: 2 }), 'adaptiveAvgPool2d', 'input');
  throwsNaming(() => adaptiveAvgPool2d(zeros([1, 4, 4, 2], 'int32'), { outputSize: 2 }), 'adaptiveAvgPool2d', 'input');
  throwsNaming(() => adaptiveAvgPool2d(zeros([4, 4, 2]), { outputSize: 2 }), 'adaptiveAvgPool2d', 'input');
  throwsNaming(() => adaptiveMaxPool1d(zeros([1, 0, 2]), { outputSize: 2 }), 'adaptiveMaxPool1d', 'input');
});

test('adaptive pooling rejects bad options', () => {
  const op = 'adaptiveMaxPool3d';
  const input = zeros([1, 3, 3, 3, 1]);
  throwsNaming(() => adaptiveMaxPool3d(input, undefined as never), op, 'options');
  throwsNaming(() => adaptiveMaxPool3d(input, {} as never), op, 'outputSize');
  for (const outputSize of [0, -1, 1.5, NaN, [2, 2], [2, 2, 2, 2], [2, 0, 2], [2, '2', 2]]) {
    throwsNaming(() => adaptiveMaxPool3d(input, { outputSize: outputSize as never }), op, 'outputSize');
  }
  throwsNaming(() => adaptiveMaxPool3d(input, { outputSize: 1, dataFormat: 'NHWC' as never }), op, 'dataFormat');
  throwsNaming(() => adaptiveMaxPool3d(input, { outputSize: 1, returnIndices: 1 as never }), op, 'returnIndices');
});

test('global pooling rejects bad input, keepDims, dataFormat and p', () => {
  for (const shape of [
    [2, 3],
    [1, 2, 2, 2, 2, 2],
  ]) {
    throwsNaming(() => globalMaxPool(zeros(shape)), 'globalMaxPool', 'input');
  }
  throwsNaming(() => globalAvgPool(zeros([1, 2, 0, 2])), 'globalAvgPool', 'input');
  throwsNaming(() => globalAvgPool(disposed), 'globalAvgPool', 'input');
  throwsNaming(() => globalAvgPool(nhwc, 'channelsFirst' as never), 'globalAvgPool', 'options');
  throwsNaming(() => globalAvgPool(nhwc, { keepDims: 'yes' as never }), 'globalAvgPool', 'keepDims');
  throwsNaming(() => globalMaxPool(nhwc, { dataFormat: 'NCHW' as never }), 'globalMaxPool', 'dataFormat');
  for (const p of [0.5, 0, -2, NaN, Infinity, '2']) {
    throwsNaming(() => globalLpPool(nhwc, { p: p as never }), 'globalLpPool', 'p');
  }
});

test('max unpool rejects bad input and indices tensors', () => {
  const op = 'maxUnpool2d';
  const indices = tensor([0, 1, 2, 3], [1, 2, 2, 1], 'int32');
  const input = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
  throwsNaming(() => maxUnpool2d(input, input, { kernelSize: 2 }), op, 'indices');
  throwsNaming(() => maxUnpool2d(input, tensor([0, 1], [1, 1, 2, 1], 'int32'), { kernelSize: 2 }), op, 'indices');
  throwsNaming(() => maxUnpool2d(input, {} as Tensor, { kernelSize: 2 }), op, 'indices');
  throwsNaming(() => maxUnpool2d(indices, indices, { kernelSize: 2 }), op, 'input');
  throwsNaming(
    () => maxUnpool2d(tensor([1, 2], [1, 2, 1]), tensor([0, 1], [1, 2, 1], 'int32'), { kernelSize: 2 }),
    op,
    'input',
  );
  throwsNaming(() => maxUnpool2d(input, indices, undefined as never), op, 'options');
});

test('max unpool rejects indices outside the output plane, before writing anything', () => {
  const input = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
  for (const bad of [16, 100, -1, 2 ** 31 - 1]) {
    const indices = tensor([0, 5, bad, 15], [1, 2, 2, 1], 'int32');
    throwsNaming(() => maxUnpool2d(input, indices, { kernelSize: 2 }), 'maxUnpool2d', 'indices');
  }
  // 16 fits a 5x5 output, so the same indices pass once outputSize makes the plane larger.
  const indices = tensor([0, 5, 16, 15], [1, 2, 2, 1], 'int32');
  assert.equal(maxUnpool2d(input, indices, { kernelSize: 2, outputSize: [5, 5] }).values[16], 3);
});

test('max unpool rejects bad kernelSize, stride, padding and outputSize', () => {
  const op = 'maxUnpool1d';
  const input = tensor([1, 2, 3], [1, 3, 1]);
  const indices = tensor([0, 2, 4], [1, 3, 1], 'int32');
  throwsNaming(() => maxUnpool1d(input, indices, {} as never), op, 'kernelSize');
  throwsNaming(() => maxUnpool1d(input, indices, { kernelSize: 0 }), op, 'kernelSize');
  throwsNaming(() => maxUnpool1d(input, indices, { kernelSize: [2, 2] }), op, 'kernelSize');
  throwsNaming(() => maxUnpool1d(input, indices, { kernelSize: 2, stride: 0 }), op, 'stride');
  throwsNaming(() => maxUnpool1d(input, indices, { kernelSize: 2, padding: -1 }), op, 'padding');
  throwsNaming(() => maxUnpool1d(input, indices, { kernelSize: 2, padding: 1.5 }), op, 'padding');
  // Default (3 - 1)·1 - 2·2 + 2 = 0 cells: no output to unpool into.
  throwsNaming(() => maxUnpool1d(input, indices, { kernelSize: 2, stride: 1, padding: 2 }), op, 'padding');
  // Default 6, stride 2: PyTorch accepts 5, 6 and 7 only.
  for (const outputSize of [4, 8, 0, 5.5, [6, 6], 'six']) {
    throwsNaming(
      () => maxUnpool1d(input, indices, { kernelSize: 2, outputSize: outputSize as never }),
      op,
      'outputSize',
    );
  }
  for (const outputSize of [5, 6, 7]) {
    assert.deepEqual(maxUnpool1d(input, indices, { kernelSize: 2, outputSize }).shape, [1, outputSize, 1]);
  }
  throwsNaming(() => maxUnpool1d(input, indices, { kernelSize: 2, dataFormat: 'NWC' as never }), op, 'dataFormat');
});
