// Counter-based uniform draws for stochastic and random pooling: the draw of output element i is a
// fixed function of (the call's key, i), so any backend, SIMD width or thread split computes it alone.
import type { Random } from './random.js';

/** One call's draws: two int32 words taken from the call's Random (so the same seed gives the same key). */
export interface DrawKey {
  readonly low: number;
  readonly high: number;
}

/** Bits of each draw: draw = bits · 2⁻³², so draws are the multiples of 2⁻³² in [0, 1 − 2⁻³²]. */
export const DRAW_BITS = 32;

/** The key of a call that draws: two 32-bit words from `random` (two of its uniforms, the generator advanced by them). */
export function drawKey(random: Random): DrawKey {
  return { low: random.integer(2 ** 32) | 0, high: random.integer(2 ** 32) | 0 };
}

/** Wellons' lowbias32 integer hash (a bijection of the 32-bit words): xor-shifts and two multiplies. */
function lowbias32(word: number): number {
  let mixed = word ^ (word >>> 16);
  mixed = Math.imul(mixed, 0x7feb352d);
  mixed ^= mixed >>> 15;
  mixed = Math.imul(mixed, 0x846ca68b | 0);
  return mixed ^ (mixed >>> 16);
}

/**
 * The 32 random bits of draw `counter` (an output element's index) under `key`:
 * lowbias32(lowbias32(counter + key.low) ^ key.high) as an unsigned word, all arithmetic modulo 2³².
 * assembly/kinds/selection/draws.ts computes the same on four counters at a time.
 */
export function drawBits(key: DrawKey, counter: number): number {
  return lowbias32(lowbias32((counter + key.low) | 0) ^ key.high) >>> 0;
}

/** Draw `counter` under `key` as a uniform number in [0, 1): drawBits · 2⁻³² (exact in a double). */
export function drawUniform(key: DrawKey, counter: number): number {
  return drawBits(key, counter) * 2 ** -DRAW_BITS;
}
