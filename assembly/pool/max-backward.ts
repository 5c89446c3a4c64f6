// Max pooling backward in gather form (reference max-pool.ts: zero gradInput, then scatter-add each
// window's gradient to its argmax cell in output order). A unit is one input row, so no two threads
// touch one cell and no zeroing pass runs: each cell is written once, with the sum in increasing
// output order of gradOutput over the windows holding it whose argmax is that cell.
// A window that did not pick the cell adds +0, branch-free (compare the argmax lanes, mask the
// gradient). That changes nothing: x + 0 = x for every x but -0, and a sum starting at +0 (as the
// reference's zeroed gradInput does) is never -0; so the result matches the reference bit for bit.
import { ARGMAX, GRAD_INPUT, GRAD_OUTPUT, IN_SIZE, OUT_SIZE, pointer, word } from './arguments';
import { groupOf, outer, row, rowOf, rowStart, slice, spatialSize } from './rows';
import { zeroBytes } from './simd';
import { heldOnlyBy, holderEntry } from './tables';

// Per-row constants (globals are per instance, so per thread).
let group: i32 = 0;
let cellBytes: usize = 0;
let gradOutputPlane: usize = 0; // the row's (sample or plane) gradOutput grid
let argmaxPlane: usize = 0; // the same grid of argmax indices

/** Input rows [firstUnit, endUnit) of a max pooling's gradInput. */
export function maxBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  for (let unit = firstUnit; unit < endUnit; unit++) {
    if (unit + 1 < endUnit && maxBackwardRowPair(block, unit)) unit++;
    else maxBackwardRow(block, unit);
  }
}

/** Sets the per-row globals for input row `unit` (rowOf's outer, slice and row too). */
function beginInputRow(block: usize, unit: i32): void {
  rowOf(block, unit, IN_SIZE);
  group = groupOf(block);
  cellBytes = <usize>group << 2;
  const outPlane = <usize>outer * <usize>spatialSize(block, OUT_SIZE) * cellBytes;
  gradOutputPlane = pointer(block, GRAD_OUTPUT) + outPlane;
  argmaxPlane = pointer(block, ARGMAX) + outPlane;
}

/**
 * Input rows `unit` and `unit + 1` together when one row of windows alone holds both, and each
 * window that holds a cell holds its neighbour too (2x2 windows at stride 2): every window's
 * gradient and argmax are then loaded once for its four cells. Returns false, writing nothing,
 * for any other pair of rows.
 */
function maxBackwardRowPair(block: usize, unit: i32): bool {
  rowOf(block, unit + 1, IN_SIZE);
  const nextOuter = outer;
  const nextSlice = slice;
  const nextRow = row;
  beginInputRow(block, unit);
  if (nextOuter != outer || nextSlice != slice || group < 4) return false;
  const zHolders = holderEntry(block, 0, slice);
  const windowRow = load<i32>(holderEntry(block, 1, row));
  if (load<i32>(zHolders) != load<i32>(zHolders, 4)) return false;
  if (!heldOnlyBy(holderEntry(block, 1, row), windowRow) || !heldOnlyBy(holderEntry(block, 1, nextRow), windowRow)) {
    return false;
  }
  const inWidth = word(block, IN_SIZE + 2);
  if (!inPairs(block, inWidth)) return false;
  const outRowCell = (load<i32>(zHolders) * word(block, OUT_SIZE + 1) + windowRow) * word(block, OUT_SIZE + 2);
  const gradInput = pointer(block, GRAD_INPUT) + (rowStart(block, IN_SIZE) << 2);
  const rowBytes = <usize>inWidth * cellBytes;
  const rowCell = (slice * word(block, IN_SIZE + 1) + row) * inWidth;
  for (let x = 0; x < inWidth; x++) {
    const cell = gradInput + <usize>x * cellBytes;
    const xHolders = holderEntry(block, 2, x);
    if (load<i32>(xHolders) > load<i32>(xHolders, 4)) {
      zeroBytes(cell, cellBytes); // no window holds the column (stride past the window)
      zeroBytes(cell + rowBytes, cellBytes);
      continue;
    }
    spreadQuad(cell, rowBytes, <usize>(outRowCell + load<i32>(xHolders)) * cellBytes, rowCell + x, inWidth);
    x++;
  }
  return true;
}

