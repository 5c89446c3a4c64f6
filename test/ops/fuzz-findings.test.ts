// What the registry fuzzer (test/fuzz/) found, one focused test each: errors that named another op,
// and disposed or missing tensors in options that failed with a plain Error instead of naming the option.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  fractionalMaxPool2d,
  globalAvgPool,
  globalMaxPool,
  maskedPool1d,
  PoolkitArgumentError,
  tensor,
  zeros,
  type Tensor,
} from '../../src/index.js';

/** Expects a PoolkitArgumentError from `op` naming `argument`. */
function refuses(make: () => unknown, op: string, argument: string): void {
  assert.throws(make, (error: unknown) => {
    assert.ok(error instanceof PoolkitArgumentError, `a PoolkitArgumentError, got ${String(error)}`);
    assert.deepEqual([error.op, error.argument], [op, argument], error.message);
    return true;
  });
}

const disposed = (values: number[]): Tensor => {
  const made = tensor(values);
  made.dispose();
  return made;
};

test("global max and average pooling's mask errors name the global op, not maskedPool1d", () => {
  const steps = zeros([2, 4, 3]);
  refuses(() => globalMaxPool(steps, { mask: zeros([1]) }), 'globalMaxPool', 'mask');
  refuses(() => globalAvgPool(steps, { mask: zeros([2, 5]) }), 'globalAvgPool', 'mask');
  refuses(() => globalMaxPool(steps, { mask: disposed([1, 0]) }), 'globalMaxPool', 'mask');
  steps.dispose();
});

test('fractional max pooling refuses disposed samples, naming samples', () => {
  const image = zeros([1, 5, 5, 1]);
  refuses(
    () => fractionalMaxPool2d(image, { outputSize: 2, samples: disposed([0.5, 0.5]) }),
    'fractionalMaxPool2d',
    'samples',
  );
  image.dispose();
});

test('masked pooling refuses disposed, null and non-list lengths, naming lengths', () => {
  const steps = zeros([2, 4, 3]);
  for (const lengths of [disposed([1, 2]), null, 5, 'ab', { length: 2 }]) {
    refuses(() => maskedPool1d(steps, { lengths: lengths as never }), 'maskedPool1d', 'lengths');
  }
  steps.dispose();
});
