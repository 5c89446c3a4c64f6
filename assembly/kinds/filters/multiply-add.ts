// c + a·b on f64x2 lanes for the filters family: one fused multiply-add (rounded once) in the
// relaxed-SIMD build where the engine has FMA, the product then the sum otherwise. Where a·b is exact
// (BlurPool's weights times f32 values) both give the same bits; elsewhere (the spectral products) the
// fused form is the more accurate, and each build keeps one order per value on every thread count.
@inline
export function multiplyAdd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}
