// Dense 3x3 max windows (no dilation, all nine taps in bounds), four channels at a time: the
// common case of a CNN's 3x3 pooling, in its fast forms. Semantics as in max.ts.
import { foldTap, maxOf, nanOf, withNaN } from './max-lanes';
import { cellBytes, group, inBase, rowBytes, rowCells } from './walk';

/** One window without argmax; returns how many channels it did. */
@inline
export function maxWindow3x3(output: usize, topLeft: i32): i32 {
  const limit = group & ~3;
  const first = inBase + <usize>topLeft * cellBytes;
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    v128.store(output + offset, maxVector3x3(first + offset));
  }
  return limit;
}

/** Four channels' max over the window whose top-left tap is at `tap`, NaN lanes checked tap by tap. */
@inline
function maxVector3x3(tap: usize): v128 {
  const step = cellBytes;
  let best = f32x4.splat(-Infinity);
  let nan = f32x4.splat(0);
  for (let ky = 0; ky < 3; ky++, tap += rowBytes) {
    const a = v128.load(tap);
    const b = v128.load(tap + step);
    const c = v128.load(tap + step + step);
    nan = v128.or(nan, v128.or(nanOf(a), v128.or(nanOf(b), nanOf(c))));
    best = maxOf(maxOf(maxOf(best, a), b), c);
  }
  return withNaN(best, nan);
}

/**
 * Two windows stacked at row stride 2 (output rows i and i + 1), without argmax: they share their
 * middle input row, loaded once for both. Returns how many channels it did.
 */
export function maxWindows3x3Stacked(output: usize, below: usize, topLeft: i32): i32 {
  const limit = group & ~3;
  const step = cellBytes;
  const first = inBase + <usize>topLeft * cellBytes;
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    let tap = first + offset;
    let top = f32x4.splat(-Infinity);
    let nanTop = f32x4.splat(0);
    for (let ky = 0; ky < 2; ky++, tap += rowBytes) {
      const a = v128.load(tap);
      const b = v128.load(tap + step);
      const c = v128.load(tap + step + step);
      nanTop = v128.or(nanTop, v128.or(nanOf(a), v128.or(nanOf(b), nanOf(c))));
      top = maxOf(maxOf(maxOf(top, a), b), c);
    }
    const a = v128.load(tap);
    const b = v128.load(tap + step);
    const c = v128.load(tap + step + step);
    const nanShared = v128.or(nanOf(a), v128.or(nanOf(b), nanOf(c)));
    top = maxOf(maxOf(maxOf(top, a), b), c);
    let bottom = maxOf(maxOf(a, b), c);
    let nanBottom = nanShared;
    tap += rowBytes;
    for (let ky = 0; ky < 2; ky++, tap += rowBytes) {
      const d = v128.load(tap);
      const e = v128.load(tap + step);
      const f = v128.load(tap + step + step);
      nanBottom = v128.or(nanBottom, v128.or(nanOf(d), v128.or(nanOf(e), nanOf(f))));
      bottom = maxOf(maxOf(maxOf(bottom, d), e), f);
    }
    v128.store(output + offset, withNaN(top, v128.or(nanTop, nanShared)));
    v128.store(below + offset, withNaN(bottom, nanBottom));
  }
  return limit;
}

/** One window with argmax; returns how many channels it did. */
@inline
export function maxWindow3x3Indexed(output: usize, argmax: usize, topLeft: i32): i32 {
  const limit = group & ~3;
  const step = cellBytes;
  const one = i32x4.splat(1);
  for (let channel = 0; channel < limit; channel += 4) {
    let tap = inBase + <usize>topLeft * cellBytes + (<usize>channel << 2);
    let best = f32x4.splat(-Infinity);
    let bestIndex = i32x4.splat(topLeft);
    let index = i32x4.splat(topLeft);
    for (let ky = 0; ky < 3; ky++, tap += rowBytes) {
      const a = v128.load(tap);
      bestIndex = foldTap(a, index, best, bestIndex, true);
      best = foldTap(a, index, best, bestIndex, false);
      const b = v128.load(tap + step);
      const indexB = i32x4.add(index, one);
      bestIndex = foldTap(b, indexB, best, bestIndex, true);
      best = foldTap(b, indexB, best, bestIndex, false);
      const c = v128.load(tap + step + step);
      const indexC = i32x4.add(indexB, one);
      bestIndex = foldTap(c, indexC, best, bestIndex, true);
      best = foldTap(c, indexC, best, bestIndex, false);
      index = i32x4.add(index, i32x4.splat(rowCells));
    }
    v128.store(output + (<usize>channel << 2), best);
    v128.store(argmax + (<usize>channel << 2), bestIndex);
  }
  return limit;
}

