// Wavelet pooling of ranks 1 and 2 in one pass per sample, bit for bit with the reference
// (src/kernels/reference/extra/wavelet-pool.ts): every output 2×2 block (2 cells at rank 1) depends
// only on its 4×4 input block (level 1's approximation of 2×2 cells, level 2's pairs taken apart and
// rebuilt), so each block runs the reference's very f64 steps in registers, two channels per f64x2,
// with the odd ends' indices clamped (a repeated cell is the same value) and cropped cells not
// written. The backward does each transposed step per block the same way. Rank 3 keeps wavelet.ts.
import { CHANNELS, IN_SIZE, OUT_SIZE, SOURCE, TARGET, pointer, word } from './arguments';

/** 1: the backward (source gradOutput [OUT_SIZE], target gradInput [IN_SIZE]). */
const BACKWARD = 8;
/** The spatial axes the rank has: 1 (width) or 2 (height, width). */
const RANK = 9;

const ROOT_HALF = f64x2.splat(Math.SQRT1_2);
const ZERO = f64x2.splat(0);

// The sample's geometry (per instance globals, so per thread): sizes, bytes per cell and per row.
let heightIn: i32 = 0;
let widthIn: i32 = 0;
let heightOut: i32 = 0;
let widthOut: i32 = 0;
let cellBytes: usize = 0;
let inRowBytes: usize = 0;
let outRowBytes: usize = 0;

/** Two channels (lanes 2) or one (lanes 1, in lane 0) at `address`, as f64. */
@inline
function loadPair(address: usize, lanes: i32): v128 {
  if (lanes == 2) return f64x2.promote_low_f32x4(v128.load64_zero(address));
  return f64x2.splat(<f64>load<f32>(address));
}

@inline
function storePair(address: usize, value: v128, lanes: i32): void {
  if (lanes == 2) v128.store64_lane(address, f32x4.demote_f64x2_zero(value), 0);
  else store<f32>(address, <f32>f64x2.extract_lane(value, 0));
}

/** (a + b)/√2, the reference's Haar low band (and with b = 0 its synthesis from a low band alone). */
@inline
function low(a: v128, b: v128): v128 {
  return f64x2.mul(f64x2.add(a, b), ROOT_HALF);
}

/** (a − b)/√2, the high band. */
@inline
function high(a: v128, b: v128): v128 {
  return f64x2.mul(f64x2.sub(a, b), ROOT_HALF);
}

/** Level 1's approximation of one cell: along height (rows a, b) where the rank has it, then width (columns a, b). */
@inline
function approximation(rowA: usize, rowB: usize, columnA: usize, columnB: usize, lanes: i32, rank: i32): v128 {
  if (rank == 1) return low(loadPair(rowA + columnA, lanes), loadPair(rowA + columnB, lanes));
  const left = low(loadPair(rowA + columnA, lanes), loadPair(rowB + columnA, lanes));
  return low(left, low(loadPair(rowA + columnB, lanes), loadPair(rowB + columnB, lanes)));
}

/** Input row `index`'s address (the last row where `index` is past the end: the odd end's repeat). */
@inline
function inputRow(sample: usize, index: i32): usize {
  return sample + <usize>min(index, heightIn - 1) * inRowBytes;
}

@inline
function inputColumn(index: i32): usize {
  return <usize>min(index, widthIn - 1) * cellBytes;
}

/**
 * Output block (blockRow, blockColumn), the channel(s) at byte `lane` of a cell: level 1's
 * approximations of its 2×2 level-1 cells, level 2 along height (taken apart, rebuilt), then width;
 * cells past the output's end (an odd level-1 size) are not written.
 */
