// The wasm addForward (assembly/train/elementwise.ts: the tape's sum of a tensor's two gradients, as
// LIP's input gets from its logit convolution and its pooling) against the reference kernel, bit for
// bit: odd lengths that leave SIMD remainders, NaN, ±Infinity, subnormals, 1 to 3 threads.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { setThreadCount, threadsReady, wasmBackend } from '../../src/kernels/wasm/index.js';
import { setParallelThreshold } from '../../src/kernels/wasm/threads.js';
import { tidy } from '../../src/tensor/scope.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { generator, poisoned } from './harness.js';

after(async () => {
  setParallelThreshold();
  await setThreadCount(1);
});

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 2 ** -149, -(2 ** -140), 3.4028234e38, 1e-30];

/** `length` values: mostly plain, some special, some large enough that the sum overflows. */
function drawn(length: number, seed: number): Tensor {
  const random = generator(seed);
  const tensor = Tensor.allocate([length]);
  for (let index = 0; index < length; index++) {
    const pick = random();
    tensor.values[index] =
      pick < 0.1 ? SPECIALS[Math.floor(random() * SPECIALS.length)]! : (random() * 2 - 1) * 10 ** (random() * 8 - 4);
  }
  return tensor;
}

test('addForward on wasm: the reference bits, 1 to 3 threads, SIMD remainders and special values', async () => {
  const [fast, reference] = [wasmBackend?.kernels.addForward, referenceBackend.kernels.addForward];
  if (fast === undefined || reference === undefined || fast === reference) {
    assert.fail('the wasm backend has no addForward');
  }
  const [add, referenceAdd] = [fast, reference];
  setParallelThreshold(0);
  for (const threads of [1, 2, 3]) {
    await setThreadCount(threads);
    await threadsReady();
    for (const [index, length] of [0, 1, 3, 4, 5, 4095, 4097, 3 * 4096 + 7, 50001].entries()) {
      tidy(() => {
        const [left, right] = [drawn(length, 2 * index + 1), drawn(length, 2 * index + 2)];
        const expected = poisoned([length]);
        referenceAdd(left.values, right.values, expected.values);
        const actual = poisoned([length]);
        add(left.values, right.values, actual.values);
        assert.deepEqual(actual.values, expected.values, `length ${length}, ${threads} threads`);
      });
    }
  }
});
