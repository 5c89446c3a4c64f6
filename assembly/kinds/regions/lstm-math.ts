// The LSTM gates' non-linearities on float32 lanes: exp (Cephes expf: range reduction by ln 2, a
// degree-5 polynomial, 2^n from the exponent bits), sigmoid, and tanh in the form the backward
// also needs (q = 1 / (e^{2|z|} + 1), so tanh = 1 − 2q and 1 − tanh² = 4q(1 − q) without
// cancellation). Each is within 3 float32 ulp of the correctly rounded value; NaN propagates.

/** Below 0.625 in magnitude tanh takes Cephes's odd polynomial: 1 − 2q would cancel there. */
const SMALL_TANH: f32 = 0.625;

/** e^x per lane; x is clamped to [−87, 88] so that 2^n stays a normal float (NaN passes the clamp). */
@inline
export function expLanes(x: v128): v128 {
  const clamped = f32x4.max(f32x4.min(x, f32x4.splat(88.0)), f32x4.splat(-87.0));
  const n = f32x4.nearest(f32x4.mul(clamped, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(clamped, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1.0));
  const exponent = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(y, exponent);
}

/** 1 / (1 + e^−z) per lane. */
@inline
export function sigmoidLanes(z: v128): v128 {
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), expLanes(f32x4.neg(z))));
}

/** q = 1 / (e^{2a} + 1) for a = |z|: tanh|z| = 1 − 2q and 1 − tanh² z = 4q(1 − q) for |z| ≥ 0.625. */
@inline
export function tanhQuotient(magnitude: v128): v128 {
  const twice = f32x4.add(magnitude, magnitude);
  return f32x4.div(f32x4.splat(1.0), f32x4.add(expLanes(twice), f32x4.splat(1.0)));
}

/** Cephes tanhf's polynomial for |z| < 0.625: a + a·a²·P(a²). */
@inline
export function smallTanh(magnitude: v128): v128 {
  const square = f32x4.mul(magnitude, magnitude);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, square), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, square), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, square), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, square), f32x4.splat(-3.33332819422e-1));
  return f32x4.add(magnitude, f32x4.mul(f32x4.mul(magnitude, square), p));
}

/** Whether each lane's |z| takes the polynomial (false for NaN, which then goes through exp). */
@inline
export function isSmallTanh(magnitude: v128): v128 {
  return f32x4.lt(magnitude, f32x4.splat(SMALL_TANH));
}

/** z's sign on a non-negative value. */
@inline
export function withSignOf(value: v128, z: v128): v128 {
  return v128.bitselect(z, value, i32x4.splat(0x80000000));
}

/** tanh z per lane. */
@inline
export function tanhLanes(z: v128): v128 {
  const magnitude = f32x4.abs(z);
  const large = f32x4.sub(f32x4.splat(1.0), f32x4.mul(f32x4.splat(2.0), tanhQuotient(magnitude)));
  return withSignOf(v128.bitselect(smallTanh(magnitude), large, isSmallTanh(magnitude)), z);
}
