// Mixed and gated pooling: hand-worked outputs, gradients to input and to the learnable parameters
// (per layer and per channel), and parameter-shape errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatedPool2d, mixedPool2d, PoolkitArgumentError, tensor, zeros } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { gradcheck, spacedValues } from '../helpers/gradcheck.js';

const window = () => tensor([1, 2, 3, 4], [1, 2, 2, 1]);

test('mixed pooling: a·max + (1 − a)·mean on a hand-worked window', () => {
  // max 4, mean 2.5: a = 0.25 → 1 + 1.875 = 2.875; a = 1 → max; a = 0 → mean
  assertClose(mixedPool2d(window(), tensor([0.25]), { kernelSize: 2 }).values, [2.875]);
  assertClose(mixedPool2d(window(), tensor([1]), { kernelSize: 2 }).values, [4]);
  assertClose(mixedPool2d(window(), tensor([0]), { kernelSize: 2 }).values, [2.5]);
});

test('mixed pooling with one a per channel uses each channel its own a', () => {
  const input = tensor([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]); // channel 0: 1..4, channel 1: 10..40
  assertClose(mixedPool2d(input, tensor([1, 0]), { kernelSize: 2 }).values, [4, 25]);
  const nchw = tensor([1, 2, 3, 4, 10, 20, 30, 40], [1, 2, 2, 2]);
  assertClose(mixedPool2d(nchw, tensor([1, 0]), { kernelSize: 2, dataFormat: 'channelsFirst' }).values, [4, 25]);
});

test('mixed pooling gradients to input and a (per layer and per channel) match finite differences', () => {
  const input = tensor(spacedValues(2 * 5 * 5 * 3, 4), [2, 5, 5, 3]);
  gradcheck((x, a) => mixedPool2d(x, a!, { kernelSize: 3, stride: 2, padding: 1 }), [input, tensor([0.3])]);
  gradcheck((x, a) => mixedPool2d(x, a!, { kernelSize: 2 }), [input, tensor([0.2, 0.5, 0.9])]);
});

test('gated pooling: w = 0 gives s = 1/2; a large gate input picks max, a very negative one the mean', () => {
  assertClose(gatedPool2d(window(), zeros([4]), { kernelSize: 2 }).values, [3.25]);
  assertClose(gatedPool2d(window(), tensor([10, 10, 10, 10]), { kernelSize: 2 }).values, [4], { absolute: 1e-5 });
  assertClose(gatedPool2d(window(), tensor([-10, -10, -10, -10]), { kernelSize: 2 }).values, [2.5], { absolute: 1e-5 });
  // w = [1, 0, 0, -1]: wᵀx = 1 − 4 = −3, s = sigmoid(−3)
  const gate = 1 / (1 + Math.exp(3));
  assertClose(gatedPool2d(window(), tensor([1, 0, 0, -1]), { kernelSize: 2 }).values, [gate * 4 + (1 - gate) * 2.5]);
});

test('gated pooling gradients to input and w (shared and per channel, with padding) match finite differences', () => {
  const input = tensor(spacedValues(2 * 5 * 5 * 3, 5), [2, 5, 5, 3]);
  const shared = tensor(
    Float32Array.from({ length: 9 }, (_, index) => (index - 4) / 5),
    [9],
  );
  gradcheck((x, w) => gatedPool2d(x, w!, { kernelSize: 3, stride: 2, padding: 1 }), [input, shared]);
  const perChannel = tensor(
    Float32Array.from({ length: 12 }, (_, index) => ((index % 5) - 2) / 3),
    [3, 4],
  );
  gradcheck(
    (x, w) => gatedPool2d(x, w!, { kernelSize: 2, dataFormat: 'channelsFirst' }),
    [tensor(spacedValues(2 * 3 * 4 * 4, 6), [2, 3, 4, 4]), perChannel],
  );
});

test('parameter shapes are checked and named', () => {
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
    argument(() => mixedPool2d(window(), tensor([0.5, 0.5]), { kernelSize: 2 })),
    'alpha',
  );
  assert.equal(
    argument(() => mixedPool2d(window(), 0.5 as never, { kernelSize: 2 })),
    'alpha',
  );
  assert.equal(
    argument(() => gatedPool2d(window(), zeros([9]), { kernelSize: 2 })),
    'gateWeights',
  );
  assert.equal(
    argument(() => gatedPool2d(window(), zeros([4]), { kernelSize: 0 })),
    'kernelSize',
  );
});
