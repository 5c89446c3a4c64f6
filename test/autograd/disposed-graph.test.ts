// backward() on a graph that holds a disposed tensor (the root, an intermediate, a leaf, a constant
// input, a saved tensor, a leaf's .grad) throws a PoolkitArgumentError naming the op whose input or
// saved tensor went, before any .grad changes; it never leaves .grad null in silence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  add,
  avgPool2d,
  backward,
  maxPool2d,
  multiply,
  PoolkitArgumentError,
  randomNormal,
  relu,
  requireGrad,
  sigmoid,
  softmax,
  sum,
  tanh,
  tensor,
  tidy,
  transpose,
  type Tensor,
} from '../../src/index.js';

/** Unary steps of a chain, each with the name its op records on the tape. */
const steps: Record<string, { op: string; apply: (input: Tensor) => Tensor }> = {
  relu: { op: 'relu', apply: relu },
  sigmoid: { op: 'sigmoid', apply: sigmoid },
  tanh: { op: 'tanh', apply: tanh },
  softmax: { op: 'softmax', apply: softmax },
  transpose: { op: 'transpose', apply: (input) => transpose(input, [0, 2, 1, 3]) },
  maxPool: { op: 'maxPool2d', apply: (input) => maxPool2d(input, { kernelSize: 1 }) },
  avgPool: { op: 'avgPool2d', apply: (input) => avgPool2d(input, { kernelSize: 1 }) },
};

/** Asserts that fn throws backward's PoolkitArgumentError on `argument` whose message matches `pattern`. */
function assertBackwardRefuses(fn: () => void, argument: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof PoolkitArgumentError, `not a PoolkitArgumentError: ${String(error)}`);
    assert.equal(error.op, 'backward');
    assert.equal(error.argument, argument);
    assert.match(error.message, pattern);
    return true;
  });
}

test('a disposed tensor anywhere in a random chain of ops: backward names the op that reads it', () => {
  const chain = fc.array(fc.constantFrom(...Object.keys(steps)), { minLength: 1, maxLength: 5 });
  const property = fc.property(chain, fc.nat(), (names, pick) => {
    tidy(() => {
      const x = requireGrad(randomNormal([1, 3, 3, 2], { seed: pick }));
      const values = [x];
      for (const name of names) values.push(steps[name]!.apply(values[values.length - 1]!));
      const loss = sum(values[values.length - 1]!);
      const disposedIndex = pick % values.length; // 0 is the leaf x itself
      values[disposedIndex]!.dispose();
      const reader = disposedIndex === names.length ? 'sum' : steps[names[disposedIndex]!]!.op;
      assertBackwardRefuses(() => backward(loss), 'root', new RegExp(`input 0 of '${reader}' was disposed`));
      assert.equal(x.grad, null, 'no gradient is written');
    });
  });
  fc.assert(property, { numRuns: 60, seed: 20261123 });
});

test('a disposed constant input, and a disposed saved tensor, are named with their op', () => {
  tidy(() => {
    const x = requireGrad(tensor([1, -2, 3]));
    const scale = tensor([2, 2, 2]);
    const loss = sum(multiply(x, scale));
    scale.dispose(); // does not need a gradient, but multiply's backward reads it
    assertBackwardRefuses(() => backward(loss), 'root', /input 1 of 'multiply' was disposed before backward/);
  });
  tidy(() => {
    const x = requireGrad(randomNormal([1, 4, 4, 1], { seed: 5 }));
    const pooled = maxPool2d(x, { kernelSize: 2 });
    pooled.gradNode!.saved[0]!.dispose(); // the argmax indices the backward scatters through
    assertBackwardRefuses(() => backward(sum(pooled)), 'root', /saved tensor 0 of 'maxPool2d' was disposed/);
    assert.equal(x.grad, null);
  });
});

test('a disposed root, and a root a tidy() disposed, are refused', () => {
  const x = requireGrad(tensor([1, -2, 3]));
  const loss = sum(relu(x));
  loss.dispose();
  assertBackwardRefuses(
    () => backward(loss),
    'root',
    /^backward: root must not be disposed \(by dispose\(\), or by a tidy/,
  );
  let inner: Tensor | null = null;
  tidy(() => {
    inner = sum(relu(x)); // not returned: disposed as the tidy ends
  });
  assertBackwardRefuses(() => backward(inner!), 'root', /root must not be disposed/);
  const root = sum(multiply(x, x));
  const seed = tensor(1);
  seed.dispose();
  assertBackwardRefuses(() => backward(root, seed), 'gradOutput', /gradOutput must not be disposed/);
  assert.equal(x.grad, null);
  assert.throws(() => backward(undefined as unknown as Tensor), /backward: root must be a Tensor/);
});

test('adding into a .grad a tidy() disposed is refused, before any .grad changes; null starts afresh', () => {
  const x = requireGrad(tensor([1, -2, 3]));
  const other = requireGrad(tensor([4, 5, 6]));
  other.grad = tensor([10, 10, 10]);
  tidy(() => backward(sum(relu(x)))); // x.grad is made inside the tidy, which then disposes it
  assert.ok(x.grad!.isDisposed);
  const loss = sum(add(x, other));
  assertBackwardRefuses(() => backward(loss), `the .grad of leaf ${x.toString()}`, /set \.grad = null to start/);
  assert.deepEqual(Array.from(other.grad.values), [10, 10, 10], 'the other leaf was not added to');
  x.grad = null;
  backward(loss);
  assert.deepEqual(Array.from(x.grad!.values), [1, 1, 1]);
  assert.deepEqual(Array.from(other.grad.values), [11, 11, 11]);
});
