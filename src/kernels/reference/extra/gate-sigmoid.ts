// Gated pooling's gate s = sigmoid(v) = 1 / (1 + e^−v), in float32: every operation rounded to
// float32 (Math.fround), none fused, so the wasm kernels (assembly/kinds/selection/gate.ts, four
// lanes per f32x4 op) give the same bits, in the plain and the relaxed SIMD builds alike. e^x is
// Cephes' expf: x = n·ln 2 + r (Cody–Waite, n the nearest integer, ties to even), e^r by its
// degree-5 polynomial, times 2ⁿ; within 2 float32 ulps of e^x (test/extra/gate-sigmoid.test.ts).
const f = Math.fround;

/** −v is clamped to [LOWEST, HIGHEST]: below, 1 + e^x rounds to 1 anyway; above, 2ⁿ is +∞ (n = 128), so s = 0. */
export const GATE_LOWEST = -86;
export const GATE_HIGHEST = 89;
const LOG2E = f(1.4426950408889634);
const LN2_HIGH = f(0.693359375);
const LN2_LOW = f(-2.1219444e-4);
const POLYNOMIAL = [
  1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
].map(f);

/** The nearest integer to `value`, ties to even (f32x4.nearest's rule; Math.round takes ties up). */
function nearestEven(value: number): number {
  const rounded = Math.round(value);
  return rounded - value === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}

/** e^x in float32 for x in [GATE_LOWEST, GATE_HIGHEST] (NaN gives NaN). */
export function gateExp(x: number): number {
  const n = nearestEven(f(x * LOG2E));
  const r = f(f(x - f(n * LN2_HIGH)) - f(n * LN2_LOW));
  let polynomial = POLYNOMIAL[0]!;
  for (let index = 1; index < POLYNOMIAL.length; index++) polynomial = f(f(polynomial * r) + POLYNOMIAL[index]!);
  const expR = f(f(f(polynomial * f(r * r)) + r) + 1);
  return f(expR * f(2 ** n));
}

/** s = 1 / (1 + e^−v) of the float64 gate input v (rounded to float32 first), a float32 value. */
export function gateSigmoid(value: number): number {
  const negated = f(-value);
  const x = negated < GATE_LOWEST ? GATE_LOWEST : negated > GATE_HIGHEST ? GATE_HIGHEST : negated;
  return f(1 / f(1 + gateExp(x)));
}
