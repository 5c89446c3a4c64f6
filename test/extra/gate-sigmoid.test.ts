// Gated pooling's float32 gate (src/kernels/reference/extra/gate-sigmoid.ts), the specification the
// wasm kernels copy bit for bit: its e^x within one float32 ulp of Math.exp, the gate within 2·10⁻⁷
// relative of 1 / (1 + e^−v) in float64, and its edges (0, the clamps, ±∞, NaN) as documented.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GATE_HIGHEST, GATE_LOWEST, gateExp, gateSigmoid } from '../../src/kernels/reference/extra/gate-sigmoid.js';
import { generator } from '../wasm/harness.js';

/** The spacing of float32 values at |value| (normal range). */
function float32Ulp(value: number): number {
  return 2 ** (Math.floor(Math.log2(Math.abs(Math.fround(value)))) - 23);
}

test('gateExp is within one float32 ulp of e^x over its whole range (x < 88.37, where 2ⁿ stays finite)', () => {
  const random = generator(11);
  const samples = [0, -0, 1, -1, 0.34657359, -0.34657359, GATE_LOWEST, 88.37];
  for (let index = 0; index < 200000; index++)
    samples.push(Math.fround(GATE_LOWEST + random() * (88.37 - GATE_LOWEST)));
  for (const x of samples) {
    const expected = Math.exp(x);
    const error = Math.abs(gateExp(x) - expected) / float32Ulp(expected);
    assert.ok(error <= 1, `e^${x}: ${gateExp(x)} against ${expected}, ${error} ulps`);
  }
});

test('gateSigmoid is within 2e-7 relative (1e-7 absolute) of the float64 sigmoid of its input', () => {
  const random = generator(12);
  for (let index = 0; index < 200000; index++) {
    const value = (random() * 2 - 1) * [0.01, 1, 5, 20, 60][index % 5]!;
    const expected = 1 / (1 + Math.exp(-value));
    const gate = gateSigmoid(value);
    assert.equal(gate, Math.fround(gate), 'a float32 value');
    assert.ok(Math.abs(gate - expected) <= 1e-7, `sigmoid(${value}): ${gate} against ${expected}`);
    const exactOfRounded = 1 / (1 + Math.exp(-Math.fround(value)));
    assert.ok(Math.abs(gate - exactOfRounded) <= 2e-7 * exactOfRounded, `sigmoid(${value}) relative`);
  }
});

test('gateSigmoid at its edges: 1/2 at ±0, 1 and 0 at ±∞ and past the clamps, NaN for NaN', () => {
  assert.equal(gateSigmoid(0), 0.5);
  assert.equal(gateSigmoid(-0), 0.5);
  assert.equal(gateSigmoid(Infinity), 1);
  assert.equal(gateSigmoid(-Infinity), 0);
  assert.equal(gateSigmoid(-GATE_HIGHEST - 1), 0); // e^89 is +∞ in float32
  assert.equal(gateSigmoid(-GATE_LOWEST + 1), 1); // 1 + e^−87 rounds to 1
  assert.ok(gateSigmoid(-GATE_LOWEST) > 0 && gateSigmoid(GATE_LOWEST) > 0);
  assert.ok(Number.isNaN(gateSigmoid(NaN)));
});
