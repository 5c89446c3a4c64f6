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