/** Whether every column is held by no window, or by one window that holds the next column alone too. */
function inPairs(block: usize, inWidth: i32): bool {
  for (let x = 0; x < inWidth; x++) {
    const xHolders = holderEntry(block, 2, x);
    const low = load<i32>(xHolders);
    if (low > load<i32>(xHolders, 4)) continue;
    if (x + 1 >= inWidth || !heldOnlyBy(xHolders, low) || !heldOnlyBy(holderEntry(block, 2, x + 1), low)) return false;
    x++;
  }
  return true;
}

/**
 * The 2x2 cells from `cell` (rows `rowBytes` apart), all held by the one window at `offset` alone:
 * each is +0 + the window's gradient where its argmax is that cell (spatial index `target`, +1,
 * + inWidth, + inWidth + 1), else +0.
 */
function spreadQuad(cell: usize, rowBytes: usize, offset: usize, target: i32, inWidth: i32): void {
  const topLeft = i32x4.splat(target);
  const topRight = i32x4.splat(target + 1);
  const bottomLeft = i32x4.splat(target + inWidth);
  const bottomRight = i32x4.splat(target + inWidth + 1);
  const zero = f32x4.splat(0);
  const below = cell + rowBytes;
  let channel: usize = 0;
  const vectorBytes = cellBytes & ~15;
  for (; channel < vectorBytes; channel += 16) {
    const gradient = v128.load(gradOutputPlane + offset + channel);
    const argmax = v128.load(argmaxPlane + offset + channel);
    v128.store(cell + channel, f32x4.add(zero, pick(gradient, argmax, topLeft)));
    v128.store(cell + cellBytes + channel, f32x4.add(zero, pick(gradient, argmax, topRight)));
    v128.store(below + channel, f32x4.add(zero, pick(gradient, argmax, bottomLeft)));
    v128.store(below + cellBytes + channel, f32x4.add(zero, pick(gradient, argmax, bottomRight)));
  }
  for (; channel < cellBytes; channel += 4) {
    const at = offset + channel;
    store<f32>(cell + channel, <f32>0 + scalarPick(at, target));
    store<f32>(cell + cellBytes + channel, <f32>0 + scalarPick(at, target + 1));
    store<f32>(below + channel, <f32>0 + scalarPick(at, target + inWidth));
    store<f32>(below + cellBytes + channel, <f32>0 + scalarPick(at, target + inWidth + 1));
  }
}

