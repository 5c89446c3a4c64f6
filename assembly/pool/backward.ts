// Average and Lp pooling backward (pooling and adaptive windows). Each unit is one input row, so no
// two threads touch one cell and no separate zeroing pass runs; each cell sums the shares of the
// windows that hold it in output order, as the reference's scatter adds them, with float64 shares
// rounding the same way: results match the reference bit for bit (Lp with p other than 1 and 2
// goes through pow, within an ulp).
import {
  ADAPTIVE, COUNT_INCLUDE_PAD, DILATION, DIVISOR_OVERRIDE_BYTES, GRAD_INPUT, GRAD_OUTPUT, HAS_DIVISOR_OVERRIDE,
  INPUT, IN_SIZE, KERNEL, OUTPUT, OUT_SIZE, P_BYTES, STRIDE, pointer, word,
} from './arguments';
import { groupOf, outer, row, rowOf, rowStart, slice, spatialSize } from './rows';
import { dividePair, exactReciprocal, highPair, joinPairs, lowPair, zeroBytes } from './simd';
import { holderEntry, windowEntry } from './tables';
import { holds } from './window';

// Per-row constants (globals are per instance, so per thread).
let group: i32 = 0;
let cellBytes: usize = 0;
let outPlane: usize = 0; // byte offset of the row's (sample or plane) output grid
let p: f64 = 2;
let overrideDivisor: f64 = 0;
let hasOverride: bool = false;
let includePad: bool = false;
let checkWidth: bool = false; // dilated width: a candidate window may step over the cell

/** Input rows [firstUnit, endUnit) of an average pooling's gradInput. */
export function averageBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  for (let unit = firstUnit; unit < endUnit; unit++) averageBackwardRow(block, unit);
}

/** Input rows [firstUnit, endUnit) of an Lp pooling's gradInput. */
export function lpBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  for (let unit = firstUnit; unit < endUnit; unit++) lpBackwardRow(block, unit);
}

function beginInputRow(block: usize, unit: i32, lp: bool): void {
  rowOf(block, unit, IN_SIZE);
  group = groupOf(block);
  cellBytes = <usize>group << 2;
  outPlane = <usize>outer * <usize>spatialSize(block, OUT_SIZE) * cellBytes;
  p = load<f64>(block + P_BYTES);
  hasOverride = word(block, HAS_DIVISOR_OVERRIDE) != 0;
  overrideDivisor = load<f64>(block + DIVISOR_OVERRIDE_BYTES);
  includePad = word(block, COUNT_INCLUDE_PAD) != 0;
  checkWidth = !word(block, ADAPTIVE) && word(block, DILATION + 2) > 1;
}

/**
 * One input row of an average's gradInput, by rows of windows: the row is zeroed, then every
 * output row (outSlice, outRow) whose windows cover it adds its shares to the covered cells, in
 * output order, so each cell sums the same shares in the same order as the reference's scatter.
 */
