// e^x exactly as V8's Math.exp computes it (fdlibm's __ieee754_exp, src/base/ieee754.cc), so a
// gate computed here equals the reference kernel's bit for bit in Node; AssemblyScript's own
// Math.exp (musl's) differs from it in the last bit now and then.

const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INVERSE_LN2: f64 = 1.44269504088896338700;
const P1: f64 = 1.66666666666666019037e-1;
const P2: f64 = -2.77777777770155933842e-3;
const P3: f64 = 6.61375632143793436117e-5;
const P4: f64 = -1.65339022054652515390e-6;
const P5: f64 = 4.13813679705723846039e-8;
const OVERFLOW: f64 = 7.09782712893383973096e2;
const UNDERFLOW: f64 = -7.45133219101941108420e2;
const TWO_TO_MINUS_1000: f64 = 9.33263618503218878990e-302;
const HUGE: f64 = 1.0e300;
const E: f64 = 2.718281828459045;

/** 2^k for -1022 ≤ k ≤ 1023, by its bits. */
@inline
function powerOfTwo(k: i32): f64 {
  return reinterpret<f64>(<u64>(0x3ff + k) << 52);
}

export function exactExp(x: f64): f64 {
  const bits = reinterpret<u64>(x);
  const high = <u32>(bits >> 32) & 0x7fffffff;
  const negative = bits >> 63 != 0;
  if (high >= 0x40862e42) {
    if (high >= 0x7ff00000) return x != x ? x + x : negative ? 0 : x; // NaN, e^±∞
    if (x > OVERFLOW) return HUGE * HUGE;
    if (x < UNDERFLOW) return TWO_TO_MINUS_1000 * TWO_TO_MINUS_1000;
  }
  let k: i32 = 0;
  let hi: f64 = 0;
  let lo: f64 = 0;
  if (high > 0x3fd62e42) {
    if (high < 0x3ff0a2b2) {
      if (x == 1) return E; // V8's special case: the reduction below gets e's last bit wrong
      hi = negative ? x + LN2_HI : x - LN2_HI;
      lo = negative ? -LN2_LO : LN2_LO;
      k = negative ? -1 : 1;
    } else {
      k = <i32>(INVERSE_LN2 * x + (negative ? -0.5 : 0.5));
      const t = <f64>k;
      hi = x - t * LN2_HI; // exact here
      lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (high < 0x3e300000) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1 - ((x * c) / (c - 2.0) - x);
  const y = 1 - (lo - (x * c) / (2.0 - c) - hi);
  if (k >= -1021) return k == 1024 ? y * 2.0 * powerOfTwo(1023) : y * powerOfTwo(k);
  return y * powerOfTwo(k + 1000) * TWO_TO_MINUS_1000;
}

/**
 * exactExp on two float64 lanes: the same operations lane by lane (fdlibm's k = 0 and k = ±1 cases
 * are its general formula with k = 0 or ±1, bit for bit), scalar where a lane is NaN or |x| ≥ 708.
 */
export function exactExpLanes(x: v128): v128 {
  if (!i64x2.all_true(f64x2.lt(f64x2.abs(x), f64x2.splat(708)))) {
    return f64x2.replace_lane(f64x2.splat(exactExp(f64x2.extract_lane(x, 0))), 1, exactExp(f64x2.extract_lane(x, 1)));
  }
  const highWord = v128.and(i64x2.shr_u(x, 32), i64x2.splat(0x7fffffff));
  const reduce = i64x2.gt_s(highWord, i64x2.splat(0x3fd62e42));
  const tiny = i64x2.lt_s(highWord, i64x2.splat(0x3e300000));
  const half = v128.or(f64x2.splat(0.5), v128.and(x, f64x2.splat(-0.0))); // ±0.5 with x's sign
  const k = v128.and(f64x2.trunc(f64x2.add(f64x2.mul(f64x2.splat(INVERSE_LN2), x), half)), reduce);
  const hi = f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI)));
  const lo = f64x2.mul(k, f64x2.splat(LN2_LO));
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  let poly = f64x2.add(f64x2.splat(P4), f64x2.mul(t, f64x2.splat(P5)));
  poly = f64x2.add(f64x2.splat(P3), f64x2.mul(t, poly));
  poly = f64x2.add(f64x2.splat(P2), f64x2.mul(t, poly));
  poly = f64x2.add(f64x2.splat(P1), f64x2.mul(t, poly));
  const c = f64x2.sub(r, f64x2.mul(t, poly));
  const two = f64x2.splat(2.0);
  const y = f64x2.sub(f64x2.splat(1), f64x2.sub(f64x2.sub(lo, f64x2.div(f64x2.mul(r, c), f64x2.sub(two, c))), hi));
  const exponent = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  const scaled = f64x2.mul(y, i64x2.shl(i64x2.add(exponent, i64x2.splat(0x3ff)), 52));
  const small = v128.bitselect(f64x2.add(f64x2.splat(1), x), scaled, tiny);
  return v128.bitselect(f64x2.splat(E), small, f64x2.eq(x, f64x2.splat(1)));
}

/** Lane `lane` of exactExpLanes((first, second)): for the tests. */
export function exactExpLane(first: f64, second: f64, lane: i32): f64 {
  const result = exactExpLanes(f64x2.replace_lane(f64x2.splat(first), 1, second));
  return lane == 0 ? f64x2.extract_lane(result, 0) : f64x2.extract_lane(result, 1);
}
