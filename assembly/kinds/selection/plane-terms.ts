// The weight gradients' per-plane sums of mixed, gated and ordinal pooling, added by their backward
// kernels window after window (src/kernels/reference/extra/plane-sums.ts's order: each plane's terms
// per weight in float64 in window order) into PLANE_SUMS, with no scratch of terms and no second pass.
// A backward unit (a sample in NHWC, a plane in NCHW) owns its planes' sums, laid out [weight][lane]:
// NHWC [sample][weight][channel], so a quad's four planes sit side by side; NCHW [plane][weight].
// The TypeScript side puts NHWC's in plane-major order before adding the planes' sums.
import { CHANNELS, CHANNELS_LAST, KERNEL, pointer, word } from '../../pool/arguments';
import { outer } from '../../pool/rows';
import { group } from '../../pool/walk';
import { loadDoubles, highDoubles, storeDoubles } from './lanes';
import { PLANE_SUMS } from './window';

/** The kernel's taps (kD·kH·kW): gated and ordinal pooling's weights per plane. */
@inline
export function kernelTaps(block: usize): i32 {
  return word(block, KERNEL) * word(block, KERNEL + 1) * word(block, KERNEL + 2);
}

/** Zeroes the sums of outer units [firstUnit, endUnit), `perPlane` weights a plane. */
export function clearUnitSums(block: usize, firstUnit: i32, endUnit: i32, perPlane: i32): void {
  const lanes = word(block, CHANNELS_LAST) != 0 ? word(block, CHANNELS) : 1;
  const unitBytes = (<usize>lanes * <usize>perPlane) << 3;
  memory.fill(pointer(block, PLANE_SUMS) + <usize>firstUnit * unitBytes, 0, <usize>(endUnit - firstUnit) * unitBytes);
}

/** The sum of weight `weight` of lane `lane`'s plane in the outer unit begun last (beginOutputRow). */
@inline
export function termSlot(block: usize, perPlane: i32, weight: i32, lane: i32): usize {
  const at = (<usize>outer * <usize>perPlane + <usize>weight) * <usize>group + <usize>lane;
  return pointer(block, PLANE_SUMS) + (at << 3);
}

/** Adds `count` float64 terms (the low half's lanes, then the high half's) to the sums from `slot`. */
@inline
export function addTerms(slot: usize, termLow: v128, termHigh: v128, count: i32): void {
  if (count == 4) {
    v128.store(slot, f64x2.add(v128.load(slot), termLow));
    v128.store(slot, f64x2.add(v128.load(slot, 16), termHigh), 16);
    return;
  }
  const sumLow = loadDoubles(slot, count);
  storeDoubles(slot, f64x2.add(sumLow, termLow), f64x2.add(highDoubles, termHigh), count);
}