function averageBackwardRow(block: usize, unit: i32): void {
  beginInputRow(block, unit, false);
  const rowPointer = pointer(block, GRAD_INPUT) + (rowStart(block, IN_SIZE) << 2);
  const rowBytes = <usize>word(block, IN_SIZE + 2) * cellBytes;
  const dilated = !word(block, ADAPTIVE) && (word(block, DILATION) > 1 || word(block, DILATION + 1) > 1);
  const zHolders = holderEntry(block, 0, slice);
  const yHolders = holderEntry(block, 1, row);
  let holding = 0;
  for (let pass = 0; pass < 2; pass++) {
    // Pass 0 counts the output rows holding this row. With one, and windows that neither overlap
    // nor skip cells along the width, every cell gets one share or none: write, zero the gaps.
    const only = holding == 1 && !overlapsAlongWidth(block) && word(block, DILATION + 2) == 1;
    if (pass == 1 && !only) zeroBytes(rowPointer, rowBytes);
    if (pass == 1 && holding == 0) return;
    for (let outSlice = load<i32>(zHolders); outSlice <= load<i32>(zHolders, 4); outSlice++) {
      if (dilated && !holds(block, 0, outSlice, slice)) continue;
      for (let outRow = load<i32>(yHolders); outRow <= load<i32>(yHolders, 4); outRow++) {
        if (dilated && !holds(block, 1, outRow, row)) continue;
        if (pass == 0) holding++;
        else spreadRow(block, rowPointer, rowBytes, outSlice, outRow, only);
      }
    }
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
 * Adds output row (outSlice, outRow)'s shares to the input row's covered cells; `only`: the row
 * was not zeroed, the windows are dense and disjoint, so cells between them are zeroed here.
 */
function spreadRow(block: usize, rowPointer: usize, rowBytes: usize, outSlice: i32, outRow: i32, only: bool): void {
  const depth = windowEntry(block, 0, outSlice);
  const height = windowEntry(block, 1, outRow);
  const outerCount = load<i32>(depth, 4) * load<i32>(height, 4);
  const outerPadded = load<i32>(depth, 8) * load<i32>(height, 8);
  const outWidth = word(block, OUT_SIZE + 2);
  const gradOutput = pointer(block, GRAD_OUTPUT) + outPlane;
  const rowCell = (outSlice * word(block, OUT_SIZE + 1) + outRow) * outWidth;
  let covered = rowPointer; // with `only`: cells before this one are written
  for (let outColumn = 0; outColumn < outWidth; outColumn++) {
    const width = windowEntry(block, 2, outColumn);
    const columns = load<i32>(width, 4);
    if (columns == 0 || outerCount == 0) continue;
    const divisor = hasOverride
      ? overrideDivisor
      : <f64>(includePad ? outerPadded * load<i32>(width, 8) : outerCount * columns);
    const share = gradOutput + <usize>(rowCell + outColumn) * cellBytes;
    const first = rowPointer + <usize>load<i32>(width) * cellBytes;
    const step = <usize>load<i32>(width, 12) * cellBytes;
    if (only) {
      zeroBytes(covered, first - covered);
      covered = first + <usize>columns * step;
    }
    spreadWindow(share, first, step, columns, divisor, only);
  }
  if (only) zeroBytes(covered, rowPointer + rowBytes - covered);
}

/**
 * cells += share / divisor over one window's cells in the row. `only`: each cell gets this share
 * alone (cells = 0 + share, unread), so with a float32 divisor the division runs in float32: float64 division
 * rounded to float32 gives the same bits (53 >= 2·24 + 2: the double rounding is innocuous).
 */
function spreadWindow(share: usize, first: usize, step: usize, columns: i32, divisor: f64, only: bool): void {
  const multiply = exactReciprocal(divisor);
  let channel = 0;
  if (only && <f64>(<f32>divisor) == divisor) {
    const zero = f32x4.splat(0);
    const divisors = f32x4.splat(<f32>divisor);
    const reciprocals = f32x4.splat(<f32>(1 / divisor));
    for (; channel + 4 <= group; channel += 4) {
      const offset = <usize>channel << 2;
      const value = v128.load(share + offset);
      const quotient = f32x4.add(zero, multiply ? f32x4.mul(value, reciprocals) : f32x4.div(value, divisors));
      let cell = first + offset;
      for (let tap = 0; tap < columns; tap++, cell += step) v128.store(cell, quotient);
    }
  }
  const divisors = f64x2.splat(divisor);
  const reciprocals = f64x2.splat(1 / divisor);
  for (; channel + 4 <= group; channel += 4) {
    const offset = <usize>channel << 2;
    const value = v128.load(share + offset);
    const low = dividePair(lowPair(value), divisors, reciprocals, multiply);
    const high = dividePair(highPair(value), divisors, reciprocals, multiply);
    let cell = first + offset;
    for (let tap = 0; tap < columns; tap++, cell += step) {
      const sum = only ? f32x4.splat(0) : v128.load(cell);
      v128.store(cell, joinPairs(f64x2.add(lowPair(sum), low), f64x2.add(highPair(sum), high)));
    }
  }
  for (; channel < group; channel++) {
    const offset = <usize>channel << 2;
    const quotient = <f64>load<f32>(share + offset) / divisor;
    let cell = first + offset;
    for (let tap = 0; tap < columns; tap++, cell += step) {
      store<f32>(cell, <f32>((only ? 0 : <f64>load<f32>(cell)) + quotient));
    }
  }
}

/**
 * One input row of an Lp pooling's gradInput, cell by cell: each cell gathers the terms of the
 * windows that hold it, in output order (its factor depends on the cell's own input value).
 */
function lpBackwardRow(block: usize, unit: i32): void {
  beginInputRow(block, unit, true);
  const inStart = rowStart(block, IN_SIZE) << 2;
  const gradInput = pointer(block, GRAD_INPUT) + inStart;
  const input = pointer(block, INPUT) + inStart;
  const dilated = !word(block, ADAPTIVE) && (word(block, DILATION) > 1 || word(block, DILATION + 1) > 1);
  const z = slice;
  const y = row;
  const zHolders = holderEntry(block, 0, z);
  const yHolders = holderEntry(block, 1, y);
  const inWidth = word(block, IN_SIZE + 2);
  for (let x = 0; x < inWidth; x++) {
    const cell = gradInput + <usize>x * cellBytes;
    zeroBytes(cell, cellBytes);
    for (let outSlice = load<i32>(zHolders); outSlice <= load<i32>(zHolders, 4); outSlice++) {
      if (dilated && !holds(block, 0, outSlice, z)) continue;
      for (let outRow = load<i32>(yHolders); outRow <= load<i32>(yHolders, 4); outRow++) {
        if (dilated && !holds(block, 1, outRow, y)) continue;
        gatherRow(block, cell, input + <usize>x * cellBytes, outSlice, outRow, x);
      }
    }
  }
}

/** Adds the terms of the windows in output row (outSlice, outRow) that hold column x. */
function gatherRow(block: usize, cell: usize, inputCell: usize, outSlice: i32, outRow: i32, x: i32): void {
  const outWidth = word(block, OUT_SIZE + 2);
  const rowOffset = outPlane + <usize>((outSlice * word(block, OUT_SIZE + 1) + outRow) * outWidth) * cellBytes;
  const holders = holderEntry(block, 2, x);
  const high = load<i32>(holders, 4);
  for (let outColumn = load<i32>(holders); outColumn <= high; outColumn++) {
    if (checkWidth && !holds(block, 2, outColumn, x)) continue;
    lpShares(block, cell, inputCell, rowOffset + <usize>outColumn * cellBytes);
  }
}

/**
 * cell += gradOutput / out^(p-1) · sign(x)·|x|^(p-1), skipping channels whose out is 0 (reference
 * lp-pool.ts). p = 2 runs four channels at a time: the factor is then gradOutput / out · x.
 */
function lpShares(block: usize, cell: usize, inputCell: usize, outOffset: usize): void {
  const output = pointer(block, OUTPUT) + outOffset;
  const gradOutput = pointer(block, GRAD_OUTPUT) + outOffset;
  let channel = 0;
  if (p == 2) {
    const zero = f64x2.splat(0);
    for (; channel + 4 <= group; channel += 4) {
      const offset = <usize>channel << 2;
      const norm = v128.load(output + offset);
      const share = v128.load(gradOutput + offset);
      const value = v128.load(inputCell + offset);
      const sum = v128.load(cell + offset);
      const lowTerm = f64x2.mul(f64x2.div(lowPair(share), lowPair(norm)), lowPair(value));
      const highTerm = f64x2.mul(f64x2.div(highPair(share), highPair(norm)), highPair(value));
      const low = f64x2.add(lowPair(sum), v128.bitselect(zero, lowTerm, f64x2.eq(lowPair(norm), zero)));
      const high = f64x2.add(highPair(sum), v128.bitselect(zero, highTerm, f64x2.eq(highPair(norm), zero)));
      v128.store(cell + offset, joinPairs(low, high));
    }
  }
  for (; channel < group; channel++) {
    const offset = <usize>channel << 2;
    const norm = <f64>load<f32>(output + offset);
    if (norm == 0) continue;
    const value = <f64>load<f32>(inputCell + offset);
    const scale = <f64>load<f32>(gradOutput + offset) / Math.pow(norm, p - 1);
    const local = Math.sign(value) * Math.pow(Math.abs(value), p - 1);
    store<f32>(cell + offset, <f32>(<f64>load<f32>(cell + offset) + scale * local));
  }
}
