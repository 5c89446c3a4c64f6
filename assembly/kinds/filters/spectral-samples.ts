// Spectral pooling's and DiffStride's samples (spectral.ts, spectral-mask-real.ts): a sample's f32
// values in and out of the f64 buffers the axis products work on, channels padded to an even count,
// with the finite check that sends a sample holding NaN or ±∞ to the reference kernel.
import { pointer, word } from './arguments';

@inline export function sizeOf(block: usize, field: i32, axis: i32): i32 {
  return word(block, field + axis);
}

/** A sample of the tensor at `field` ([sizes at `sizeField`]) → f64 buffer [cells, padded] (padding 0); false when a value is not finite. */
export function loadSample(block: usize, field: i32, sizeField: i32, sample: i32, target: usize, channels: i32, padded: i32): bool {
  const cells = sizeOf(block, sizeField, 0) * sizeOf(block, sizeField, 1) * sizeOf(block, sizeField, 2);
  const source = pointer(block, field) + ((<usize>sample * <usize>cells * <usize>channels) << 2);
  if (channels == padded) return loadEven(source, target, cells * channels);
  let finite = true;
  for (let cell = 0; cell < cells; cell++) {
    for (let channel = 0; channel < padded; channel++) {
      const value: f64 = channel < channels ? <f64>load<f32>(source + ((<usize>cell * <usize>channels + <usize>channel) << 2)) : 0;
      if (value - value != 0) finite = false;
      store<f64>(target + ((<usize>cell * <usize>padded + <usize>channel) << 3), value);
    }
  }
  return finite;
}

/**
 * loadSample without padding (an even channel count): four f32 values widened to two f64x2 at a time;
 * x − x is +0 for every finite x and NaN otherwise, OR-ed into a mask (no chain of adds to wait on).
 */
function loadEven(source: usize, target: usize, values: i32): bool {
  let poison = i32x4.splat(0);
  let index = 0;
  for (; index + 4 <= values; index += 4) {
    const value = v128.load(source + (<usize>index << 2));
    poison = v128.or(poison, f32x4.sub(value, value));
    v128.store(target + (<usize>index << 3), f64x2.promote_low_f32x4(value));
    v128.store(target + (<usize>index << 3), f64x2.promote_low_f32x4(i64x2.shuffle(value, value, 1, 1)), 16);
  }
  for (; index < values; index += 2) {
    const value = v128.load64_zero(source + (<usize>index << 2));
    poison = v128.or(poison, f32x4.sub(value, value));
    v128.store(target + (<usize>index << 3), f64x2.promote_low_f32x4(value));
  }
  return !v128.any_true(poison);
}

/** sample's `cells`×`channels` f32 values at `target` = the f64 buffer [cells, padded] divided by `divisor`. */
export function storeSample(buffer: usize, target: usize, cells: i32, channels: i32, padded: i32, divisor: f64): void {
  if (channels == padded) {
    // times 1/divisor: a division per lane pair was a fifth of the backward (within the kinds' tolerance)
    const reciprocal = f64x2.splat(1 / divisor);
    for (let index = 0; index < cells * channels; index += 2) {
      const value = f32x4.demote_f64x2_zero(f64x2.mul(v128.load(buffer + (<usize>index << 3)), reciprocal));
      v128.store64_lane(target + (<usize>index << 2), value, 0);
    }
    return;
  }
  for (let cell = 0; cell < cells; cell++)
    for (let channel = 0; channel < channels; channel++) {
      const value = load<f64>(buffer + ((<usize>cell * <usize>padded + <usize>channel) << 3)) / divisor;
      store<f32>(target + ((<usize>cell * <usize>channels + <usize>channel) << 2), <f32>value);
    }
}
