// Covariance pooling (iSQRT-COV), forward and backward per sample in f32 SIMD (reference, in f64:
// src/kernels/reference/extra/covariance-pool.ts): channel means in f64, the centred cells [n, C]
// in f32, Σ = XcᵀXc/n, the Newton–Schulz iterations and their backward as f32x4 matrix products
// (products and sums in another order and precision: the kind's tolerance). A sample whose centred
// values are non-finite, beyond 2^40 or below 2^-40 (but not 0) raises its flag: f32 could overflow
// or underflow where f64 does not, so the TypeScript side runs the reference kernel on it.
import { currentThreadSlot } from '../../shared/thread-slot';
import { pointer, word } from './arguments';
import { multiplyRows, transposeSquare } from './covariance-products';

// Fields (src/kernels/wasm/kinds/filters/covariance.ts writes them).
const SAMPLES = 0;
const CHANNELS = 1;
const CELLS = 2;
const CHANNELS_LAST = 3;
const ITERATIONS = 4;
const INPUT = 5;
const OUTPUT = 6;
const GRAD_OUTPUT = 7;
const GRAD_INPUT = 8;
/** The forward-keep room (0: none): per sample the kept matrices, Y_0..Y_N, Z_0..Z_N, P_0..P_N and Σ. */
const KEPT = 9;
/** One i32 flag per sample. */
const FLAGS = 13;
const SCRATCH = 14;
const SCRATCH_SLOT_BYTES = 15;

// The sample's sizes and scratch matrices (per instance globals, so per thread).
let channels: i32 = 0;
/** Row stride of every C-wide matrix: C rounded up to 4 (the padding columns stay 0). */
let stride: i32 = 0;
let cells: i32 = 0;
let iterations: i32 = 0;
/** The centred cells [n, stride], then the gradient rows [n, stride]. */
let centred: usize = 0;
let cellRows: usize = 0;
/**
 * Y_0..Y_N, Z_0..Z_N, P_0..P_N (P_0 unused) and Σ: the sample's block of the forward-keep room when
 * there is one (written there by the forward, read there by the backward: no copies), else scratch.
 */
let matrices: usize = 0;
/** The backward's seven C×stride temporaries 1..7 (scratch, after the place of a scratch `matrices`). */
let temporaries: usize = 0;
let matrixBytes: usize = 0;
let trace: f64 = 0;
/** Element steps between a sample's cells and between its channels (the input's layout). */
let cellStep: usize = 0;
let channelStep: usize = 0;

/** Byte offset of (cell, channel) in a sample of the input's layout. */
@inline function elementOffset(cell: i32, channel: i32): usize {
  return (<usize>cell * cellStep + <usize>channel * channelStep) << 2;
}

@inline function matrix(index: i32): usize {
  return matrices + <usize>index * matrixBytes;
}
@inline function ys(step: i32): usize {
  return matrix(step);
}
@inline function zs(step: i32): usize {
  return matrix(iterations + 1 + step);
}
@inline function ps(step: i32): usize {
  return matrix(2 * iterations + 2 + step);
}
/** Σ·n (kept with the iterations' matrices). */
@inline function sigmaMatrix(): usize {
  return matrix(3 * iterations + 3);
}
/** The backward's temporaries 1..7. */
@inline function temporary(index: i32): usize {
  return temporaries + <usize>index * matrixBytes;
}
@inline function at(base: usize, row: i32, column: i32): usize {
  return base + ((<usize>row * <usize>stride + <usize>column) << 2);
}

/** The sample's sizes and this thread's scratch layout (the TypeScript side sizes the slot alike). */
function beginSample(block: usize): void {
  channels = word(block, CHANNELS);
  stride = (channels + 3) & ~3;
  cells = word(block, CELLS);
  iterations = word(block, ITERATIONS);
  const channelsLast = word(block, CHANNELS_LAST) != 0;
  cellStep = channelsLast ? <usize>channels : 1;
  channelStep = channelsLast ? 1 : <usize>cells;
  const slot = pointer(block, SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SCRATCH_SLOT_BYTES);
  const rowsBytes = (<usize>cells * <usize>stride) << 2;
  centred = slot;
  cellRows = centred + rowsBytes;
  matrices = cellRows + rowsBytes;
  matrixBytes = (<usize>channels * <usize>stride) << 2;
  temporaries = matrices + <usize>(3 * iterations + 3) * matrixBytes;
}

/**
 * C×C products of stride-wide matrices: out = op(a)·b, op the transpose when asked. (The iterations'
 * products are symmetric in exact arithmetic, but computing upper triangles only and mirroring them
 * moved 12 iterations on a rank-deficient Σ past the golden test's tolerance: left whole.)
 */
