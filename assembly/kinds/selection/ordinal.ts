// Ordinal pooling forward (src/kernels/reference/extra/ordinal-pool.ts): y = Σ_r w_r·x_(r) over each
// window's in-bounds cells ranked largest first (NaN before every number, ties in window order, as
// the reference's stable sort), a float64 sum in rank order; 0 for an empty window. Cell i's rank
// is the count of cells ranked before it, found by comparing every pair (windows are small).
import { OUTPUT, pointer, word } from '../../pool/arguments';
import { nanOf } from '../../pool/max-lanes';
import { currentThreadSlot } from '../../shared/thread-slot';
import { laneChannel, tableStep, weightColumn } from './blend-stats';
import { high, loadQuad, low, narrow, storeQuad, ZERO } from './lanes';
import { gatherWindow, SLOT_BYTES } from './median';
import { quadChannel, SCRATCH, visitRows, windowCount } from './window';

// This call's scratch slot: the window's values (16 bytes a cell), then their ranks.
let slot: usize = 0;

/** Output rows [firstUnit, endUnit): see assembly/pool/rows.ts. */
export function ordinalPoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  slot = pointer(block, SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SLOT_BYTES);
  visitRows(block, firstUnit, endUnit, false, ordinalVisit);
}

/** Lanes where `value` ranks strictly before `other`: a NaN before any number, else the larger. */
@inline
function ranksBefore(value: v128, other: v128): v128 {
  return v128.andnot(v128.or(nanOf(value), f32x4.gt(value, other)), nanOf(other));
}

function ordinalVisit(block: usize, start: usize, index: usize, count: i32): void {
  const output = pointer(block, OUTPUT) + (index << 2);
  const cells = windowCount;
  if (cells == 0) {
    storeQuad(output, f32x4.splat(0), count);
    return;
  }
  gatherWindow(start, slot, count);
  const ranks = slot + (<usize>cells << 4);
  for (let cell = 0; cell < cells; cell++) {
    const value = v128.load(slot + (<usize>cell << 4));
    let rank = i32x4.splat(0);
    for (let other = 0; other < cells; other++) {
      const compared = v128.load(slot + (<usize>other << 4));
      const before = ranksBefore(compared, value);
      const tie = v128.not(v128.or(before, ranksBefore(value, compared)));
      rank = i32x4.sub(rank, other < cell ? v128.or(before, tie) : before); // a true lane is −1
    }
    v128.store(ranks + (<usize>cell << 4), rank);
  }
  const weights = weightColumn(block, laneChannel(block, quadChannel));
  const step = tableStep(block);
  let totalLow = ZERO;
  let totalHigh = ZERO;
  for (let rank = 0; rank < cells; rank++) {
    let ranked = f32x4.splat(0);
    for (let cell = 0; cell < cells; cell++) {
      const here = i32x4.eq(v128.load(ranks + (<usize>cell << 4)), i32x4.splat(rank));
      ranked = v128.bitselect(v128.load(slot + (<usize>cell << 4)), ranked, here);
    }
    const weight = loadQuad(weights + <usize>rank * step, count);
    totalLow = f64x2.add(totalLow, f64x2.mul(low(weight), low(ranked)));
    totalHigh = f64x2.add(totalHigh, f64x2.mul(high(weight), high(ranked)));
  }
  storeQuad(output, narrow(totalLow, totalHigh), count);
}

