// e^x and ln x on four float32 lanes (AssemblyScript's Math is scalar): range reduction to a small
// interval, then minimax polynomials (Cephes' expf.c and logf.c; expWeightLanes' degree 6 fitted for
// this file), evaluated with madd (one fused multiply-add in the relaxed-SIMD build). Special values as
// Math.exp/Math.log rounded to float32: NaN stays NaN, exp(+∞) = +∞, exp(−∞) = 0, overflow gives +∞
// and underflow 0 (through the subnormals); ln(+∞) = +∞, ln(±0) = −∞, ln of a negative number is
// NaN, subnormal inputs are exact. Maximum relative error (measured over a dense sweep in
// test/wasm/kinds-weighted.test.ts): 1 float32 ulp, 2 for expWeightLanes and expWeightPairLanes' e^x − 1,
// 5 for logShortLanes.
import { madd } from '../train/tile';

const LOG2E: f32 = 1.44269504088896341;
/** ln 2 split so that n·LN2_HIGH is exact for |n| < 2^15: x − n·ln 2 keeps its digits. */
const LN2_HIGH: f32 = 0.693359375;
const LN2_LOW: f32 = -2.12194440e-4;
/** exp's inputs are clamped here first (NaN passes): below, the result rounds to 0; above, to +∞. */
const EXP_LOW: f32 = -104;
const EXP_HIGH: f32 = 89;
/** Below this, e^x is under 2^−126 (subnormal): expWeightLanes gives 0 there. */
const WEIGHT_LOW: f32 = -87.33654;
/** 1.5·2²³: adding it rounds a float32 of magnitude under 2²² to an integer, kept in the low bits. */
const ROUNDING: f32 = 12582912;
const SQRT_HALF: f32 = 0.707106781186547524;
/** The smallest normal float32, 2^−126; below it ln scales its input by 2^23 first. */
const SMALLEST_NORMAL: f32 = 1.17549435e-38;

/**
 * e^r − 1 − r over r² for |r| ≤ ln2/2 as a minimax quartic q, fitted (numpy, reweighted least squares)
 * to the relative error of r + r²·q against e^r − 1 (2⁻²⁴·0.3 before rounding), so that it serves
 * expWeightPairLanes too: expWeightLanes' polynomial, one step shorter than Cephes' (expLanes).
 */
@inline
function expPolynomial(r: v128): v128 {
  return f32x4.add(expPolynomialLessOne(r), f32x4.splat(1));
}

/** r + r²·q: expPolynomial less its 1, keeping small r's digits (expWeightPairLanes). */
@inline
function expPolynomialLessOne(r: v128): v128 {
  let q = madd(f32x4.splat(1.3882522471249104e-3), r, f32x4.splat(8.36651399731636e-3));
  q = madd(q, r, f32x4.splat(4.166720062494278e-2));
  q = madd(q, r, f32x4.splat(1.666654348373413e-1));
  q = madd(q, r, f32x4.splat(4.999999701976776e-1));
  return madd(q, f32x4.mul(r, r), r);
}

/** n = round(x·log₂e) (as `shifted`'s low bits, see expLanes) and r = x − n·ln 2. */
@inline
function reduced(clamped: v128, shifted: v128): v128 {
  const n = f32x4.sub(shifted, f32x4.splat(ROUNDING));
  return madd(n, f32x4.splat(-LN2_LOW), madd(n, f32x4.splat(-LN2_HIGH), clamped));
}

/** e^x lane by lane. */
@inline
export function expLanes(x: v128): v128 {
  // pmax and pmin are one instruction each on x86 (max and min are several) and keep a NaN x.
  const clamped = f32x4.pmin(f32x4.pmax(x, f32x4.splat(EXP_LOW)), f32x4.splat(EXP_HIGH));
  // n = round(x·log₂e) by the 1.5·2²³ trick: the sum's low mantissa bits hold n as an integer
  // (no float-to-int conversion, which is slow on x86 SIMD).
  const shifted = madd(clamped, f32x4.splat(LOG2E), f32x4.splat(ROUNDING));
  const r = reduced(clamped, shifted);
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  p = f32x4.add(madd(f32x4.mul(p, r), r, r), f32x4.splat(1));
  // 2^n as 2^half · 2^(n − half): n runs from −150 to 128, each factor stays a normal float32, and
  // the last product rounds once (into the subnormals or to +∞ where e^x does).
  const whole = i32x4.sub(shifted, f32x4.splat(ROUNDING));
  const half = i32x4.shr_s(whole, 1);
  const bias = i32x4.splat(127);
  const first = i32x4.shl(i32x4.add(half, bias), 23);
  const second = i32x4.shl(i32x4.add(i32x4.sub(whole, half), bias), 23);
  return f32x4.mul(f32x4.mul(p, first), second);
}