function maxBackwardRow(block: usize, unit: i32): void {
  beginInputRow(block, unit);
  const gradInput = pointer(block, GRAD_INPUT) + (rowStart(block, IN_SIZE) << 2);
  const inWidth = word(block, IN_SIZE + 2);
  const rowCell = (slice * word(block, IN_SIZE + 1) + row) * inWidth;
  const zHolders = holderEntry(block, 0, slice);
  const yHolders = holderEntry(block, 1, row);
  const outHeight = word(block, OUT_SIZE + 1);
  const outWidth = word(block, OUT_SIZE + 2);
  const zLow = load<i32>(zHolders);
  const zHigh = load<i32>(zHolders, 4);
  const yLow = load<i32>(yHolders);
  const yHigh = load<i32>(yHolders, 4);
  // Candidate windows only: a window that does not hold the cell (dilation) never has it as argmax.
  for (let x = 0; x < inWidth; x++) {
    const cell = gradInput + <usize>x * cellBytes;
    const xHolders = holderEntry(block, 2, x);
    const xLow = load<i32>(xHolders);
    const xHigh = load<i32>(xHolders, 4);
    const target = rowCell + x;
    const columns = xHigh - xLow + 1;
    const rows = yHigh - yLow + 1;
    const plane = zLow == zHigh && rows >= 1 && rows <= 2;
    if (plane && columns == 2 && x + 1 < inWidth && heldOnlyBy(holderEntry(block, 2, x + 1), xHigh)) {
      // This cell's windows are columns xLow and xHigh; the next cell's, xHigh alone (3 wide at stride 2).
      const top = (zLow * outHeight + yLow) * outWidth + xLow;
      const bottom = (zLow * outHeight + yHigh) * outWidth + xLow;
      sumPairMatches(cell, top, bottom, rows == 2, target);
      x++;
      continue;
    }
    if (plane && columns >= 1 && columns <= 2 && rows * columns != 1) {
      // Two or four windows (overlapping 2D windows such as 3x3 at stride 2), summed in registers.
      const top = (zLow * outHeight + yLow) * outWidth + xLow;
      const bottom = (zLow * outHeight + yHigh) * outWidth + xLow;
      const second = columns == 2 ? top + 1 : bottom;
      sumMatches(cell, top, second, bottom, bottom + 1, rows * columns == 4, target);
      continue;
    }
    let first = true;
    for (let outSlice = zLow; outSlice <= zHigh; outSlice++) {
      for (let outRow = yLow; outRow <= yHigh; outRow++) {
        const outRowCell = (outSlice * outHeight + outRow) * outWidth;
        for (let outColumn = xLow; outColumn <= xHigh; outColumn++) {
          const offset = <usize>(outRowCell + outColumn) * cellBytes;
          if (first) storeMatches(cell, offset, target);
          else addMatches(cell, offset, target);
          first = false;
        }
      }
    }
    if (first) zeroBytes(cell, cellBytes); // no window holds the cell (stride past the window)
  }
}

/**
 * Two neighbouring cells at once: `cell` is held by windows a = top, b = top + 1 (and c = bottom,
 * d = bottom + 1 when `two` rows), the next cell by b (and d) alone. Each window is loaded once for
 * both; each cell's picks are summed in output order, as in sumMatches.
 */
function sumPairMatches(cell: usize, top: i32, bottom: i32, two: bool, target: i32): void {
  const index = i32x4.splat(target);
  const nextIndex = i32x4.splat(target + 1);
  const offsetA = <usize>top * cellBytes;
  const offsetC = <usize>bottom * cellBytes;
  const zero = f32x4.splat(0);
  const next = cell + cellBytes;
  let channel: usize = 0;
  const vectorBytes = cellBytes & ~15;
  for (; channel < vectorBytes; channel += 16) {
    const gradientA = v128.load(gradOutputPlane + offsetA + channel);
    const argmaxA = v128.load(argmaxPlane + offsetA + channel);
    const gradientB = v128.load(gradOutputPlane + offsetA + cellBytes + channel);
    const argmaxB = v128.load(argmaxPlane + offsetA + cellBytes + channel);
    let sum = f32x4.add(f32x4.add(zero, pick(gradientA, argmaxA, index)), pick(gradientB, argmaxB, index));
    let nextSum = f32x4.add(zero, pick(gradientB, argmaxB, nextIndex));
    if (two) {
      const gradientC = v128.load(gradOutputPlane + offsetC + channel);
      const argmaxC = v128.load(argmaxPlane + offsetC + channel);
      const gradientD = v128.load(gradOutputPlane + offsetC + cellBytes + channel);
      const argmaxD = v128.load(argmaxPlane + offsetC + cellBytes + channel);
      sum = f32x4.add(f32x4.add(sum, pick(gradientC, argmaxC, index)), pick(gradientD, argmaxD, index));
      nextSum = f32x4.add(nextSum, pick(gradientD, argmaxD, nextIndex));
    }
    v128.store(cell + channel, sum);
    v128.store(next + channel, nextSum);
  }
  for (; channel < cellBytes; channel += 4) {
    const a = offsetA + channel;
    const b = a + cellBytes;
    let sum: f32 = <f32>0 + scalarPick(a, target) + scalarPick(b, target);
    let nextSum: f32 = <f32>0 + scalarPick(b, target + 1);
    if (two) {
      const c = offsetC + channel;
      const d = c + cellBytes;
      sum = sum + scalarPick(c, target) + scalarPick(d, target);
      nextSum = nextSum + scalarPick(d, target + 1);
    }
    store<f32>(cell + channel, sum);
    store<f32>(next + channel, nextSum);
  }
}

