// The draws of stochastic and random pooling: Random.fillUniform (one loop over the generator's
// state words) gives uniform()'s numbers in order and leaves the generator where as many uniform()
// calls leave it, so the kinds' draws for a seed are those of before, on every backend.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawUniforms } from '../../src/pooling/arguments.js';
import { Random } from '../../src/tensor/random.js';

test('Random.fillUniform gives the numbers of uniform() in order and continues the same stream', () => {
  for (const seed of [0, 1, 42, -7, 123456789, 0x7fffffff]) {
    for (const count of [0, 1, 2, 3, 1000, 65537]) {
      const filling = new Random(seed);
      const calling = new Random(seed);
      filling.uniform(); // mid-stream, not only at the seed's start
      calling.uniform();
      const filled = new Float64Array(count);
      filling.fillUniform(filled);
      for (let index = 0; index < count; index++) {
        const expected = calling.uniform();
        assert.ok(Object.is(filled[index], expected), `seed ${seed}, draw ${index}: ${filled[index]} != ${expected}`);
      }
      assert.equal(filling.uniform(), calling.uniform(), `seed ${seed}: the stream after ${count} draws`);
      assert.equal(filling.normal(), calling.normal());
    }
  }
});

test("drawUniforms is a Random's next uniforms", () => {
  const calling = new Random(9);
  const drawn = drawUniforms(new Random(9), 5000);
  for (const value of drawn) assert.equal(value, calling.uniform());
});
