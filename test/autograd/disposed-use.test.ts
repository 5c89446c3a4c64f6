// A disposed tensor used any other way: its views and copies, requireGrad, an optimizer's step on a
// disposed parameter or gradient (refused before any parameter moves), and every op given one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adam,
  avgPool2d,
  conv2d,
  dense,
  maxPool2d,
  multiply,
  PoolkitArgumentError,
  relu,
  requireGrad,
  sgd,
  sum,
  Tensor,
  tensor,
  zeros,
} from '../../src/index.js';

function disposedTensor(shape: number[] = [2, 3]): Tensor {
  const disposed = zeros(shape);
  disposed.dispose();
  return disposed;
}

test("a disposed tensor's views, copies, reshape and clone throw an error saying it was disposed", () => {
  const disposed = disposedTensor();
  const uses: [string, () => unknown][] = [
    ['values', () => disposed.values],
    ['toFloat32Array', () => disposed.toFloat32Array()],
    ['toArray', () => disposed.toArray()],
    ['reshape', () => disposed.reshape([3, 2])],
    ['clone', () => disposed.clone()],
    ['byteOffset', () => disposed.byteOffset],
  ];
  for (const [name, use] of uses) {
    assert.throws(
      use,
      /^Error: Tensor float32 \[2, 3\] was used after being disposed \(by dispose\(\), or by a tidy/,
      name,
    );
  }
  const indices = Tensor.allocate([2], 'int32');
  indices.dispose();
  assert.throws(() => indices.intValues, /^Error: Tensor int32 \[2\] was used after being disposed/);
  assert.throws(() => requireGrad(disposed), /^PoolkitArgumentError: requireGrad: tensor must not be disposed/);
});

test('every op given a disposed tensor names itself and the argument', () => {
  const live = zeros([1, 4, 4, 2]);
  const uses: [string, string, () => unknown][] = [
    ['relu', 'input', () => relu(disposedTensor())],
    ['sum', 'input', () => sum(disposedTensor())],
    ['maxPool2d', 'input', () => maxPool2d(disposedTensor([1, 4, 4, 2]), { kernelSize: 2 })],
    ['avgPool2d', 'input', () => avgPool2d(disposedTensor([1, 4, 4, 2]), { kernelSize: 2 })],
    ['multiply', 'b', () => multiply(live, disposedTensor([1, 4, 4, 2]))],
    ['conv2d', 'filter', () => conv2d(live, disposedTensor([3, 3, 2, 4]))],
    ['dense', 'kernel', () => dense(zeros([2, 3]), disposedTensor([3, 4]))],
  ];
  for (const [op, argument, use] of uses) {
    assert.throws(use, (error: unknown) => {
      assert.ok(error instanceof PoolkitArgumentError, `${op}: ${String(error)}`);
      assert.equal(error.op, op);
      assert.match(error.argument, new RegExp(argument));
      assert.match(error.message, /must not be disposed/);
      return true;
    });
  }
});

for (const [name, make] of [
  ['SGD', () => sgd({ learningRate: 0.5 })],
  ['Adam', () => adam()],
] as const) {
  test(`${name}: a step given a disposed parameter or gradient throws before any parameter moves`, () => {
    const optimizer = make();
    const first = tensor([1, 2, 3]);
    first.grad = tensor([1, 1, 1]);
    const second = tensor([4, 5]);
    second.grad = tensor([1, 1]);
    const parameters = [
      { name: 'dense/kernel', tensor: first },
      { name: 'dense/bias', tensor: second },
    ];
    second.dispose();
    assert.throws(
      () => optimizer.applyGradients(parameters),
      new RegExp(`^PoolkitArgumentError: ${name}: parameter 'dense/bias' must not be disposed`),
    );
    assert.deepEqual(Array.from(first.values), [1, 2, 3], 'no half step');
    assert.equal(optimizer.iterations, 0);
    const third = tensor([7]);
    third.grad = tensor([1]);
    third.grad.dispose();
    assert.throws(
      () => optimizer.applyGradients([parameters[0]!, { name: 'extra', tensor: third }]),
      new RegExp(`^PoolkitArgumentError: ${name}: the gradient of 'extra' must not be disposed`),
    );
    assert.deepEqual(Array.from(first.values), [1, 2, 3]);
    optimizer.applyGradients([parameters[0]!]);
    assert.ok(first.values[0]! < 1, 'a live step still runs');
  });
}