function square(a: usize, transposeA: bool, b: usize, out: usize): void {
  if (transposeA) multiplyRows(a, 1, stride, b, out, channels, channels, stride);
  else multiplyRows(a, stride, 1, b, out, channels, channels, stride);
}

/** Centres the sample into `centred`; returns false (flag) when f32 could lose what f64 keeps. */
function centre(block: usize, sample: i32): bool {
  const input = pointer(block, INPUT) + ((<usize>sample * <usize>cells * <usize>channels) << 2);
  if (channelStep == 1 && (channels & 1) == 0) return centrePairs(input);
  let largest: f64 = 0;
  let smallest: f64 = Infinity;
  for (let channel = 0; channel < stride; channel++) {
    if (channel >= channels) {
      for (let cell = 0; cell < cells; cell++) store<f32>(at(centred, cell, channel), 0);
      continue;
    }
    let mean: f64 = 0;
    for (let cell = 0; cell < cells; cell++)
      mean += <f64>load<f32>(input + elementOffset(cell, channel));
    mean /= <f64>cells;
    for (let cell = 0; cell < cells; cell++) {
      const value = <f64>load<f32>(input + elementOffset(cell, channel)) - mean;
      const size = Math.abs(value);
      if (!(size <= largest)) largest = size; // NaN sticks
      if (size != 0 && size < smallest) smallest = size;
      store<f32>(at(centred, cell, channel), <f32>value);
    }
  }
  return largest <= 1099511627776.0 && smallest >= 9.094947017729282e-13; // 2^40, 2^-40
}

/** x − mean in f64 for a pair of channels at `cell` (f32 x, f64 means at `means`). */
@inline function centredPair(cell: usize, means: usize): v128 {
  return f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(cell)), v128.load(means));
}

/** Each channel's mean over the cells in f64, summed in cell order (centre's order: the same bits), into `means`. */
function channelMeans(input: usize, means: usize): void {
  const rowBytes = <usize>channels << 2;
  let channel = 0;
  for (; channel + 8 <= channels; channel += 8) {
    let sum0 = f64x2.splat(0);
    let sum1 = sum0;
    let sum2 = sum0;
    let sum3 = sum0;
    let row = input + (<usize>channel << 2);
    for (let cell = 0; cell < cells; cell++, row += rowBytes) {
      const low = v128.load(row);
      const high = v128.load(row, 16);
      sum0 = f64x2.add(sum0, f64x2.promote_low_f32x4(low));
      sum1 = f64x2.add(sum1, f64x2.promote_low_f32x4(i32x4.shuffle(low, low, 2, 3, 2, 3)));
      sum2 = f64x2.add(sum2, f64x2.promote_low_f32x4(high));
      sum3 = f64x2.add(sum3, f64x2.promote_low_f32x4(i32x4.shuffle(high, high, 2, 3, 2, 3)));
    }
    const at = means + (<usize>channel << 3);
    v128.store(at, sum0);
    v128.store(at, sum1, 16);
    v128.store(at, sum2, 32);
    v128.store(at, sum3, 48);
  }
  for (; channel < channels; channel += 2) {
    let sum = f64x2.splat(0);
    let row = input + (<usize>channel << 2);
    for (let cell = 0; cell < cells; cell++, row += rowBytes) sum = f64x2.add(sum, f64x2.promote_low_f32x4(v128.load64_zero(row)));
    v128.store(means + (<usize>channel << 3), sum);
  }
  const count = f64x2.splat(<f64>cells);
  for (channel = 0; channel < channels; channel += 2) {
    const at = means + (<usize>channel << 3);
    v128.store(at, f64x2.div(v128.load(at), count));
  }
}

/** centre's flag rule on the f64 centred values: no NaN, every |value| ≤ 2^40, every non-zero |value| ≥ 2^-40. */
function centredInRange(input: usize, means: usize): bool {
  let bad = v128.splat<i64>(0);
  const largest = f64x2.splat(1099511627776.0);
  const smallest = f64x2.splat(9.094947017729282e-13);
  const zero = f64x2.splat(0);
  for (let cell = 0; cell < cells; cell++) {
    const row = input + ((<usize>cell * <usize>channels) << 2);
    for (let channel = 0; channel < channels; channel += 2) {
      const size = f64x2.abs(centredPair(row + (<usize>channel << 2), means + (<usize>channel << 3)));
      bad = v128.or(bad, v128.not(f64x2.le(size, largest))); // NaN fails size ≤ largest
      bad = v128.or(bad, v128.and(f64x2.ne(size, zero), f64x2.lt(size, smallest)));
    }
  }
  return !v128.any_true(bad);
}

