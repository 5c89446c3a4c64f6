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
/** 1.5·2²³: v + ROUNDER rounds v (|v| < 2²²) to an integer, ties to even, as f32x4.nearest does. */
const ROUNDER: f32 = 12582912;

/**
 * The splatted constants as static data, one v128 each: V8 builds a v128 constant in a loop from a
 * general register (three instructions, every iteration); a load from a fixed address is one.
 */
const CONSTANTS = memory.data<f32>(
  [
    LOWEST, LOWEST, LOWEST, LOWEST, HIGHEST, HIGHEST, HIGHEST, HIGHEST, LOG2E, LOG2E, LOG2E, LOG2E,
    ROUNDER, ROUNDER, ROUNDER, ROUNDER, LN2_HIGH, LN2_HIGH, LN2_HIGH, LN2_HIGH, LN2_LOW, LN2_LOW, LN2_LOW, LN2_LOW,
    P0, P0, P0, P0, P1, P1, P1, P1, P2, P2, P2, P2, P3, P3, P3, P3, P4, P4, P4, P4, P5, P5, P5, P5, 1, 1, 1, 1,
  ],
  16,
);
const EXPONENT_BIAS = memory.data<i32>([127, 127, 127, 127], 16);

/** Constant `index` of CONSTANTS (LOWEST 0, HIGHEST 1, LOG2E 2, ROUNDER 3, LN2_HIGH 4, LN2_LOW 5, P0 6 … P5 11, 1 12). */
@inline
function constant(index: i32): v128 {
  return v128.load(CONSTANTS + (<usize>index << 4));
}

/** a·b + c (constant `c`), rounded twice (no fused multiply-add). */
@inline
function multiplyAdd(a: v128, b: v128, c: i32): v128 {
  return f32x4.add(f32x4.mul(a, b), constant(c));
}

/** e^x on four lanes, x within [LOWEST, HIGHEST] or NaN (gate-sigmoid.ts's gateExp). */
@inline
function gateExpLanes(x: v128): v128 {
  // n = nearest(x·log₂e) as n + 1.5·2²³ (|n| ≤ 128): its low mantissa bits hold n, so 2ⁿ's exponent
  // field is (bits + 127) << 23 (the higher bits shift out); a NaN lane stays NaN whatever its 2ⁿ.
  const shifted = f32x4.add(f32x4.mul(x, constant(2)), constant(3));
  const n = f32x4.sub(shifted, constant(3));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, constant(4))), f32x4.mul(n, constant(5)));
  let polynomial = multiplyAdd(constant(6), r, 7);
  polynomial = multiplyAdd(polynomial, r, 8);
  polynomial = multiplyAdd(polynomial, r, 9);
  polynomial = multiplyAdd(polynomial, r, 10);
  polynomial = multiplyAdd(polynomial, r, 11);
  const expR = f32x4.add(f32x4.add(f32x4.mul(polynomial, f32x4.mul(r, r)), r), constant(12));
  const scale = i32x4.shl(i32x4.add(shifted, v128.load(EXPONENT_BIAS)), 23);
  return f32x4.mul(expR, scale);
}

/** The gates of four float32 lanes −v (the gate inputs negated, then rounded to float32). */
@inline
export function gateSigmoidOfNegated(negated: v128): v128 {
  // pmax/pmin keep a NaN first operand, as gate-sigmoid.ts's comparisons do.
  const x = f32x4.pmin(f32x4.pmax(negated, constant(0)), constant(1));
  return f32x4.div(constant(12), f32x4.add(constant(12), gateExpLanes(x)));
}

/** The gates of four lanes from the float64 halves of their gate inputs v (rounded to float32, then negated: the same). */
@inline
export function gateSigmoidLanes(inputLow: v128, inputHigh: v128): v128 {
  return gateSigmoidOfNegated(f32x4.neg(narrow(inputLow, inputHigh)));
}

/**
 * Replaces the float32 values −v from `at` to `end` (16-byte steps) by their gates: a loop of the gate
 * chains alone, so that many of them (each about 100 cycles long) overlap; within other work they do not.
 */
@inline
export function gatesInPlace(at: usize, end: usize): void {
  for (; at + 32 <= end; at += 32) {
    const first = gateSigmoidOfNegated(v128.load(at));
    const second = gateSigmoidOfNegated(v128.load(at, 16));
    v128.store(at, first);
    v128.store(at, second, 16);
  }
  if (at < end) v128.store(at, gateSigmoidOfNegated(v128.load(at)));
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

