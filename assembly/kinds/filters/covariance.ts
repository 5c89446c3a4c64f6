// Covariance pooling (iSQRT-COV), forward and backward per sample in f32 SIMD (reference, in f64:
// src/kernels/reference/extra/covariance-pool.ts): channel means in f64, the centred cells [n, C]
// in f32, Σ = XcᵀXc/n, the Newton–Schulz iterations and their backward as f32x4 matrix products
// (products and sums in another order and precision: the kind's tolerance; up to 8 iterations the
// iterations' symmetric products as upper triangles, covariance-sample.ts SYMMETRIC_ITERATIONS). A sample whose centred
// values are non-finite, beyond 2^40 or below 2^-40 (but not 0) raises its flag: f32 could overflow
// or underflow where f64 does not, so the TypeScript side runs the reference kernel on it.
import { pointer } from './arguments';
import { centre } from './covariance-centre';
import { iterateBackward } from './covariance-backward';
import { multiplyRows } from './covariance-products';
import { at, beginSample, cellRows, cells, centred, channels, channelStep, elementOffset, FLAGS, GRAD_INPUT, GRAD_OUTPUT, iterations, KEPT, matrixBytes, OUTPUT, placeInRoom, ps, sigmaMatrix, SYMMETRIC_ITERATIONS, stride, temporary, ys, zs } from './covariance-sample';

let trace: f64 = 0;

/**
 * The iterations' C×C products of stride-wide matrices, out = a·b. Their results (Y_k, Z_k and the
 * P_k's Z·Y) are symmetric in exact arithmetic: up to SYMMETRIC_ITERATIONS the upper triangle only
 * (the column blocks reaching the diagonal), mirrored, so every matrix is exactly symmetric (as the
 * backward's symmetric form takes them); past it whole (see SYMMETRIC_ITERATIONS).
 */
function square(a: usize, b: usize, out: usize): void {
  multiplyRows(a, stride, 1, b, out, channels, channels, stride, iterations <= SYMMETRIC_ITERATIONS);
}

/** tr Σ from Σ·n (in `sigma`): the diagonal's sum in f64. */
function traceOf(sigma: usize): f64 {
  let sum: f64 = 0;
  for (let index = 0; index < channels; index++) sum += <f64>load<f32>(at(sigma, index, index)) / <f64>cells;
  return sum;
}

/** Σ, trace, A = Σ/tr Σ into Y_0, Z_0 = I, and the iterations; false when tr Σ is 0. */
function iterate(): bool {
  const sigma = sigmaMatrix();
  multiplyRows(centred, 1, stride, centred, sigma, channels, cells, stride, true);
  trace = traceOf(sigma);
  if (trace == 0) return false;
  // Σ/n, then /tr Σ, in f64 once (two quotients an instruction: the same per element)
  const divisor = f64x2.splat(trace * <f64>cells);
  for (let row = 0; row < channels; row++)
    for (let column = 0; column < stride; column += 4) {
      const source = v128.load(at(sigma, row, column));
      const low = f32x4.demote_f64x2_zero(f64x2.div(f64x2.promote_low_f32x4(source), divisor));
      const high = f32x4.demote_f64x2_zero(f64x2.div(f64x2.promote_low_f32x4(i32x4.shuffle(source, source, 2, 3, 2, 3)), divisor));
      v128.store(at(ys(0), row, column), i32x4.shuffle(low, high, 0, 1, 4, 5));
    }
  memory.fill(zs(0), 0, matrixBytes);
  for (let diagonal = 0; diagonal < channels; diagonal++) store<f32>(at(zs(0), diagonal, diagonal), 1);
  const half = f32x4.splat(0.5);
  const count = <usize>channels * <usize>stride;
  for (let step = 1; step <= iterations; step++) {
    // Z_0 = I: Z_0·Y_0 is Y_0 and P_1·Z_0 is P_1 (exact: the other terms are zeros); Z_N is unused
    const p = ps(step);
    if (step == 1) memory.copy(p, ys(0), count << 2);
    else square(zs(step - 1), ys(step - 1), p);
    for (let index: usize = 0; index < count; index += 4) v128.store(p + (index << 2), f32x4.neg(v128.load(p + (index << 2))));
    for (let diagonal = 0; diagonal < channels; diagonal++) store<f32>(at(p, diagonal, diagonal), load<f32>(at(p, diagonal, diagonal)) + 3);
    square(ys(step - 1), p, ys(step));
    const z = zs(step);
    const y = ys(step);
    if (step == iterations) {
      for (let index: usize = 0; index < count; index += 4) v128.store(y + (index << 2), f32x4.mul(half, v128.load(y + (index << 2))));
      continue;
    }
    if (step == 1) memory.copy(z, p, count << 2);
    else square(p, zs(step - 1), z);
    for (let index: usize = 0; index < count; index += 4) {
      v128.store(y + (index << 2), f32x4.mul(half, v128.load(y + (index << 2))));
      v128.store(z + (index << 2), f32x4.mul(half, v128.load(z + (index << 2))));
    }
  }
  return true;
}