/**
 * e^x lane by lane for x ≤ 88.3 (softmax-like weights: x ≤ 0 mostly; beyond, 2^n overflows), as expLanes but where e^x is
 * under 2^−126 it gives 0 (a subnormal weight beside a window's largest, 1, changes no sum), so 2^n
 * is one normal float32: five instructions fewer. NaN stays NaN, −∞ gives 0.
 */
@inline
export function expWeightLanes(x: v128): v128 {
  const clamped = f32x4.pmax(x, f32x4.splat(WEIGHT_LOW)); // keeps a NaN x
  const shifted = madd(clamped, f32x4.splat(LOG2E), f32x4.splat(ROUNDING));
  return weightOf(x, shifted, expPolynomial(reduced(clamped, shifted)));
}

/** e^x for expWeightLanes from n (`shifted`'s low bits) and the polynomial `p` = e^r. */
@inline
function weightOf(x: v128, shifted: v128, p: v128): v128 {
  // shifted's bits are 0x4b400000 + n: shifting left by 23 drops the 0x4b4 part, leaving 2^n's
  // exponent field once 127 is added. A product (not an integer add into p) keeps a NaN p NaN.
  const power = i32x4.shl(i32x4.add(shifted, i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(p, power), f32x4.lt(x, f32x4.splat(WEIGHT_LOW)));
}

/** e^x − 1 of the last expWeightPairLanes (per instance, so per thread). */
export let weightLessOne: v128 = f32x4.splat(0);

/**
 * expWeightLanes(x), the same bits, and e^x − 1 into weightLessOne for x ≤ 0 (LSE's cells), from one
 * polynomial: where n = 0 (|x| ≤ ln2/2, r = x) the polynomial less its 1, keeping small x's digits;
 * elsewhere e^x − 1, which cancels little there (|e^x − 1| ≥ 0.29).
 */
@inline
export function expWeightPairLanes(x: v128): v128 {
  const clamped = f32x4.pmax(x, f32x4.splat(WEIGHT_LOW)); // keeps a NaN x
  const shifted = madd(clamped, f32x4.splat(LOG2E), f32x4.splat(ROUNDING));
  const lessOne = expPolynomialLessOne(reduced(clamped, shifted));
  const weight = weightOf(x, shifted, f32x4.add(lessOne, f32x4.splat(1)));
  const near = i32x4.eq(shifted, f32x4.splat(ROUNDING)); // n = 0
  weightLessOne = v128.bitselect(lessOne, f32x4.sub(weight, f32x4.splat(1)), near);
  return weight;
}

/** ln x lane by lane. */
@inline
export function logLanes(x: v128): v128 {
  const zero = f32x4.splat(0);
  const subnormal = v128.and(f32x4.lt(x, f32x4.splat(SMALLEST_NORMAL)), f32x4.gt(x, zero));
  const scaled = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608)), x, subnormal);
  const result = scaledLogLanes(scaled, v128.and(subnormal, i32x4.splat(-23)));
  // Special lanes: +∞ and NaN give themselves, ±0 gives −∞, a negative number NaN.
  const passThrough = v128.or(f32x4.ne(x, x), f32x4.eq(x, f32x4.splat(Infinity)));
  const special = v128.bitselect(f32x4.splat(-Infinity), f32x4.splat(NaN), f32x4.eq(x, zero));
  const finite = v128.bitselect(special, result, f32x4.le(x, zero));
  return v128.bitselect(x, finite, passThrough);
}

/** ln x lane by lane for x positive, normal and finite (no lane checked): logLanes' digits, fewer steps. */
@inline
export function logPositiveLanes(x: v128): v128 {
  return scaledLogLanes(x, i32x4.splat(0));
}

/**
 * ln x lane by lane for x positive, normal and finite (no lane checked), as logPositiveLanes with a
 * degree-5 polynomial instead of Cephes' degree 8 (three multiply-adds fewer): within 5 ulps
 * (relative 3.4·10⁻⁷), for GeM's per-cell ln (gem.ts), whose tolerance is 10⁻⁵.
 */
@inline
export function logShortLanes(x: v128): v128 {
  return scaledLogLanes(x, i32x4.splat(0), true);
}

/**
 * ln(1 + u) lane by lane for u in (−1, 0] (LSE's mean of e^{r(x − m)} − 1), no lane checked, keeping
 * small u's digits without log1pLanes' division: where 1 + u ≥ √½ the reduction's f is u itself
 * (exact); below, |ln(1 + u)| > 0.34 and the rounding of 1 + u adds at most 2⁻²⁴/0.34 relative.
 */
@inline
export function log1pNonPositiveLanes(u: v128): v128 {
  return scaledLogLanes(f32x4.add(f32x4.splat(1), u), i32x4.splat(0), false, true, u);
}

