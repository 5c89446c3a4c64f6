// Heap addresses past 2 GiB: the kernels' argument blocks hold addresses in int32 words, which read
// negative there; anything read back from a block must be read unsigned. GeM's and LSE's backward read
// their parameter terms' address back (a [32,112,112,64] benchmark crashed with a RangeError there).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backward,
  getBackend,
  gemPool2d,
  globalGemPool,
  lsePool2d,
  Random,
  requireGrad,
  sum,
  Tensor,
  tensor,
  tidy,
} from '../../src/index.js';

type Pool = (x: Tensor, parameter: Tensor) => Tensor;

const pools: Record<string, Pool> = {
  gem: (x, p) => gemPool2d(x, p, { kernelSize: 2 }),
  globalGem: (x, p) => globalGemPool(x, p),
  lse: (x, r) => lsePool2d(x, r, { kernelSize: 2 }),
};

/** Output, input gradient and parameter gradient of `pool` on a fixed random input, as arrays. */
function gradients(pool: Pool): number[][] {
  return tidy(() => {
    const random = new Random(7);
    const x = requireGrad(
      tensor(
        Array.from({ length: 2 * 6 * 6 * 4 }, () => 0.1 + 1.9 * random.uniform()),
        [2, 6, 6, 4],
      ),
    );
    const parameter = requireGrad(tensor([2.5]));
    const y = pool(x, parameter);
    backward(sum(y));
    return [Array.from(y.values), Array.from(x.grad!.values), Array.from(parameter.grad!.values)];
  });
}

test('GeM, global GeM and LSE give the same numbers with their tensors past 2 GiB of heap', () => {
  assert.equal(getBackend(), 'wasm');
  const low = Object.fromEntries(Object.entries(pools).map(([name, pool]) => [name, gradients(pool)]));
  // 2.25 GiB of filler, then every hole left below 2^31 filled, size by size: whatever the kernels
  // allocate next (tensors, scratch, parameter terms) lies above 2^31.
  const fillers = [Tensor.allocate([576 * 2 ** 20])];
  assert.ok(fillers[0]!.values.byteOffset + fillers[0]!.values.byteLength > 2 ** 31);
  for (let floats = 2 ** 20; floats >= 4; floats /= 2) {
    for (;;) {
      const filler = Tensor.allocate([floats]);
      fillers.push(filler);
      if (filler.values.byteOffset >= 2 ** 31) break;
    }
  }
  try {
    for (const [name, pool] of Object.entries(pools)) assert.deepEqual(gradients(pool), low[name], name);
  } finally {
    for (const filler of fillers) filler.dispose();
  }
});