/**
 * Centres and iterates a sample: −1 when flagged (left to the reference), 0 when tr Σ is 0, else 1.
 * With a room, the forward centres and iterates into the sample's block there and keeps its flag,
 * and the backward takes them back (the same bits centring and iterating would give again).
 */
function beginAndIterate(block: usize, sample: i32, backward: bool): i32 {
  beginSample(block);
  const kept = pointer(block, KEPT);
  const flags = pointer(block, FLAGS) + (<usize>sample << 2);
  let keptFlag: usize = 0;
  if (kept != 0) keptFlag = placeInRoom(kept, sample);
  if (kept != 0 && backward) {
    const flagged = load<i32>(keptFlag);
    store<i32>(flags, flagged);
    if (flagged != 0) return -1;
    trace = traceOf(sigmaMatrix());
    return trace == 0 ? 0 : 1;
  }
  const flagged = centre(block, sample) ? 0 : 1;
  store<i32>(flags, flagged);
  if (keptFlag != 0) store<i32>(keptFlag, flagged);
  if (flagged != 0) return -1;
  return iterate() ? 1 : 0;
}

/** Samples [firstUnit, endUnit): the upper triangle of √(tr Σ)·Y_N (zeros when tr Σ is 0). */
export function covarianceForwardSamples(block: usize, firstUnit: i32, endUnit: i32): void {
  for (let sample = firstUnit; sample < endUnit; sample++) {
    const state = beginAndIterate(block, sample, false);
    if (state < 0) continue;
    const nonzero = state > 0;
    const scale = Math.sqrt(trace);
    const root = ys(iterations);
    let output = pointer(block, OUTPUT) + ((<usize>sample * <usize>(channels * (channels + 1) / 2)) << 2);
    for (let row = 0; row < channels; row++)
      for (let column = row; column < channels; column++, output += 4)
        store<f32>(output, nonzero ? <f32>(scale * <f64>load<f32>(at(root, row, column))) : 0);
  }
}

/** Two f32 at `address` as f64 lanes. */
@inline
function pairAt(address: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(address));
}

/** total + lane 0 + lane 1, in that order (a scalar loop's sum). */
@inline
function addLanes(total: f64, terms: v128): f64 {
  return total + f64x2.extract_lane(terms, 0) + f64x2.extract_lane(terms, 1);
}

/**
 * gY_N = √(tr Σ)·(the output gradient in the upper triangle) into temporary(1) (zeros elsewhere);
 * returns Σ g·Y_N/(2√(tr Σ)) over the triangle, row by row. Channel pairs in f64 lanes: each term's
 * quotient the same, the sum in the same order.
 */
function rootGradient(block: usize, sample: i32): f64 {
  const gradY = temporary(1);
  const scale = Math.sqrt(trace);
  const root = ys(iterations);
  memory.fill(gradY, 0, matrixBytes);
  let gradient = pointer(block, GRAD_OUTPUT) + ((<usize>sample * <usize>(channels * (channels + 1) / 2)) << 2);
  let gradTrace: f64 = 0;
  const scales = f64x2.splat(scale);
  const doubled = f64x2.splat(2 * scale);
  for (let row = 0; row < channels; row++) {
    let column = row;
    for (; column + 2 <= channels; column += 2, gradient += 8) {
      const values = pairAt(gradient);
      v128.store64_lane(at(gradY, row, column), f32x4.demote_f64x2_zero(f64x2.mul(scales, values)), 0);
      gradTrace = addLanes(gradTrace, f64x2.div(f64x2.mul(values, pairAt(at(root, row, column))), doubled));
    }
    if (column == channels) continue;
    const value = <f64>load<f32>(gradient);
    store<f32>(at(gradY, row, column), <f32>(scale * value));
    gradTrace += (value * <f64>load<f32>(at(root, row, column))) / (2 * scale);
    gradient += 4;
  }
  return gradTrace;
}

