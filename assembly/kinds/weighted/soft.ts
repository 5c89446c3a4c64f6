// SoftPool (reference soft-pool.ts): y = m + Σ eᵢ(xᵢ − m) / Σ eᵢ over each window's in-bounds cells,
// eᵢ = e^{xᵢ − m}, m the window max, in float32 with expWeightLanes. Backward, where no input cell lies in
// two windows: one pass over output rows, each window's eᵢ parked in its own gradInput cells, then
// replaced by gradOutput·sₖ·(1 + xₖ − y). Where windows overlap: each window's m, gradOutput/Σe and
// y first (NaN m for a window passing no gradient), then each input cell gathers from them. A training
// forward over windows that do not overlap keeps each eᵢ and each window's y and Σe for the backward
// (src/pooling/kinds/forward-keep.ts), which then takes no e^x.
import { INPUT, OUTPUT, pointer, word } from '../../pool/arguments';
import { columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { expWeightLanes } from '../simd-math';
import { CELL_SCRATCH, STATS, STATS_PLANE_BYTES } from './arguments';
import { finiteLanes, isFourTaps, loadLanes, offsetLanes, storeLanes, weightedTerm, windowMax } from './lanes';
import { walkOutputRows } from './walks';

// The last window's softmax total and shift (per instance, so per thread).
export let total: v128 = f32x4.splat(0);
export let shift: v128 = f32x4.splat(0);

/**
 * y of one window's lanes; sets total and shift. An empty window gives 0. With `park`, each cell's
 * weight is stored `parked` bytes past it (in its gradInput cell).
 */
@inline
export function softLanes(start: usize, columns: i32, full: bool, park: bool, parked: usize): v128 {
  if (isFourTaps(columns)) return softFourLanes(start, full, park, parked);
  const zero = f32x4.splat(0);
  const largest = windowMax(start, columns, full); // a local: the loop reads it often
  shift = largest;
  let sum = zero;
  let weighted = zero;
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
        const value = loadLanes(tap, full);
        const offset = offsetLanes(value, largest);
        const weight = expWeightLanes(offset);
        if (park) storeLanes(tap + parked, weight, full);
        sum = f32x4.add(sum, weight);
        weighted = f32x4.add(weighted, weightedTerm(weight, offset));
      }
    }
  }
  total = sum;
  if (columns == 0) return zero;
  return f32x4.add(largest, f32x4.div(weighted, sum));
}

/** A cell's weight e^{x − m} and its term e·(x − m) (0 where e is 0: a −∞ cell's 0·(−∞) would be NaN). */
let cellTerm: v128 = f32x4.splat(0);

@inline
function softCellWeight(value: v128, largest: v128): v128 {
  const offset = offsetLanes(value, largest);
  const weight = expWeightLanes(offset);
  cellTerm = weightedTerm(weight, offset);
  return weight;
}

/**
 * softLanes of a 2×2 window (isFourTaps), its four taps unrolled: the same sums in the same order,
 * so the same bits. m ignores NaN cells here (pmax), yet their NaN weight makes Σe and y NaN. With
 * `shares` (and not `park`), each cell's gradient (softShareLanes, gradOutput at `gradient`) is
 * stored `parked` bytes past it instead.
 */
@inline
export function softFourLanes(start: usize, full: bool, park: bool, parked: usize, shares: bool = false, gradient: usize = 0): v128 {
  const second = start + columnBytes;
  const third = start + rowBytes;
  const fourth = third + columnBytes;
  const a = loadLanes(start, full);
  const b = loadLanes(second, full);
  const c = loadLanes(third, full);
  const d = loadLanes(fourth, full);
  const largest = f32x4.pmax(f32x4.pmax(a, b), f32x4.pmax(c, d));
  shift = largest;
  const weightA = softCellWeight(a, largest);
  let weighted = cellTerm;
  const weightB = softCellWeight(b, largest);
  weighted = f32x4.add(weighted, cellTerm);
  const weightC = softCellWeight(c, largest);
  weighted = f32x4.add(weighted, cellTerm);
  const weightD = softCellWeight(d, largest);
  weighted = f32x4.add(weighted, cellTerm);
  if (park) {
    storeLanes(start + parked, weightA, full);
    storeLanes(second + parked, weightB, full);
    storeLanes(third + parked, weightC, full);
    storeLanes(fourth + parked, weightD, full);
  }
  const sum = f32x4.add(f32x4.add(f32x4.add(weightA, weightB), weightC), weightD);
  total = sum;
  const output = f32x4.add(largest, f32x4.div(weighted, sum));
  if (shares) {
    // softFusedLanes' second loop with the weights at hand: no parking, no reloading.
    const scale = f32x4.div(loadLanes(gradient, full), sum);
    storeLanes(start + parked, softShareLanes(a, weightA, scale, output), full);
    storeLanes(second + parked, softShareLanes(b, weightB, scale, output), full);
    storeLanes(third + parked, softShareLanes(c, weightC, scale, output), full);
    storeLanes(fourth + parked, softShareLanes(d, weightD, scale, output), full);
  }
  return output;
}