/**
 * centre for channelsLast cells and an even channel count: the means in f64 lanes (channelMeans,
 * kept in temporary(7), unused until the backward's iterations), then each cell's x − mean in f64
 * rounded to f32, four channels a vector. The flag rule (centredInRange) is checked on the f32
 * results first, conservatively (|r| < 2^40 and |r| > 2^-40, 2^±40 being f32 values, so rounding
 * cannot carry a flagged f64 value past them); only a sample that fails that check (any zero
 * included) is checked again exactly in f64.
 */
function centrePairs(input: usize): bool {
  const means = temporary(7);
  channelMeans(input, means);
  const rowBytes = <usize>channels << 2;
  let inside = i32x4.splat(-1);
  let tiny = i32x4.splat(0);
  const largest = f32x4.splat(1099511627776.0);
  const smallest = f32x4.splat(9.094947017729282e-13);
  for (let cell = 0; cell < cells; cell++) {
    const row = input + <usize>cell * rowBytes;
    const target = at(centred, cell, 0);
    let channel = 0;
    for (; channel + 4 <= channels; channel += 4) {
      const low = f32x4.demote_f64x2_zero(centredPair(row + (<usize>channel << 2), means + (<usize>channel << 3)));
      const high = f32x4.demote_f64x2_zero(centredPair(row + (<usize>channel << 2) + 8, means + (<usize>channel << 3) + 16));
      const value = i32x4.shuffle(low, high, 0, 1, 4, 5);
      v128.store(target + (<usize>channel << 2), value);
      const size = f32x4.abs(value);
      inside = v128.and(inside, f32x4.lt(size, largest));
      tiny = v128.or(tiny, f32x4.le(size, smallest));
    }
    if (channel < channels) {
      const value = f32x4.demote_f64x2_zero(centredPair(row + (<usize>channel << 2), means + (<usize>channel << 3)));
      v128.store(target + (<usize>channel << 2), value); // the padding's two lanes get the zeros
      const size = i32x4.shuffle(f32x4.abs(value), f32x4.splat(1), 0, 1, 4, 5);
      inside = v128.and(inside, f32x4.lt(size, largest));
      tiny = v128.or(tiny, f32x4.le(size, smallest));
    }
  }
  if (i32x4.all_true(inside) && !v128.any_true(tiny)) return true;
  return centredInRange(input, means);
}

/**
 * Bytes a sample keeps, one block from `matrices` on: Y_0..Y_N, Z_0..Z_N, P_0..P_N and Σ, then the
 * centred cells [n, stride], then its flag (one i32, padded to 16 bytes). src/kernels/reference/
 * extra/covariance-pool.ts's covarianceKeptLength sizes the room alike.
 */
