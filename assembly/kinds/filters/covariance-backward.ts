// Covariance pooling's backward through the Newton–Schulz iterations (covariance.ts): gY, gZ of Y_k,
// Z_k to those of Y_{k−1}, Z_{k−1}, for k = N..1, by the reference's rules
//   gP = ½(Yᵀ·gY + gZ·Zᵀ),  gY_{k−1} = ½·gY·Pᵀ − Zᵀ·gP,  gZ_{k−1} = ½·Pᵀ·gZ − gP·Yᵀ
// (Y = Y_{k−1}, Z = Z_{k−1}, P = P_k); gY ends as ∂L/∂A. Z_N is not used, so gZ_N = 0 and its products
// drop at k = N; Z_0 = I, so at k = 1 the products with Z_0 are copies and gZ_0 is not needed.
import { mirrorLower, multiplyRows, transposeSquare } from './covariance-products';
import { channels, iterations, matrixBytes, ps, stride, SYMMETRIC_ITERATIONS, temporary, ys, zs } from './covariance-sample';

/** out = op(a)·b, whole (op: the transpose when asked). */
function whole(a: usize, transposeA: bool, b: usize, out: usize): void {
  if (transposeA) multiplyRows(a, 1, stride, b, out, channels, channels, stride);
  else multiplyRows(a, stride, 1, b, out, channels, channels, stride);
}

/** out = a·b's upper triangle (the column blocks reaching the diagonal: 5/8 of the products at C = 32; below it, whatever those blocks give). */
function upperOnly(a: usize, b: usize, out: usize): void {
  multiplyRows(a, stride, 1, b, out, channels, channels, stride, true, false);
}

/** out = s·first − second over the C×stride matrix (second skipped when 0); out may be either. */
function scaledDifference(out: usize, scale: f32, first: usize, second: usize): void {
  const factor = f32x4.splat(scale);
  const count = <usize>channels * <usize>stride;
  for (let index: usize = 0; index < count; index += 4) {
    const offset = index << 2;
    let value = f32x4.mul(factor, v128.load(first + offset));
    if (second != 0) value = f32x4.sub(value, v128.load(second + offset));
    v128.store(out + offset, value);
  }
}

/** out = ½(first + second), or ½·first when second is 0. */
function halfSum(out: usize, first: usize, second: usize): void {
  const half = f32x4.splat(0.5);
  const count = <usize>channels * <usize>stride;
  for (let index: usize = 0; index < count; index += 4) {
    const offset = index << 2;
    const sum = second == 0 ? v128.load(first + offset) : f32x4.add(v128.load(first + offset), v128.load(second + offset));
    v128.store(out + offset, f32x4.mul(half, sum));
  }
}

/**
 * gY, gZ back through the iterations, k = N..1 (the form by the iteration count); ∂L/∂A ends in
 * temporary(1), gY's place, which holds gY_N = √(tr Σ)·(the output gradient's upper triangle) at the start.
 */
export function iterateBackward(): void {
  const symmetric = iterations <= SYMMETRIC_ITERATIONS;
  const gradY = temporary(1);
  const gradZ = temporary(2);
  const gradP = temporary(3);
  const first = temporary(4);
  const second = temporary(5);
  const flipped = temporary(6);
  const nextY = temporary(7);
  if (symmetric) {
    transposeSquare(gradY, flipped, channels, stride);
    halfSum(gradY, gradY, flipped);
  }
  for (let step = iterations; step >= 1; step--) {
    if (symmetric) symmetricStep(step, gradY, gradZ, gradP, first, second, flipped, nextY);
    else generalStep(step, gradY, gradZ, gradP, first, second, flipped, nextY);
    memory.copy(gradY, nextY, matrixBytes);
  }
}

/** One step by the reference's rules, product by product: gY_{k−1} into nextY, gZ_{k−1} into gradZ. */
function generalStep(step: i32, gradY: usize, gradZ: usize, gradP: usize, first: usize, second: usize, flipped: usize, nextY: usize): void {
  const y = ys(step - 1);
  const z = zs(step - 1);
  const p = ps(step);
  const gradZUsed = step < iterations;
  whole(y, true, gradY, first); // Yᵀ·gY
  let product: usize = 0; // gZ·Zᵀ, gZ itself when Z = I
  if (gradZUsed && step > 1) {
    transposeSquare(z, flipped, channels, stride);
    whole(gradZ, false, flipped, second);
    product = second;
  } else if (gradZUsed) product = gradZ;
  halfSum(gradP, first, product);
  transposeSquare(p, flipped, channels, stride);
  whole(gradY, false, flipped, first); // gY·Pᵀ
  if (step > 1) whole(z, true, gradP, second); // Zᵀ·gP (gP itself when Z = I)
  scaledDifference(nextY, 0.5, first, step > 1 ? second : gradP);
  if (step == 1) return;
  transposeSquare(y, flipped, channels, stride);
  whole(gradP, false, flipped, second); // gP·Yᵀ
  if (gradZUsed) {
    whole(p, true, gradZ, first); // Pᵀ·gZ
    scaledDifference(gradZ, 0.5, first, second);
  } else scaledDifference(gradZ, -1, second, 0);
}

/**
 * One step of the same rules where Y_k, Z_k and P_k are symmetric (polynomials in the symmetric A)
 * and gY, gZ are kept symmetric: only ∂L/∂A's symmetric part reaches ∂L/∂Σ (A and Σ are symmetric),
 * so the output gradient's upper triangle starts symmetrised, and then gY_{k−1} and gZ_{k−1} are
 * symmetric in exact arithmetic: their four products are computed as upper triangles only, the two
 * results mirrored (so they stay exactly symmetric), and Yᵀ = Y, gZ·Zᵀ = (Z·gZ)ᵀ. At 5 iterations
 * 18 C³ multiply-adds a sample instead of 24.
 */
function symmetricStep(step: i32, gradY: usize, gradZ: usize, gradP: usize, first: usize, second: usize, flipped: usize, nextY: usize): void {
  const y = ys(step - 1);
  const z = zs(step - 1);
  const p = ps(step);
  const gradZUsed = step < iterations;
  whole(y, false, gradY, first); // Y·gY
  let product: usize = 0; // gZ·Z = (Z·gZ)ᵀ, gZ itself when Z = I
  if (gradZUsed && step > 1) {
    whole(z, false, gradZ, second);
    transposeSquare(second, flipped, channels, stride);
    product = flipped;
  } else if (gradZUsed) product = gradZ;
  halfSum(gradP, first, product);
  upperOnly(gradY, p, first); // gY·P
  if (step > 1) upperOnly(z, gradP, second); // Z·gP (gP itself when Z = I)
  scaledDifference(nextY, 0.5, first, step > 1 ? second : gradP);
  mirrorLower(nextY, channels, stride);
  if (step == 1) return;
  upperOnly(gradP, y, second); // gP·Y
  if (gradZUsed) {
    upperOnly(p, gradZ, first); // P·gZ
    scaledDifference(gradZ, 0.5, first, second);
  } else scaledDifference(gradZ, -1, second, 0);
  mirrorLower(gradZ, channels, stride);
}
