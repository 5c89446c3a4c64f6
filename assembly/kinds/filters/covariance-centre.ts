// Covariance pooling's centring (covariance.ts): each channel's mean over the sample's cells in f64, the
// centred cells in f32 into the sample's `centred` rows, and the range check that flags a sample f32
// could lose (left to the reference kernel).
import { pointer } from './arguments';
import { at, cells, centred, channelStep, channels, elementOffset, INPUT, stride, temporary } from './covariance-sample';

/** Centres the sample into `centred`; returns false (flag) when f32 could lose what f64 keeps. */
export function centre(block: usize, sample: i32): bool {
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
