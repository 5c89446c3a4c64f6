// The counter-based draws of stochastic and random pooling (src/tensor/counter-draws.ts), four
// output elements at a time: u = lowbias32(lowbias32(i + keyLow) ^ keyHigh) · 2⁻³² for element i,
// the same integer arithmetic lane by lane, so every thread split and SIMD width gives the same draws.
import { word } from '../../pool/arguments';
import { ZERO } from './lanes';

/** Block words of the call's key (src/kernels/wasm/kinds/selection.ts's FIELDS drawKeyLow, drawKeyHigh). */
export const DRAW_KEY_LOW = 50;
export const DRAW_KEY_HIGH = 58;

// The key of the call (per instance, so per thread), set by beginDraws.
let keyLow: i32 = 0;
let keyHigh: v128 = ZERO;

/** Reads the call's key from the block: once per kernel call, before drawUniforms. */
export function beginDraws(block: usize): void {
  keyLow = word(block, DRAW_KEY_LOW);
  keyHigh = i32x4.splat(word(block, DRAW_KEY_HIGH));
}

/** Wellons' lowbias32 on four words (i32x4.mul keeps the low 32 bits, as Math.imul). */
@inline
function lowbias32(word: v128): v128 {
  let mixed = v128.xor(word, i32x4.shr_u(word, 16));
  mixed = i32x4.mul(mixed, i32x4.splat(0x7feb352d));
  mixed = v128.xor(mixed, i32x4.shr_u(mixed, 15));
  mixed = i32x4.mul(mixed, i32x4.splat(<i32>0x846ca68b));
  return v128.xor(mixed, i32x4.shr_u(mixed, 16));
}

/** The 32 random bits of output elements i..i + 3. */
@inline
export function drawBits(index: usize): v128 {
  const counters = i32x4.add(i32x4.splat(<i32>index + keyLow), i32x4(0, 1, 2, 3));
  return lowbias32(v128.xor(lowbias32(counters), keyHigh));
}

/** Lanes 0-1 (`upper` false) or 2-3 of drawBits's words as draws in [0, 1), f64: word · 2⁻³², exact. */
@inline
export function uniformHalf(bits: v128, upper: bool): v128 {
  const words = upper ? i32x4.shuffle(bits, bits, 2, 3, 2, 3) : bits;
  return f64x2.mul(f64x2.convert_low_i32x4_u(words), f64x2.splat(2.3283064365386963e-10));
}

/** The high half of drawUniforms's last result (elements i + 2 and i + 3). */
export let drawsHigh: v128 = ZERO;

/** The draws of output elements i..i + 3 as f64: the low half (i, i + 1) returned, the high one in drawsHigh. */
@inline
export function drawUniforms(index: usize): v128 {
  const bits = drawBits(index);
  drawsHigh = uniformHalf(bits, true);
  return uniformHalf(bits, false);
}