@inline
function forwardBlock(source: usize, target: usize, blockRow: i32, blockColumn: i32, lane: usize, lanes: i32, rank: i32): void {
  const rowFirst = blockRow << 1;
  const rowSecond = min(rowFirst + 1, heightOut - 1);
  const columnFirst = blockColumn << 1;
  const columnSecond = min(columnFirst + 1, widthOut - 1);
  const columnA0 = inputColumn(columnFirst << 1) + lane;
  const columnB0 = inputColumn((columnFirst << 1) + 1) + lane;
  const columnA1 = inputColumn(columnSecond << 1) + lane;
  const columnB1 = inputColumn((columnSecond << 1) + 1) + lane;
  const rowA0 = inputRow(source, rowFirst << 1);
  const rowB0 = inputRow(source, (rowFirst << 1) + 1);
  const l00 = approximation(rowA0, rowB0, columnA0, columnB0, lanes, rank);
  const l01 = approximation(rowA0, rowB0, columnA1, columnB1, lanes, rank);
  let p00 = l00;
  let p01 = l01;
  let p10 = l00;
  let p11 = l01;
  if (rank == 2) {
    const rowA1 = inputRow(source, rowSecond << 1);
    const rowB1 = inputRow(source, (rowSecond << 1) + 1);
    const l10 = approximation(rowA1, rowB1, columnA0, columnB0, lanes, rank);
    const l11 = approximation(rowA1, rowB1, columnA1, columnB1, lanes, rank);
    const low0 = low(l00, l10);
    const high0 = high(l00, l10);
    const low1 = low(l01, l11);
    const high1 = high(l01, l11);
    p00 = low(low0, high0);
    p10 = high(low0, high0);
    p01 = low(low1, high1);
    p11 = high(low1, high1);
  }
  const output = target + <usize>rowFirst * outRowBytes + <usize>columnFirst * cellBytes + lane;
  const hasColumn = columnFirst + 1 < widthOut;
  const lowTop = low(p00, p01);
  const highTop = high(p00, p01);
  storePair(output, low(lowTop, highTop), lanes);
  if (hasColumn) storePair(output + cellBytes, high(lowTop, highTop), lanes);
  if (rank == 2 && rowFirst + 1 < heightOut) {
    const lowBottom = low(p10, p11);
    const highBottom = high(p10, p11);
    storePair(output + outRowBytes, low(lowBottom, highBottom), lanes);
    if (hasColumn) storePair(output + outRowBytes + cellBytes, high(lowBottom, highBottom), lanes);
  }
}

/**
 * Level 1's synthesis from one level-1 cell's gradient (its low band alone), transposed: along width
 * into input columns 2j, 2j + 1 (folded into 2j at an odd end), then along height the same way.
 */
@inline
function spreadCell(target: usize, row: i32, column: i32, value: v128, lane: usize, lanes: i32, rank: i32): void {
  const at = target + <usize>(row << 1) * inRowBytes + <usize>(column << 1) * cellBytes + lane;
  const hasColumn = (column << 1) + 1 < widthIn;
  let left = low(value, ZERO);
  const right = high(value, ZERO);
  if (!hasColumn) left = f64x2.add(left, right);
  if (rank == 1) {
    storePair(at, left, lanes);
    if (hasColumn) storePair(at + cellBytes, right, lanes);
    return;
  }
  const hasRow = (row << 1) + 1 < heightIn;
  spreadColumn(at, left, hasRow, lanes);
  if (hasColumn) spreadColumn(at + cellBytes, right, hasRow, lanes);
}

/** Along height: (t + 0)/√2 and (t − 0)/√2 to rows 2i and 2i + 1, or their sum to 2i at an odd end. */
@inline
function spreadColumn(at: usize, value: v128, hasRow: bool, lanes: i32): void {
  const first = low(value, ZERO);
  const second = high(value, ZERO);
  if (hasRow) {
    storePair(at, first, lanes);
    storePair(at + inRowBytes, second, lanes);
  } else storePair(at, f64x2.add(first, second), lanes);
}

/**
 * Output-gradient block (blockRow, blockColumn) back to its 4×4 input cells: level 2 transposed (width
 * then height: the partner past the end read as 0, the second cell folded into the first), then level 1.
 */
