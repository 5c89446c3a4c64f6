// Elementwise training kernels: the Adam and SGD updates (in place over parameter and slot arrays),
// relu forward and backward, and the sum of two arrays (the tape's gradient accumulation). Units are
// ELEMENT_UNIT elements. The updates run the reference's operations in its order and precision (Adam
// float32, SGD float64), so they give the same bits.
import {
  ARRAY_0, ARRAY_1, ARRAY_2, ARRAY_3, ELEMENT_COUNT, ELEMENT_UNIT, FLAG, pointer, real, word,
} from './arguments';

/** Elements [first, end) of units [firstUnit, endUnit), packed as (first << 32) | end. */
@inline
function elementRange(block: usize, firstUnit: i32, endUnit: i32): u64 {
  const count = word(block, ELEMENT_COUNT);
  const first = min(count, firstUnit * ELEMENT_UNIT);
  const end = min(count, endUnit * ELEMENT_UNIT);
  return (<u64>first << 32) | <u64>end;
}

/**
 * Keras's Adam in float32, as src/kernels/reference/train-elementwise.ts: arrays values, grad, m, v;
 * reals stepRate, 1 − β1, 1 − β2, ε (rounded to float32). Operations in the reference's order.
 */
export function adamUpdate(block: usize, firstUnit: i32, endUnit: i32): void {
  const range = elementRange(block, firstUnit, endUnit);
  const stepRate = f32x4.splat(<f32>real(block, 0));
  const firstBlend = f32x4.splat(<f32>real(block, 1));
  const secondBlend = f32x4.splat(<f32>real(block, 2));
  const epsilon = f32x4.splat(<f32>real(block, 3));
  const values = pointer(block, ARRAY_0);
  const grad = pointer(block, ARRAY_1);
  const firstMoment = pointer(block, ARRAY_2);
  const secondMoment = pointer(block, ARRAY_3);
  let index = <i32>(range >> 32);
  for (; index + 4 <= <i32>range; index += 4) {
    const offset = <usize>index << 2;
    const g = v128.load(grad + offset);
    const m = v128.load(firstMoment + offset);
    const v = v128.load(secondMoment + offset);
    const first = f32x4.add(m, f32x4.mul(f32x4.sub(g, m), firstBlend));
    const second = f32x4.add(v, f32x4.mul(f32x4.sub(f32x4.mul(g, g), v), secondBlend));
    const change = f32x4.div(f32x4.mul(stepRate, first), f32x4.add(f32x4.sqrt(second), epsilon));
    v128.store(firstMoment + offset, first);
    v128.store(secondMoment + offset, second);
    v128.store(values + offset, f32x4.sub(v128.load(values + offset), change));
  }
  for (; index < <i32>range; index++) {
    const offset = <usize>index << 2;
    adamScalar(block, values + offset, load<f32>(grad + offset), firstMoment + offset, secondMoment + offset);
  }
}

@inline
function adamScalar(block: usize, values: usize, gradient: f32, firstMoment: usize, secondMoment: usize): void {
  const first = load<f32>(firstMoment) + (gradient - load<f32>(firstMoment)) * <f32>real(block, 1);
  const second = load<f32>(secondMoment) + (gradient * gradient - load<f32>(secondMoment)) * <f32>real(block, 2);
  store<f32>(firstMoment, first);
  store<f32>(secondMoment, second);
  store<f32>(values, load<f32>(values) - (<f32>real(block, 0) * first) / (Mathf.sqrt(second) + <f32>real(block, 3)));
}

/**
 * Keras's SGD: arrays values, grad, velocity; reals learningRate, momentum; FLAG nesterov.
 * u ← μ·u − lr·g; w ← w + u, or w + μ·u − lr·g with Nesterov (u unrounded, as the reference).
 */
export function sgdUpdate(block: usize, firstUnit: i32, endUnit: i32): void {
  const range = elementRange(block, firstUnit, endUnit);
  const negativeRate = -real(block, 0);
  const momentum = real(block, 1);
  const nesterov = word(block, FLAG) != 0;
  const values = pointer(block, ARRAY_0);
  const grad = pointer(block, ARRAY_1);
  const velocity = pointer(block, ARRAY_2);
  for (let index = <i32>(range >> 32); index < <i32>range; index++) {
    const offset = <usize>index << 2;
    const step = negativeRate * <f64>load<f32>(grad + offset);
    const updated = momentum * <f64>load<f32>(velocity + offset) + step;
    store<f32>(velocity + offset, <f32>updated);
    store<f32>(values + offset, <f32>(<f64>load<f32>(values + offset) + (nesterov ? momentum * updated + step : updated)));
  }
}

/** output = input < 0 ? 0 : input (NaN and −0 pass through, as the reference): arrays input, output. */
export function reluForward(block: usize, firstUnit: i32, endUnit: i32): void {
  const range = elementRange(block, firstUnit, endUnit);
  const input = pointer(block, ARRAY_0);
  const output = pointer(block, ARRAY_1);
  const zero = f32x4.splat(0);
  let index = <i32>(range >> 32);
  for (; index + 4 <= <i32>range; index += 4) {
    const value = v128.load(input + (<usize>index << 2));
    v128.store(output + (<usize>index << 2), v128.bitselect(zero, value, f32x4.lt(value, zero)));
  }
  for (; index < <i32>range; index++) {
    const value = load<f32>(input + (<usize>index << 2));
    store<f32>(output + (<usize>index << 2), value < 0 ? 0 : value);
  }
}

/** gradInput = output > 0 ? gradOutput : 0: arrays output, gradOutput, gradInput. */
export function reluBackward(block: usize, firstUnit: i32, endUnit: i32): void {
  const range = elementRange(block, firstUnit, endUnit);
  const output = pointer(block, ARRAY_0);
  const gradOutput = pointer(block, ARRAY_1);
  const gradInput = pointer(block, ARRAY_2);
  const zero = f32x4.splat(0);
  let index = <i32>(range >> 32);
  for (; index + 4 <= <i32>range; index += 4) {
    const offset = <usize>index << 2;
    const positive = f32x4.gt(v128.load(output + offset), zero);
    v128.store(gradInput + offset, v128.and(v128.load(gradOutput + offset), positive));
  }
  for (; index < <i32>range; index++) {
    const offset = <usize>index << 2;
    store<f32>(gradInput + offset, load<f32>(output + offset) > 0 ? load<f32>(gradOutput + offset) : 0);
  }
}

/** sum = left + right: arrays left, right, sum; one float32 add per element, the reference's bits. */
export function addForward(block: usize, firstUnit: i32, endUnit: i32): void {
  const range = elementRange(block, firstUnit, endUnit);
  const left = pointer(block, ARRAY_0);
  const right = pointer(block, ARRAY_1);
  const sum = pointer(block, ARRAY_2);
  let index = <i32>(range >> 32);
  for (; index + 4 <= <i32>range; index += 4) {
    const offset = <usize>index << 2;
    v128.store(sum + offset, f32x4.add(v128.load(left + offset), v128.load(right + offset)));
  }
  for (; index < <i32>range; index++) {
    const offset = <usize>index << 2;
    store<f32>(sum + offset, load<f32>(left + offset) + load<f32>(right + offset));
  }
}
