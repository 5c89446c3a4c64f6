// Average pooling backward (pooling and adaptive windows; reference avg-pool.ts, adaptive-pool.ts).
// Each unit is one input row, so no two threads touch one cell and no separate zeroing pass runs.
// A row held by one row of disjoint windows is written share by share (spreadRow); any other row is
// gathered (average-gather.ts). Either way each cell sums the float32 shares gradOutput / divisor
// of the windows holding it from +0 in output order, as the reference's scatter: bit for bit.
import {
  ADAPTIVE, COUNT_INCLUDE_PAD, DILATION, DIVISOR_OVERRIDE_BYTES, GRAD_INPUT, GRAD_OUTPUT,
  HAS_DIVISOR_OVERRIDE, IN_SIZE, KERNEL, OUT_SIZE, STRIDE, pointer, word,
} from './arguments';
import { beginGather, gatherRow } from './average-gather';
import { groupOf, outer, row, rowOf, rowStart, slice, spatialSize } from './rows';
import { divideLanes, exactReciprocal, zeroBytes } from './simd';
import { holderEntry, windowEntry } from './tables';
import { holds } from './window';

// Per-row constants (globals are per instance, so per thread), shared with average-gather.ts.
export let group: i32 = 0;
export let cellBytes: usize = 0;
export let outPlane: usize = 0; // byte offset of the row's (sample or plane) output grid
let overrideDivisor: f64 = 0;
let hasOverride: bool = false;
let includePad: bool = false;

/** Input rows [firstUnit, endUnit) of an average pooling's gradInput. */
export function averageBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  beginGather(block);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    if (unit + 1 < endUnit && averageBackwardRowPair(block, unit)) unit++;
    else averageBackwardRow(block, unit);
  }
}

// Set by spreadSource: the one output row (slice, row) whose windows alone hold the input row.
let heldSlice = 0;
let heldRow = 0;

/**
 * Input rows `unit` and `unit + 1` together when one row of disjoint windows alone holds both (2x2
 * at stride 2): each share is divided once for both rows. Returns false, writing nothing, otherwise.
 */
function averageBackwardRowPair(block: usize, unit: i32): bool {
  beginInputRow(block, unit + 1);
  const nextOuter = outer;
  if (!spreadSource(block)) return false;
  const nextSlice = heldSlice;
  const nextRow = heldRow;
  beginInputRow(block, unit);
  if (nextOuter != outer || !spreadSource(block) || nextSlice != heldSlice || nextRow != heldRow) return false;
  const rowPointer = pointer(block, GRAD_INPUT) + (rowStart(block, IN_SIZE) << 2);
  spreadRow(block, rowPointer, <usize>word(block, IN_SIZE + 2) * cellBytes);
  return true;
}

/**
 * Whether the row just begun is held by one row of windows that neither overlap nor skip cells
 * along the width, noting that row in heldSlice and heldRow.
 */
function spreadSource(block: usize): bool {
  const dilated = !word(block, ADAPTIVE) && (word(block, DILATION) > 1 || word(block, DILATION + 1) > 1);
  const zHolders = holderEntry(block, 0, slice);
  const yHolders = holderEntry(block, 1, row);
  let holding = 0;
  for (let outSlice = load<i32>(zHolders); outSlice <= load<i32>(zHolders, 4); outSlice++) {
    if (dilated && !holds(block, 0, outSlice, slice)) continue;
    for (let outRow = load<i32>(yHolders); outRow <= load<i32>(yHolders, 4); outRow++) {
      if (dilated && !holds(block, 1, outRow, row)) continue;
      holding++;
      heldSlice = outSlice;
      heldRow = outRow;
    }
  }
  return holding == 1 && !overlapsAlongWidth(block) && word(block, DILATION + 2) == 1;
}

function beginInputRow(block: usize, unit: i32): void {
  rowOf(block, unit, IN_SIZE);
  group = groupOf(block);
  cellBytes = <usize>group << 2;
  outPlane = <usize>outer * <usize>spatialSize(block, OUT_SIZE) * cellBytes;
  hasOverride = word(block, HAS_DIVISOR_OVERRIDE) != 0;
  overrideDivisor = load<f64>(block + DIVISOR_OVERRIDE_BYTES);
  includePad = word(block, COUNT_INCLUDE_PAD) != 0;
}

