// A multiply-add loop with no memory traffic. The benchmarks run it on one thread and on all of them
// to report how much arithmetic the host's cores delivered during the run: the two vCPUs of a shared
// machine sometimes share one core's floating-point units, and then no compute-bound kernel scales.
import { ARRAY_0, ARRAY_1, ELEMENT_COUNT, ELEMENT_UNIT, pointer, takeScratch, word } from './arguments';
import { madd } from './tile';

/** Groups of ten independent multiply-adds per unit: 10 · 4 lanes · 2 flops each. */
export const PROBE_STEPS = 1 << 19;

/** Units are independent runs of PROBE_STEPS groups; each stores its sums in its thread's scratch slot. */
export function fmaProbe(block: usize, firstUnit: i32, endUnit: i32): void {
  const b = f32x4.splat(1.0000001);
  const c = f32x4.splat(1e-9);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    let a0 = f32x4.splat(<f32>unit), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
    for (let step = 0; step < PROBE_STEPS; step++) {
      a0 = madd(a0, b, c); a1 = madd(a1, b, c); a2 = madd(a2, b, c); a3 = madd(a3, b, c); a4 = madd(a4, b, c);
      a5 = madd(a5, b, c); a6 = madd(a6, b, c); a7 = madd(a7, b, c); a8 = madd(a8, b, c); a9 = madd(a9, b, c);
    }
    const sum = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5),
      f32x4.add(f32x4.add(a6, a7), f32x4.add(a8, a9))));
    v128.store(takeScratch(block), sum); // kept, so the loop is not optimised away
  }
}

/**
 * The plainest loops that move a pooling's bytes, for the pooling benchmark's stream figures: what a
 * WebAssembly loop reaches with that traffic on the machine at hand, next to the copy ceiling
 * (native memcpy). ARRAY_0 is the large side (4 · ELEMENT_COUNT floats), ARRAY_1 the small side
 * (ELEMENT_COUNT floats, a multiple of 4); units are ELEMENT_UNIT floats of the small side.
 * Gather reads four large vectors and writes their max (a forward pass's traffic); spread reads a
 * small vector and writes it four times (a backward pass's).
 */
export function streamGatherProbe(block: usize, firstUnit: i32, endUnit: i32): void {
  const large = pointer(block, ARRAY_0);
  const small = pointer(block, ARRAY_1);
  const end = <usize>min(endUnit * ELEMENT_UNIT, word(block, ELEMENT_COUNT));
  for (let at = <usize>(firstUnit * ELEMENT_UNIT); at < end; at += 4) {
    const from = large + (at << 4);
    const left = f32x4.pmax(v128.load(from), v128.load(from, 16));
    const right = f32x4.pmax(v128.load(from, 32), v128.load(from, 48));
    v128.store(small + (at << 2), f32x4.pmax(left, right));
  }
}

export function streamSpreadProbe(block: usize, firstUnit: i32, endUnit: i32): void {
  const large = pointer(block, ARRAY_0);
  const small = pointer(block, ARRAY_1);
  const end = <usize>min(endUnit * ELEMENT_UNIT, word(block, ELEMENT_COUNT));
  for (let at = <usize>(firstUnit * ELEMENT_UNIT); at < end; at += 4) {
    const value = v128.load(small + (at << 2));
    const to = large + (at << 4);
    v128.store(to, value);
    v128.store(to, value, 16);
    v128.store(to, value, 32);
    v128.store(to, value, 48);
  }
}