@inline
function pick(gradient: v128, argmax: v128, index: v128): v128 {
  return v128.and(gradient, i32x4.eq(argmax, index));
}

/** The window's gradient lanes whose argmax is `index`, else +0. */
@inline
function picked(offset: usize, channel: usize, index: v128): v128 {
  const gradient = v128.load(gradOutputPlane + offset + channel);
  return v128.and(gradient, i32x4.eq(v128.load(argmaxPlane + offset + channel), index));
}

/**
 * cell = +0 + the picks of windows a, b (and c, d when `four`), output cells in output order,
 * summed in registers and stored once.
 */
function sumMatches(cell: usize, a: i32, b: i32, c: i32, d: i32, four: bool, target: i32): void {
  const index = i32x4.splat(target);
  const offsetA = <usize>a * cellBytes;
  const offsetB = <usize>b * cellBytes;
  const offsetC = <usize>c * cellBytes;
  const offsetD = <usize>d * cellBytes;
  const zero = f32x4.splat(0);
  let channel: usize = 0;
  const vectorBytes = cellBytes & ~15;
  for (; channel < vectorBytes; channel += 16) {
    let sum = f32x4.add(f32x4.add(zero, picked(offsetA, channel, index)), picked(offsetB, channel, index));
    if (four) sum = f32x4.add(f32x4.add(sum, picked(offsetC, channel, index)), picked(offsetD, channel, index));
    v128.store(cell + channel, sum);
  }
  for (; channel < cellBytes; channel += 4) {
    let sum: f32 = <f32>0 + scalarPick(offsetA + channel, target) + scalarPick(offsetB + channel, target);
    if (four) sum = sum + scalarPick(offsetC + channel, target) + scalarPick(offsetD + channel, target);
    store<f32>(cell + channel, sum);
  }
}

@inline
function scalarPick(offset: usize, target: i32): f32 {
  return load<i32>(argmaxPlane + offset) == target ? load<f32>(gradOutputPlane + offset) : 0;
}

/** cell = +0 + (the window's gradient where its argmax is `target`, else +0), channel by channel. */
function storeMatches(cell: usize, offset: usize, target: i32): void {
  const gradOutput = gradOutputPlane + offset;
  const argmax = argmaxPlane + offset;
  const index = i32x4.splat(target);
  const zero = f32x4.splat(0);
  let channel: usize = 0;
  const vectorBytes = cellBytes & ~15;
  for (; channel < vectorBytes; channel += 16) {
    const picked = v128.and(v128.load(gradOutput + channel), i32x4.eq(v128.load(argmax + channel), index));
    v128.store(cell + channel, f32x4.add(zero, picked));
  }
  for (; channel < cellBytes; channel += 4) {
    const picked: f32 = load<i32>(argmax + channel) == target ? load<f32>(gradOutput + channel) : 0;
    store<f32>(cell + channel, <f32>0 + picked);
  }
}

/** cell += (the window's gradient where its argmax is `target`, else +0), channel by channel. */
function addMatches(cell: usize, offset: usize, target: i32): void {
  const gradOutput = gradOutputPlane + offset;
  const argmax = argmaxPlane + offset;
  const index = i32x4.splat(target);
  let channel: usize = 0;
  const vectorBytes = cellBytes & ~15;
  for (; channel < vectorBytes; channel += 16) {
    const picked = v128.and(v128.load(gradOutput + channel), i32x4.eq(v128.load(argmax + channel), index));
    v128.store(cell + channel, f32x4.add(v128.load(cell + channel), picked));
  }
  for (; channel < cellBytes; channel += 4) {
    const picked: f32 = load<i32>(argmax + channel) == target ? load<f32>(gradOutput + channel) : 0;
    store<f32>(cell + channel, load<f32>(cell + channel) + picked);
  }
}
