// expm1, log1p and ln near 1 in WGSL, which lacks the first two and whose log is only 2^-21
// absolute near 1: series where the plain formulas lose digits (GeM's and LSE's shaders).

/** expm1 and log1p (which WGSL lacks) by series near 0, where exp(z) − 1 and log(1 + u) lose digits; ln near 1 by log1p (WGSL's log is only 2^-21 absolute there). */
export const seriesWgsl = `
fn expm1Small(z: f32) -> f32 {
  if (abs(z) >= 0.5) { return exp(z) - 1.0; }
  return z * (1.0 + z / 2.0 * (1.0 + z / 3.0 * (1.0 + z / 4.0 * (1.0 + z / 5.0 * (1.0 + z / 6.0 * (1.0 + z / 7.0 * (1.0 + z / 8.0)))))));
}
/** ln(1 + u) for u > −1: 2·atanh(u/(2 + u)) by its series where |u| < 0.5. */
fn log1pSmall(u: f32) -> f32 {
  if (abs(u) >= 0.5) { return log(1.0 + u); }
  let s = u / (2.0 + u);
  let s2 = s * s;
  var term = s;
  var total: f32 = 0.0;
  for (var k = 0; k < 12; k++) { total = total + term / f32(2 * k + 1); term = term * s2; }
  return 2.0 * total;
}
fn lnNearOne(t: f32) -> f32 { return select(log(t), log1pSmall(t - 1.0), abs(t - 1.0) < 0.5); }`;
