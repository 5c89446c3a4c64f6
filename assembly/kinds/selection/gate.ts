// Gated pooling's gate s = 1 / (1 + e^−v) on four float32 lanes, each operation rounded as
// src/kernels/reference/extra/gate-sigmoid.ts rounds it (separate multiplies and adds, never fused,
// so the plain and relaxed SIMD builds agree): bit for bit that TypeScript twin. Cephes' expf.
import { narrow } from './lanes';

const LOWEST: f32 = -86; // gate-sigmoid.ts's GATE_LOWEST and GATE_HIGHEST
const HIGHEST: f32 = 89;
const LOG2E: f32 = 1.4426950408889634;
const LN2_HIGH: f32 = 0.693359375;
const LN2_LOW: f32 = -2.12194440e-4;
const P0: f32 = 1.98756915e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;

/** a·b + c, rounded twice (no fused multiply-add). */
@inline
function multiplyAdd(a: v128, b: v128, c: f32): v128 {
  return f32x4.add(f32x4.mul(a, b), f32x4.splat(c));
}

/** e^x on four lanes, x within [LOWEST, HIGHEST] or NaN (gate-sigmoid.ts's gateExp). */
@inline
function gateExpLanes(x: v128): v128 {
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HIGH))), f32x4.mul(n, f32x4.splat(LN2_LOW)));
  let polynomial = multiplyAdd(f32x4.splat(P0), r, P1);
  polynomial = multiplyAdd(polynomial, r, P2);
  polynomial = multiplyAdd(polynomial, r, P3);
  polynomial = multiplyAdd(polynomial, r, P4);
  polynomial = multiplyAdd(polynomial, r, P5);
  const expR = f32x4.add(f32x4.add(f32x4.mul(polynomial, f32x4.mul(r, r)), r), f32x4.splat(1));
  // 2ⁿ by its bits: n ∈ [−124, 128], where n = 128 gives +∞ (a NaN lane's n converts to 0: 1).
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(expR, scale);
}

/** The gates of four lanes from the float64 halves of their gate inputs v (rounded to float32 first). */
@inline
export function gateSigmoidLanes(inputLow: v128, inputHigh: v128): v128 {
  const negated = narrow(f64x2.neg(inputLow), f64x2.neg(inputHigh));
  // pmax/pmin keep a NaN first operand, as gate-sigmoid.ts's comparisons do.
  const x = f32x4.pmin(f32x4.pmax(negated, f32x4.splat(LOWEST)), f32x4.splat(HIGHEST));
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), gateExpLanes(x)));
}

/** Lane `lane` of gateSigmoidLanes, v in that lane and `other` in the rest: for the tests. */
export function gateSigmoidLane(value: f64, other: f64, lane: i32): f32 {
  const splat = f64x2.splat(other);
  const low = lane & 1 ? f64x2.replace_lane(splat, 1, value) : f64x2.replace_lane(splat, 0, value);
  const inputLow = lane < 2 ? low : f64x2.splat(other);
  const inputHigh = lane < 2 ? f64x2.splat(other) : low;
  const gates = gateSigmoidLanes(inputLow, inputHigh);
  if (lane == 0) return f32x4.extract_lane(gates, 0);
  if (lane == 1) return f32x4.extract_lane(gates, 1);
  return lane == 2 ? f32x4.extract_lane(gates, 2) : f32x4.extract_lane(gates, 3);
}