/** gradTrace − Σ gA·(Σ/n)/(tr Σ)², over the rows in order (gA = ∂L/∂A in temporary(1)), pairs in f64 lanes. */
function normalisationTrace(gradTrace: f64): f64 {
  const gradA = temporary(1);
  const sigma = sigmaMatrix();
  const cellCount = f64x2.splat(<f64>cells);
  const squared = f64x2.splat(trace * trace);
  for (let row = 0; row < channels; row++) {
    let column = 0;
    for (; column + 2 <= channels; column += 2) {
      const terms = f64x2.div(f64x2.mul(pairAt(at(gradA, row, column)), f64x2.div(pairAt(at(sigma, row, column)), cellCount)), squared);
      gradTrace = gradTrace - f64x2.extract_lane(terms, 0) - f64x2.extract_lane(terms, 1);
    }
    if (column == channels) continue;
    const normalised = <f64>load<f32>(at(gradA, row, column));
    gradTrace -= (normalised * (<f64>load<f32>(at(sigma, row, column)) / <f64>cells)) / (trace * trace);
  }
  return gradTrace;
}

/** (∂L/∂Σ + ∂L/∂Σᵀ)/n (symmetric) into temporary(2), from the sample's output gradient (1/n folded in, in f64). */
function sigmaGradient(block: usize, sample: i32): usize {
  let gradTrace = rootGradient(block, sample);
  iterateBackward();
  gradTrace = normalisationTrace(gradTrace);
  const gradA = temporary(1);
  const symmetric = temporary(2);
  const traces = f64x2.splat(trace);
  const cellCount = f64x2.splat(<f64>cells);
  for (let row = 0; row < channels; row++) {
    let column = 0;
    for (; column + 2 <= channels; column += 2) {
      const transposed = f64x2.replace_lane(f64x2.splat(<f64>load<f32>(at(gradA, column, row))), 1, <f64>load<f32>(at(gradA, column + 1, row)));
      let value = f64x2.div(f64x2.add(pairAt(at(gradA, row, column)), transposed), traces);
      // the diagonal's lane only (adding 0 elsewhere would turn −0 into +0)
      if (row == column) value = f64x2.replace_lane(value, 0, f64x2.extract_lane(value, 0) + 2 * gradTrace);
      if (row == column + 1) value = f64x2.replace_lane(value, 1, f64x2.extract_lane(value, 1) + 2 * gradTrace);
      v128.store64_lane(at(symmetric, row, column), f32x4.demote_f64x2_zero(f64x2.div(value, cellCount)), 0);
    }
    if (column == channels) continue;
    let value = (<f64>load<f32>(at(gradA, row, column)) + <f64>load<f32>(at(gradA, column, row))) / trace;
    if (row == column) value += 2 * gradTrace;
    store<f32>(at(symmetric, row, column), <f32>(value / <f64>cells));
  }
  return symmetric;
}

/** Samples [firstUnit, endUnit): ∂L/∂x = Xc·(∂L/∂Σ + ∂L/∂Σᵀ)/n, zeros when tr Σ is 0; flags as the forward. */
export function covarianceBackwardSamples(block: usize, firstUnit: i32, endUnit: i32): void {
  for (let sample = firstUnit; sample < endUnit; sample++) {
    const state = beginAndIterate(block, sample, true);
    if (state < 0) continue;
    const gradInput = pointer(block, GRAD_INPUT) + ((<usize>sample * <usize>cells * <usize>channels) << 2);
    if (state == 0) {
      memory.fill(gradInput, 0, (<usize>cells * <usize>channels) << 2);
      continue;
    }
    // rows of C contiguous channels (C a multiple of 4) are the product's own rows: written in place
    const inPlace = channelStep == 1 && stride == channels;
    const rows = inPlace ? gradInput : cellRows;
    multiplyRows(centred, stride, 1, sigmaGradient(block, sample), rows, cells, channels, stride);
    if (inPlace) continue;
    for (let cell = 0; cell < cells; cell++)
      for (let channel = 0; channel < channels; channel++)
        store<f32>(gradInput + elementOffset(cell, channel), load<f32>(at(cellRows, cell, channel)));
  }
}