/**
 * softFourLanes' y, every value in locals (no per-instance globals, which V8 keeps in memory): the
 * same sums in the same order, so the same bits. With `park`, as softLanes', and total set.
 */
@inline
function softFourOutput(start: usize, full: bool, park: bool = false, parked: usize = 0): v128 {
  const a = loadLanes(start, full);
  const b = loadLanes(start + columnBytes, full);
  const c = loadLanes(start + rowBytes, full);
  const d = loadLanes(start + rowBytes + columnBytes, full);
  const largest = f32x4.pmax(f32x4.pmax(a, b), f32x4.pmax(c, d));
  const offsetA = offsetLanes(a, largest);
  const offsetB = offsetLanes(b, largest);
  const offsetC = offsetLanes(c, largest);
  const offsetD = offsetLanes(d, largest);
  const weightA = expWeightLanes(offsetA);
  const weightB = expWeightLanes(offsetB);
  const weightC = expWeightLanes(offsetC);
  const weightD = expWeightLanes(offsetD);
  if (park) {
    storeLanes(start + parked, weightA, full);
    storeLanes(start + columnBytes + parked, weightB, full);
    storeLanes(start + rowBytes + parked, weightC, full);
    storeLanes(start + rowBytes + columnBytes + parked, weightD, full);
  }
  const weighted = f32x4.add(
    f32x4.add(f32x4.add(weightedTerm(weightA, offsetA), weightedTerm(weightB, offsetB)), weightedTerm(weightC, offsetC)),
    weightedTerm(weightD, offsetD),
  );
  const sum = f32x4.add(f32x4.add(f32x4.add(weightA, weightB), weightC), weightD);
  if (park) total = sum;
  return f32x4.add(largest, f32x4.div(weighted, sum));
}

function softForwardWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  const output = pointer(block, OUTPUT) + (outIndex << 2);
  let channel = 0;
  if (isFourTaps(columns)) {
    for (; channel + 4 <= group; channel += 4) {
      const offset = <usize>channel << 2;
      storeLanes(output + offset, softFourOutput(start + offset, true), true);
    }
  }
  for (; channel + 4 <= group; channel += 4) {
    const offset = <usize>channel << 2;
    storeLanes(output + offset, softLanes(start + offset, columns, true, false, 0), true);
  }
  for (; channel < group; channel++) {
    const offset = <usize>channel << 2;
    storeLanes(output + offset, softLanes(start + offset, columns, false, false, 0), false);
  }
}

/** Output rows [firstUnit, endUnit) of SoftPool's forward. */
export function softPoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, softForwardWindow);
}

/** One window's lanes of a saving forward: each cell's e^{x − m} parked at CELL_SCRATCH, y and Σe at STATS. */
@inline
function softSavingLanes(block: usize, start: usize, outIndex: usize, columns: i32, full: bool): void {
  const parked = pointer(block, CELL_SCRATCH) - pointer(block, INPUT);
  const y = isFourTaps(columns) ? softFourOutput(start, full, true, parked) : softLanes(start, columns, full, true, parked);
  storeLanes(pointer(block, OUTPUT) + (outIndex << 2), y, full);
  const stats = pointer(block, STATS) + (outIndex << 2);
  storeLanes(stats, y, full);
  storeLanes(stats + <usize>word(block, STATS_PLANE_BYTES), total, full);
}

function softSavingWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) softSavingLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, true);
  for (; channel < group; channel++) softSavingLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, false);
}

/**
 * Output rows [firstUnit, endUnit) of SoftPool's forward where no input cell lies in two windows,
 * keeping for softSavedBackwardRows each cell's e^{x − m} (one plane at CELL_SCRATCH) and each
 * window's y and Σe (two planes at STATS): the backward then takes no e^x.
 */
export function softPoolSavingRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, softSavingWindow);
}

/** gradOutput·sₖ·(1 + xₖ − y) for weights eₖ, where eₖ > 0 and y is finite (0 elsewhere). */
@inline
export function softShareLanes(value: v128, weight: v128, scale: v128, output: v128): v128 {
  const term = f32x4.mul(f32x4.mul(scale, weight), f32x4.add(f32x4.splat(1), f32x4.sub(value, output)));
  const kept = v128.and(f32x4.gt(weight, f32x4.splat(0)), finiteLanes(output));
  return v128.and(term, kept);
}