@inline function keptBytes(): usize {
  return <usize>(3 * iterations + 4) * matrixBytes + ((<usize>cells * <usize>stride) << 2) + 16;
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
  const divisor = trace * <f64>cells; // Σ/n, then /tr Σ, in f64 once
  for (let row = 0; row < channels; row++)
    for (let column = 0; column < stride; column++) {
      store<f32>(at(ys(0), row, column), <f32>(<f64>load<f32>(at(sigma, row, column)) / divisor));
      store<f32>(at(zs(0), row, column), row == column ? 1 : 0);
    }
  const half = f32x4.splat(0.5);
  const count = <usize>channels * <usize>stride;
  for (let step = 1; step <= iterations; step++) {
    // Z_0 = I: Z_0·Y_0 is Y_0 and P_1·Z_0 is P_1 (exact: the other terms are zeros); Z_N is unused
    const p = ps(step);
    if (step == 1) memory.copy(p, ys(0), count << 2);
    else square(zs(step - 1), false, ys(step - 1), p);
    for (let index: usize = 0; index < count; index += 4) v128.store(p + (index << 2), f32x4.neg(v128.load(p + (index << 2))));
    for (let diagonal = 0; diagonal < channels; diagonal++) store<f32>(at(p, diagonal, diagonal), load<f32>(at(p, diagonal, diagonal)) + 3);
    square(ys(step - 1), false, p, ys(step));
    const z = zs(step);
    const y = ys(step);
    if (step == iterations) {
      for (let index: usize = 0; index < count; index += 4) v128.store(y + (index << 2), f32x4.mul(half, v128.load(y + (index << 2))));
      continue;
    }
    if (step == 1) memory.copy(z, p, count << 2);
    else square(p, false, zs(step - 1), z);
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
  if (kept != 0) {
    matrices = kept + <usize>sample * keptBytes();
    centred = matrices + <usize>(3 * iterations + 4) * matrixBytes;
    keptFlag = centred + ((<usize>cells * <usize>stride) << 2);
  }
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

/** a = ½·first − second, element by element over `count` floats. */
function halfDifference(a: usize, first: usize, second: usize, count: usize): void {
  const half = f32x4.splat(0.5);
  for (let index: usize = 0; index < count; index += 4) {
    const offset = index << 2;
    v128.store(a + offset, f32x4.sub(f32x4.mul(half, v128.load(first + offset)), v128.load(second + offset)));
  }
}

/**
 * gY, gZ of Y_k, Z_k to those of Y_{k−1}, Z_{k−1}, for k = N..1 (the reference's rules); gY ends as
 * ∂L/∂A. Z_N is not used, so gZ_N = 0 and its products drop at k = N; Z_0 = I, so at k = 1 the
 * products with Z_0 are copies and gZ_0 is not needed.
 */
function iterateBackward(): void {
  const gradY = temporary(1);
  const gradZ = temporary(2);
  const gradP = temporary(3);
  const first = temporary(4);
  const second = temporary(5);
  const flipped = temporary(6);
  const nextY = temporary(7);
  const count = <usize>channels * <usize>stride;
  const half = f32x4.splat(0.5);
  for (let step = iterations; step >= 1; step--) {
    const y = ys(step - 1);
    const z = zs(step - 1);
    const p = ps(step);
    const gradZUsed = step < iterations;
    square(y, true, gradY, first); // Yᵀ·gY
    if (!gradZUsed) {
      for (let index: usize = 0; index < count; index += 4) v128.store(gradP + (index << 2), f32x4.mul(half, v128.load(first + (index << 2))));
    } else {
      let product = gradZ; // gZ·Zᵀ, gZ itself when Z = I
      if (step > 1) {
        transposeSquare(z, flipped, channels, stride);
        square(gradZ, false, flipped, second);
        product = second;
      }
      for (let index: usize = 0; index < count; index += 4) {
        const offset = index << 2;
        v128.store(gradP + offset, f32x4.mul(half, f32x4.add(v128.load(first + offset), v128.load(product + offset))));
      }
    }
    transposeSquare(p, flipped, channels, stride);
    square(gradY, false, flipped, first); // gY·Pᵀ
    if (step > 1) square(z, true, gradP, second); // Zᵀ·gP (gP itself when Z = I)
    halfDifference(nextY, first, step > 1 ? second : gradP, count);
    if (step > 1) {
      transposeSquare(y, flipped, channels, stride);
      square(gradP, false, flipped, second); // gP·Yᵀ
      if (gradZUsed) {
        square(p, true, gradZ, first); // Pᵀ·gZ
        halfDifference(gradZ, first, second, count);
      } else {
        for (let index: usize = 0; index < count; index += 4) v128.store(gradZ + (index << 2), f32x4.neg(v128.load(second + (index << 2))));
      }
    }
    memory.copy(gradY, nextY, count << 2);
  }
}

/** (∂L/∂Σ + ∂L/∂Σᵀ)/n (symmetric) into temporary(2), from the sample's output gradient (1/n folded in, in f64). */
function sigmaGradient(block: usize, sample: i32): usize {
  const gradY = temporary(1);
  const scale = Math.sqrt(trace);
  const root = ys(iterations);
  const count = <usize>channels * <usize>stride;
  for (let index: usize = 0; index < count; index += 4) v128.store(gradY + (index << 2), f32x4.splat(0));
  let gradient = pointer(block, GRAD_OUTPUT) + ((<usize>sample * <usize>(channels * (channels + 1) / 2)) << 2);
  let gradTrace: f64 = 0;
  for (let row = 0; row < channels; row++)
    for (let column = row; column < channels; column++, gradient += 4) {
      const value = <f64>load<f32>(gradient);
      store<f32>(at(gradY, row, column), <f32>(scale * value));
      gradTrace += (value * <f64>load<f32>(at(root, row, column))) / (2 * scale);
    }
  iterateBackward();
  const sigma = sigmaMatrix();
  for (let row = 0; row < channels; row++)
    for (let column = 0; column < channels; column++) {
      const normalised = <f64>load<f32>(at(gradY, row, column));
      gradTrace -= (normalised * (<f64>load<f32>(at(sigma, row, column)) / <f64>cells)) / (trace * trace);
    }
  const symmetric = temporary(2);
  for (let row = 0; row < channels; row++)
    for (let column = 0; column < channels; column++) {
      let value = (<f64>load<f32>(at(gradY, row, column)) + <f64>load<f32>(at(gradY, column, row))) / trace;
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