@inline
function backwardBlock(source: usize, target: usize, blockRow: i32, blockColumn: i32, lane: usize, lanes: i32, rank: i32): void {
  const rowFirst = blockRow << 1;
  const columnFirst = blockColumn << 1;
  const hasColumn = columnFirst + 1 < widthOut;
  const hasRow = rank == 2 && rowFirst + 1 < heightOut;
  const at = source + <usize>rowFirst * outRowBytes + <usize>columnFirst * cellBytes + lane;
  const g00 = loadPair(at, lanes);
  const g01 = hasColumn ? loadPair(at + cellBytes, lanes) : ZERO;
  const g10 = hasRow ? loadPair(at + outRowBytes, lanes) : ZERO;
  const g11 = hasRow && hasColumn ? loadPair(at + outRowBytes + cellBytes, lanes) : ZERO;
  // along width, per row
  let lowBand = low(g00, g01);
  let highBand = high(g00, g01);
  let r00 = low(lowBand, highBand);
  const r01 = high(lowBand, highBand);
  if (!hasColumn) r00 = f64x2.add(r00, r01);
  lowBand = low(g10, g11);
  highBand = high(g10, g11);
  let r10 = low(lowBand, highBand);
  const r11 = high(lowBand, highBand);
  if (!hasColumn) r10 = f64x2.add(r10, r11);
  if (rank == 1) {
    spreadCell(target, 0, columnFirst, r00, lane, lanes, rank);
    if (hasColumn) spreadCell(target, 0, columnFirst + 1, r01, lane, lanes, rank);
    return;
  }
  // along height, per column
  backwardColumn(target, rowFirst, columnFirst, r00, r10, hasRow, lane, lanes);
  if (hasColumn) backwardColumn(target, rowFirst, columnFirst + 1, r01, r11, hasRow, lane, lanes);
}

/** Level 2's height step transposed on one column of the block (a, b), then level 1 on its cells. */
@inline
function backwardColumn(target: usize, row: i32, column: i32, a: v128, b: v128, hasRow: bool, lane: usize, lanes: i32): void {
  const lowBand = low(a, b);
  const highBand = high(a, b);
  const first = low(lowBand, highBand);
  const second = high(lowBand, highBand);
  if (hasRow) {
    spreadCell(target, row, column, first, lane, lanes, 2);
    spreadCell(target, row + 1, column, second, lane, lanes, 2);
  } else spreadCell(target, row, column, f64x2.add(first, second), lane, lanes, 2);
}

/** Every block of one sample, channel pairs then an odd last channel. */
@inline
function sampleBlocks(source: usize, target: usize, channels: i32, rank: i32, backward: bool): void {
  const blockRows = (heightOut + 1) >> 1;
  const blockColumns = (widthOut + 1) >> 1;
  for (let blockRow = 0; blockRow < blockRows; blockRow++)
    for (let blockColumn = 0; blockColumn < blockColumns; blockColumn++) {
      let channel = 0;
      if (backward) {
        for (; channel + 2 <= channels; channel += 2)
          backwardBlock(source, target, blockRow, blockColumn, <usize>channel << 2, 2, rank);
        if (channel < channels) backwardBlock(source, target, blockRow, blockColumn, <usize>channel << 2, 1, rank);
      } else {
        for (; channel + 2 <= channels; channel += 2)
          forwardBlock(source, target, blockRow, blockColumn, <usize>channel << 2, 2, rank);
        if (channel < channels) forwardBlock(source, target, blockRow, blockColumn, <usize>channel << 2, 1, rank);
      }
    }
}

/** Samples [firstUnit, endUnit) of a rank-1 or rank-2 input, forward or backward (word BACKWARD). */
export function waveletBlockSamples(block: usize, firstUnit: i32, endUnit: i32): void {
  const channels = word(block, CHANNELS);
  const backward = word(block, BACKWARD) != 0;
  const rank = word(block, RANK);
  heightIn = word(block, IN_SIZE + 1);
  widthIn = word(block, IN_SIZE + 2);
  heightOut = word(block, OUT_SIZE + 1);
  widthOut = word(block, OUT_SIZE + 2);
  cellBytes = <usize>channels << 2;
  inRowBytes = <usize>widthIn * cellBytes;
  outRowBytes = <usize>widthOut * cellBytes;
  const inBytes = <usize>heightIn * inRowBytes;
  const outBytes = <usize>heightOut * outRowBytes;
  const sourceBytes = backward ? outBytes : inBytes;
  const targetBytes = backward ? inBytes : outBytes;
  for (let sample = firstUnit; sample < endUnit; sample++) {
    const source = pointer(block, SOURCE) + <usize>sample * sourceBytes;
    const target = pointer(block, TARGET) + <usize>sample * targetBytes;
    if (rank == 1) sampleBlocks(source, target, channels, 1, backward);
    else sampleBlocks(source, target, channels, 2, backward);
  }
}
