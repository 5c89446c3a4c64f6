// Masked pooling over the time axis of [batch, time, features] (maskedPoolForward / Backward of
// src/kernels/reference/extra/masked-pool.ts), max and average: a unit is one sample. Max keeps
// the reference's NaN and tie rules in float32 lanes; the average sums and divides in float64 as
// the reference does (so both are bit for bit); an all-padding sequence outputs 0.
import { pointer, word } from '../../pool/arguments';

// Argument words (src/kernels/wasm/kinds/regions-masked.ts writes them).
const TIME = 0;
const FEATURES = 1;
/** 0: max, 1: average. */
const MODE = 2;
const INPUT = 3;
/** One byte per (sample, step): 1 for a real step. */
const MASK = 4;
const OUTPUT = 5;
const ARGMAX = 6;
const GRAD_OUTPUT = 7;
const GRAD_INPUT = 8;

@inline
function valid(block: usize, sample: i32, step: i32, time: i32): bool {
  return load<u8>(pointer(block, MASK) + <usize>(sample * time + step)) == 1;
}

function validSteps(block: usize, sample: i32, time: i32): i32 {
  let count = 0;
  for (let step = 0; step < time; step++) if (valid(block, sample, step, time)) count++;
  return count;
}

/** Max of four features' valid steps: the value (0 with none) and the step (−1 with none). */
@inline
function maxLanes(block: usize, sample: i32, feature: i32, time: i32, features: i32, count: i32): void {
  let best = f32x4.splat(-Infinity);
  let bestStep = i32x4.splat(-1);
  for (let step = 0; step < time; step++) {
    if (!valid(block, sample, step, time)) continue;
    const value = v128.load(pointer(block, INPUT) + (<usize>((sample * time + step) * features + feature) << 2));
    const better = v128.or(f32x4.gt(value, best), f32x4.ne(value, value));
    const first = i32x4.lt_s(bestStep, i32x4.splat(0));
    best = v128.bitselect(value, best, better);
    bestStep = v128.bitselect(i32x4.splat(step), bestStep, v128.or(better, first));
  }
  const at = <usize>(sample * features + feature) << 2;
  v128.store(pointer(block, OUTPUT) + at, count == 0 ? f32x4.splat(0) : best);
  if (pointer(block, ARGMAX) != 0) v128.store(pointer(block, ARGMAX) + at, bestStep);
}

@inline
function maxScalar(block: usize, sample: i32, feature: i32, time: i32, features: i32, count: i32): void {
  let best = -Infinity as f32;
  let bestStep = -1;
  for (let step = 0; step < time; step++) {
    if (!valid(block, sample, step, time)) continue;
    const value = load<f32>(pointer(block, INPUT) + (<usize>((sample * time + step) * features + feature) << 2));
    if (bestStep < 0) bestStep = step;
    if (value > best || value != value) {
      best = value;
      bestStep = step;
    }
  }
  const at = <usize>(sample * features + feature) << 2;
  store<f32>(pointer(block, OUTPUT) + at, count == 0 ? 0 : best);
  if (pointer(block, ARGMAX) != 0) store<i32>(pointer(block, ARGMAX) + at, bestStep);
}

/** Float64 mean of one feature's valid steps (0 with none). */
@inline
function averageScalar(block: usize, sample: i32, feature: i32, time: i32, features: i32, count: i32): void {
  let sum: f64 = 0;
  for (let step = 0; step < time; step++) {
    if (!valid(block, sample, step, time)) continue;
    sum += <f64>load<f32>(pointer(block, INPUT) + (<usize>((sample * time + step) * features + feature) << 2));
  }
  store<f32>(pointer(block, OUTPUT) + (<usize>(sample * features + feature) << 2), count == 0 ? 0 : <f32>(sum / <f64>count));
}

export function maskedForwardSamples(block: usize, first: i32, end: i32): void {
  const time = word(block, TIME);
  const features = word(block, FEATURES);
  const max = word(block, MODE) == 0;
  for (let sample = first; sample < end; sample++) {
    const count = validSteps(block, sample, time);
    let feature = 0;
    if (max) for (; feature + 4 <= features; feature += 4) maxLanes(block, sample, feature, time, features, count);
    for (; feature < features; feature++) {
      if (max) maxScalar(block, sample, feature, time, features, count);
      else averageScalar(block, sample, feature, time, features, count);
    }
  }
}

/** Max: the gradient to the chosen step; average: gradient / count (float64) added to every valid step. */
export function maskedBackwardSamples(block: usize, first: i32, end: i32): void {
  const time = word(block, TIME);
  const features = word(block, FEATURES);
  const max = word(block, MODE) == 0;
  const gradOutput = pointer(block, GRAD_OUTPUT);
  const gradInput = pointer(block, GRAD_INPUT);
  for (let sample = first; sample < end; sample++) {
    const count = validSteps(block, sample, time);
    for (let feature = 0; feature < features; feature++) {
      const outputIndex = <usize>(sample * features + feature);
      const gradient = load<f32>(gradOutput + (outputIndex << 2));
      if (max) {
        const step = load<i32>(pointer(block, ARGMAX) + (outputIndex << 2));
        if (step < 0 || !valid(block, sample, step, time)) continue;
        const at = gradInput + (<usize>((sample * time + step) * features + feature) << 2);
        store<f32>(at, load<f32>(at) + gradient);
        continue;
      }
      const share = <f64>gradient / <f64>count;
      for (let step = 0; step < time; step++) {
        if (!valid(block, sample, step, time)) continue;
        const at = gradInput + (<usize>((sample * time + step) * features + feature) << 2);
        store<f32>(at, <f32>(<f64>load<f32>(at) + share));
      }
    }
  }
}
