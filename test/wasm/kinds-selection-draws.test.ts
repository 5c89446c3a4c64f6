// The counter-based draws of stochastic and random pooling (src/tensor/counter-draws.ts): the hash
// against an independent BigInt version, the spread of the numbers, the key taken from the seed, and
// the wasm kernels' draws equal to the reference's for every thread split of the same call.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { poolGeometry } from '../../src/geometry/pool-geometry.js';
import { randomPoolForward } from '../../src/kernels/reference/extra/random-pool.js';
import { stochasticPoolForward } from '../../src/kernels/reference/extra/stochastic-pool.js';
import { setThreadCount, threadsReady, wasmBackend } from '../../src/kernels/wasm/index.js';
import { setParallelThreshold } from '../../src/kernels/wasm/threads.js';
import { drawBits, drawKey, drawUniform, type DrawKey } from '../../src/tensor/counter-draws.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertSame, filled, poisoned } from './harness.js';

const WORD = (1n << 32n) - 1n;

/** lowbias32 in BigInt arithmetic, written from Wellons' definition (not from counter-draws.ts). */
function lowbias32Big(word: bigint): bigint {
  let x = word & WORD;
  x ^= x >> 16n;
  x = (x * 0x7feb352dn) & WORD;
  x ^= x >> 15n;
  x = (x * 0x846ca68bn) & WORD;
  x ^= x >> 16n;
  return x;
}

const unsigned = (value: number): bigint => BigInt(value >>> 0);

test('drawBits is lowbias32(lowbias32(counter + low) xor high), as unsigned 32-bit words', () => {
  const random = new Random(3);
  for (let trial = 0; trial < 2000; trial++) {
    const key = drawKey(random);
    const counter = trial < 1000 ? trial : random.integer(2 ** 31);
    const inner = lowbias32Big(unsigned(counter) + unsigned(key.low));
    const expected = lowbias32Big(inner ^ unsigned(key.high));
    assert.equal(BigInt(drawBits(key, counter)), expected, `key ${key.low},${key.high} counter ${counter}`);
    assert.equal(drawUniform(key, counter), Number(expected) / 2 ** 32);
  }
});

test('the draws of one key spread evenly over [0, 1): mean, 64-bucket chi-square, neighbours uncorrelated', () => {
  for (const seed of [1, 2, 12345]) {
    const key = drawKey(new Random(seed));
    const count = 1 << 16;
    const buckets = new Float64Array(64);
    let sum = 0;
    let product = 0;
    let previous = drawUniform(key, 0);
    for (let index = 0; index < count; index++) {
      const value = drawUniform(key, index);
      assert.ok(value >= 0 && value < 1);
      buckets[Math.floor(value * 64)]! += 1;
      sum += value;
      if (index > 0) product += (value - 0.5) * (previous - 0.5);
      previous = value;
    }
    const expected = count / 64;
    const chiSquare = buckets.reduce((total, observed) => total + (observed - expected) ** 2 / expected, 0);
    assert.ok(Math.abs(sum / count - 0.5) < 0.005, `seed ${seed}: mean ${sum / count}`);
    assert.ok(chiSquare < 110, `seed ${seed}: chi-square ${chiSquare} over 63 degrees of freedom`); // p ≈ 0.0002
    assert.ok(Math.abs(product / count / (1 / 12)) < 0.02, `seed ${seed}: lag-1 correlation`);
  }
});

test('the key comes from the Random: the same seed the same key, another seed another, two uniforms used', () => {
  assert.deepEqual(drawKey(new Random(5)), drawKey(new Random(5)));
  assert.notDeepEqual(drawKey(new Random(5)), drawKey(new Random(6)));
  const used = new Random(5);
  drawKey(used);
  const fresh = new Random(5);
  fresh.uniform();
  fresh.uniform();
  assert.equal(used.uniform(), fresh.uniform());
});

before(() => setParallelThreshold(0));
after(async () => {
  setParallelThreshold();
  await setThreadCount(1);
});

test("the wasm draws are the reference's for every thread split (1, 2, 3 threads; rows split unevenly)", async () => {
  assert.ok(wasmBackend !== null);
  const kernels = wasmBackend.kernels;
  const cases = [
    poolGeometry('test', [3, 9, 7, 5], 2, { kernelSize: 2, dataFormat: 'channelsLast' }),
    poolGeometry('test', [2, 8, 8, 8], 2, { kernelSize: 2, dataFormat: 'channelsLast' }),
    poolGeometry('test', [2, 3, 11, 5], 2, { kernelSize: 3, stride: 2, padding: 'same', dataFormat: 'channelsFirst' }),
    poolGeometry('test', [1, 6, 5, 4, 3], 3, { kernelSize: [2, 3, 2], dataFormat: 'channelsLast' }),
  ];
  for (const [index, geometry] of cases.entries()) {
    const input: Tensor = filled(geometry.inputShape, 'plain', index + 1);
    const key: DrawKey = drawKey(new Random(index + 40));
    for (const [name, reference] of [
      ['randomPoolForward', randomPoolForward],
      ['stochasticPoolForward', stochasticPoolForward],
    ] as const) {
      const expected = poisoned(geometry.outputShape);
      const expectedChosen = poisoned(geometry.outputShape, 'int32');
      reference(input.values, expected.values, expectedChosen.intValues, key, geometry);
      for (const threads of [1, 2, 3]) {
        await setThreadCount(threads);
        await threadsReady();
        const output = poisoned(geometry.outputShape);
        const chosen = poisoned(geometry.outputShape, 'int32');
        kernels[name]!(input.values, output.values, chosen.intValues, key, geometry);
        assertSame(output.values, expected.values, `${name} case ${index}, ${threads} threads`);
        assertSame(chosen.intValues, expectedChosen.intValues, `${name} chosen, case ${index}, ${threads} threads`);
      }
    }
  }
});
