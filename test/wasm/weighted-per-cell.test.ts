// lanes.ts's perCell (assembly/kinds/weighted/: a window's sum over its n cells) through the kinds module's math
// probe, bit for bit against the division it replaces where n is a power of two: every float32 exponent,
// subnormals, NaN and ±Infinity, n a power of two (a product by the exact 1/n) and not (the division).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kindsKernelModule } from '../../src/kernels/wasm/kinds/index.js';
import { mathLanes, type MathMode } from '../../src/kernels/wasm/kinds/weighted.js';
import { tidy } from '../../src/tensor/scope.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { generator, poisoned } from './harness.js';

function kinds(): NonNullable<typeof kindsKernelModule> {
  assert.ok(kindsKernelModule !== null, 'the kinds module did not load');
  return kindsKernelModule;
}

test("perCell (a window sum over its n cells): the division's bits for n a power of two and not, subnormals and specials included", () => {
  const random = generator(23);
  const values: number[] = [
    NaN,
    Infinity,
    -Infinity,
    0,
    -0,
    2 ** -149,
    -(2 ** -149),
    3 * 2 ** -149,
    3.4028234e38,
    -3.4028234e38,
  ];
  for (let exponent = -149; exponent <= 127; exponent++) {
    for (let draw = 0; draw < 200; draw++) values.push((random() < 0.5 ? -1 : 1) * (1 + random()) * 2 ** exponent);
  }
  const input = Float32Array.from(values);
  for (const cells of [1, 4, 6, 8, 16]) {
    tidy(() => {
      const length = Math.ceil(input.length / 4) * 4;
      const lanes = Tensor.allocate([length]);
      lanes.values.set(input);
      const output = poisoned([length]);
      mathLanes(kinds(), `perCell${cells}` as MathMode, lanes.values, output.values);
      for (let index = 0; index < input.length; index++) {
        const want = Math.fround(input[index]! / cells);
        const got = output.values[index]!;
        assert.ok(
          Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)),
          `${input[index]}/${cells}: ${got} != ${want}`,
        );
      }
    });
  }
});