/** The float32 divisor of the window at (depth and height table entries, width table entry). */
export function windowDivisor(depth: usize, height: usize, width: usize): f32 {
  if (hasOverride) return <f32>overrideDivisor;
  const count = includePad
    ? load<i32>(depth, 8) * load<i32>(height, 8) * load<i32>(width, 8)
    : load<i32>(depth, 4) * load<i32>(height, 4) * load<i32>(width, 4);
  return <f32>count;
}

/**
 * One input row of an average's gradInput. Rows held by one row of windows that neither overlap nor
 * skip cells along the width get each cell's one share written (gaps zeroed); others are gathered.
 */
function averageBackwardRow(block: usize, unit: i32): void {
  beginInputRow(block, unit);
  const rowPointer = pointer(block, GRAD_INPUT) + (rowStart(block, IN_SIZE) << 2);
  if (spreadSource(block)) {
    spreadRow(block, rowPointer, 0);
  } else {
    const dilated = !word(block, ADAPTIVE) && (word(block, DILATION) > 1 || word(block, DILATION + 1) > 1);
    gatherRow(block, rowPointer, dilated);
  }
}

/** Whether two windows along the width can share a cell (then cells sum several shares). */
function overlapsAlongWidth(block: usize): bool {
  const inWidth = word(block, IN_SIZE + 2);
  const outWidth = word(block, OUT_SIZE + 2);
  if (word(block, ADAPTIVE)) return inWidth % outWidth != 0;
  return word(block, STRIDE + 2) < (word(block, KERNEL + 2) - 1) * word(block, DILATION + 2) + 1;
}

/**
 * Writes output row (heldSlice, heldRow)'s shares to the input row's cells: the windows are dense
 * and disjoint, so each covered cell gets one share and the cells between them are zeroed. With
 * `nextRow` (bytes to the next input row, held by the same windows) not 0, that row's cells too.
 */
function spreadRow(block: usize, rowPointer: usize, nextRow: usize): void {
  const rowBytes = <usize>word(block, IN_SIZE + 2) * cellBytes;
  const depth = windowEntry(block, 0, heldSlice);
  const height = windowEntry(block, 1, heldRow);
  const outWidth = word(block, OUT_SIZE + 2);
  const gradOutput = pointer(block, GRAD_OUTPUT) + outPlane;
  const rowCell = (heldSlice * word(block, OUT_SIZE + 1) + heldRow) * outWidth;
  let covered = rowPointer; // cells before this one are written
  for (let outColumn = 0; outColumn < outWidth; outColumn++) {
    const width = windowEntry(block, 2, outColumn);
    const columns = load<i32>(width, 4);
    if (columns == 0 || load<i32>(depth, 4) * load<i32>(height, 4) == 0) continue;
    const first = rowPointer + <usize>load<i32>(width) * cellBytes;
    zeroGap(covered, first - covered, nextRow);
    covered = first + <usize>columns * cellBytes;
    const share = gradOutput + <usize>(rowCell + outColumn) * cellBytes;
    writeShares(share, first, columns, windowDivisor(depth, height, width), nextRow);
  }
  zeroGap(covered, rowPointer + rowBytes - covered, nextRow);
}

@inline
function zeroGap(from: usize, bytes: usize, nextRow: usize): void {
  zeroBytes(from, bytes);
  if (nextRow) zeroBytes(from + nextRow, bytes);
}

/** Writes +0 + share / divisor (rounded to float32 once) to one window's dense cells in the row (and the next). */
function writeShares(share: usize, first: usize, columns: i32, divisor: f32, nextRow: usize): void {
  const multiply = exactReciprocal(divisor);
  const divisors = f32x4.splat(divisor);
  const reciprocals = f32x4.splat(<f32>1 / divisor);
  const zero = f32x4.splat(0);
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) {
    const offset = <usize>channel << 2;
    const quotient = f32x4.add(zero, divideLanes(v128.load(share + offset), divisors, reciprocals, multiply));
    let cell = first + offset;
    for (let tap = 0; tap < columns; tap++, cell += cellBytes) {
      v128.store(cell, quotient);
      if (nextRow) v128.store(cell + nextRow, quotient);
    }
  }
  for (; channel < group; channel++) {
    const offset = <usize>channel << 2;
    const quotient: f32 = <f32>0 + load<f32>(share + offset) / divisor;
    let cell = first + offset;
    for (let tap = 0; tap < columns; tap++, cell += cellBytes) {
      store<f32>(cell, quotient);
      if (nextRow) store<f32>(cell + nextRow, quotient);
    }
  }
}