/**
 * ln(x·2^bias) for x positive, normal and finite, `bias` an i32 per lane. `short`: logShortLanes'
 * polynomial (fitted for this file like expWeightLanes', to the relative error of ln(1 + f)). With
 * `near`, f is `residual` where the exponent is 0 (log1pNonPositiveLanes).
 */
@inline
function scaledLogLanes(scaled: v128, bias: v128, short: bool = false, near: bool = false, residual: v128 = i32x4.splat(0)): v128 {
  // x = m·2^e with m in [0.5, 1) (frexp); m < √½ becomes 2m − 1 with e − 1, else m − 1.
  let exponent = i32x4.sub(i32x4.shr_u(v128.and(scaled, i32x4.splat(0x7f800000)), 23), i32x4.splat(126));
  exponent = i32x4.add(exponent, bias);
  const mantissa = v128.or(v128.and(scaled, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const low = f32x4.lt(mantissa, f32x4.splat(SQRT_HALF));
  exponent = i32x4.add(exponent, low); // a true lane is −1
  let f = f32x4.sub(f32x4.add(mantissa, v128.and(mantissa, low)), f32x4.splat(1));
  if (near) f = v128.bitselect(residual, f, i32x4.eq(exponent, i32x4.splat(0)));
  const e = f32x4.convert_i32x4_s(exponent);
  const z = f32x4.mul(f, f);
  let p: v128;
  if (short) {
    p = madd(f32x4.splat(-0.10190194845199585), f, f32x4.splat(0.16022534668445587));
    p = madd(p, f, f32x4.splat(-0.17136892676353455));
    p = madd(p, f, f32x4.splat(0.19924677908420563));
    p = madd(p, f, f32x4.splat(-0.249832883477211));
    p = madd(p, f, f32x4.splat(0.33334243297576904));
  } else {
    p = madd(f32x4.splat(7.0376836292e-2), f, f32x4.splat(-1.1514610310e-1));
    p = madd(p, f, f32x4.splat(1.1676998740e-1));
    p = madd(p, f, f32x4.splat(-1.2420140846e-1));
    p = madd(p, f, f32x4.splat(1.4249322787e-1));
    p = madd(p, f, f32x4.splat(-1.6668057665e-1));
    p = madd(p, f, f32x4.splat(2.0000714765e-1));
    p = madd(p, f, f32x4.splat(-2.4999993993e-1));
    p = madd(p, f, f32x4.splat(3.3333331174e-1));
  }
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = madd(e, f32x4.splat(LN2_LOW), y);
  y = madd(z, f32x4.splat(-0.5), y);
  return madd(e, f32x4.splat(LN2_HIGH), f32x4.add(f, y));
}

/**
 * e^x − 1 lane by lane given `exp` = expLanes(x) (callers often need both), keeping small x's
 * digits: a Taylor polynomial where |x| < ln 2, else exp − 1.
 */
@inline
export function expm1Lanes(x: v128, exp: v128): v128 {
  // x^10/10! at |x| = ln 2 is under 2⁻²⁵·|x|: degree 9 is exact to float32 there.
  let p = f32x4.splat(1.0 / 362880);
  p = madd(p, x, f32x4.splat(1.0 / 40320));
  p = madd(p, x, f32x4.splat(1.0 / 5040));
  p = madd(p, x, f32x4.splat(1.0 / 720));
  p = madd(p, x, f32x4.splat(1.0 / 120));
  p = madd(p, x, f32x4.splat(1.0 / 24));
  p = madd(p, x, f32x4.splat(1.0 / 6));
  p = madd(p, x, f32x4.splat(0.5));
  const small = madd(f32x4.mul(p, x), x, x);
  const near = f32x4.lt(f32x4.abs(x), f32x4.splat(0.69314718));
  return v128.bitselect(small, f32x4.sub(exp, f32x4.splat(1)), near);
}

/**
 * ln(1 + x) lane by lane, keeping small x's digits: with w = 1 + x rounded, ln w · x/(w − 1) (the
 * rounding of w cancels to first order), and x itself where w is 1.
 */
@inline
export function log1pLanes(x: v128): v128 {
  const one = f32x4.splat(1);
  const w = f32x4.add(one, x);
  const shifted = f32x4.sub(w, one);
  const logW = logLanes(w); // once: binaryen does not merge two inlined copies
  const corrected = f32x4.mul(logW, f32x4.div(x, shifted));
  // w = 1: x itself; w = +∞ or x = −1 and beyond: ln w alone (the ratio would be NaN or is 1).
  const plain = v128.or(f32x4.eq(shifted, f32x4.splat(Infinity)), f32x4.le(w, f32x4.splat(0)));
  return v128.bitselect(x, v128.bitselect(logW, corrected, plain), f32x4.eq(w, one));
}
