// BlurPool's depthwise strided binomial filter, forward and backward (reference:
// src/kernels/reference/extra/blur-pool.ts), bit for bit: each output cell's taps are listed in the
// reference's order (row-major over depth, height, width; taps reading a zero skipped), weights are
// (f_depth·f_height)·f_width in f64, sums run in f64 in tap order and round to f32 once, as the
// reference's JavaScript numbers do (a weight has at most 13 significant bits and a value 24, so each
// product is exact in f64 and a fused multiply-add rounds as the product then the sum). Vectorized over
// the contiguous channels of a cell (blur-cells.ts); channelsFirst planes arrive as samples of one
// channel. The forward promotes each f32 value for every tap reading it: an f64 row cache that promoted
// each once measured slower at every shape tried (docs/kind-speed.md, "Lead, sixth round") and is gone.
import { currentThreadSlot } from '../../shared/thread-slot';
import {
  CHANNELS, FILTERS_BYTES, IN_SIZE, OUT_SIZE, SCRATCH, SCRATCH_SLOT_BYTES, SOURCE, TABLES, TAPS, TARGET, pointer, word,
} from './arguments';
import { blurCell, TAP_BYTES } from './blur-cells';

/**
 * Lists the taps of output cell (slice, row, column) into `list` in the reference's order: element
 * offsets from the sample's first input element, and weights; returns how many.
 */
function listTaps(block: usize, list: usize, slice: i32, row: i32, column: i32): i32 {
  const channels = word(block, CHANNELS);
  const inHeight = word(block, IN_SIZE + 1);
  const inWidth = word(block, IN_SIZE + 2);
  const depthTaps = word(block, TAPS);
  const heightTaps = word(block, TAPS + 1);
  const widthTaps = word(block, TAPS + 2);
  const depthTable = pointer(block, TABLES) + (<usize>(slice * depthTaps) << 2);
  const heightTable = pointer(block, TABLES) + (<usize>(word(block, OUT_SIZE) * depthTaps + row * heightTaps) << 2);
  const widthTable =
    pointer(block, TABLES) +
    (<usize>(word(block, OUT_SIZE) * depthTaps + word(block, OUT_SIZE + 1) * heightTaps + column * widthTaps) << 2);
  let count = 0;
  for (let depthTap = 0; depthTap < depthTaps; depthTap++) {
    const source = load<i32>(depthTable + (<usize>depthTap << 2));
    if (source < 0) continue;
    const depthWeight = load<f64>(block + FILTERS_BYTES + (<usize>depthTap << 3));
    for (let heightTap = 0; heightTap < heightTaps; heightTap++) {
      const sourceRow = load<i32>(heightTable + (<usize>heightTap << 2));
      if (sourceRow < 0) continue;
      const rowWeight = depthWeight * load<f64>(block + FILTERS_BYTES + 64 + (<usize>heightTap << 3));
      const rowStart = (source * inHeight + sourceRow) * inWidth;
      for (let widthTap = 0; widthTap < widthTaps; widthTap++) {
        const sourceColumn = load<i32>(widthTable + (<usize>widthTap << 2));
        if (sourceColumn < 0) continue;
        const entry = list + <usize>count * TAP_BYTES;
        store<i32>(entry, (rowStart + sourceColumn) * channels);
        store<f64>(entry, rowWeight * load<f64>(block + FILTERS_BYTES + 128 + (<usize>widthTap << 3)), 8);
        count++;
      }
    }
  }
  return count;
}

// The current row's shared list (per instance globals, so per thread): the first input column of the
// column it was listed for (−1: none), its length, and the element shift of the latest column's taps.
let listedStart: i32 = -1;
let listedCount: i32 = 0;
let shiftElements: i32 = 0;

/** The first input column `column`'s width taps read when they are consecutive and inside the input, else −1. */
function regularStart(block: usize, column: i32): i32 {
  const widthTaps = word(block, TAPS + 2);
  const offset = word(block, OUT_SIZE) * word(block, TAPS) + word(block, OUT_SIZE + 1) * word(block, TAPS + 1);
  const table = pointer(block, TABLES) + (<usize>(offset + column * widthTaps) << 2);
  const start = load<i32>(table);
  for (let tap = 1; tap < widthTaps; tap++) if (load<i32>(table + (<usize>tap << 2)) != start + tap) return -1;
  return start;
}

/**
 * The taps of cell (slice, row, column), with listedStart = −1 at each row's start: the columns away
 * from the edges read the same taps shifted along the row, so their list is made once per row and
 * each reuses it shifted by shiftElements (same order, same weights); an edge column lists its own.
 */
function columnTaps(block: usize, list: usize, slice: i32, row: i32, column: i32): i32 {
  const start = regularStart(block, column);
  if (start >= 0 && listedStart >= 0) {
    shiftElements = (start - listedStart) * word(block, CHANNELS);
    return listedCount;
  }
  shiftElements = 0;
  listedStart = start;
  listedCount = listTaps(block, list, slice, row, column);
  return listedCount;
}

/** This thread's tap list. */
@inline
function threadList(block: usize): usize {
  return pointer(block, SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SCRATCH_SLOT_BYTES);
}

/** Cells of one sample for sizes at `field` (IN_SIZE or OUT_SIZE). */
@inline
function cellsOf(block: usize, field: i32): usize {
  return <usize>word(block, field) * <usize>word(block, field + 1) * <usize>word(block, field + 2);
}

/** Output rows [firstUnit, endUnit) over (sample, slice, row). */
export function blurForwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const channels = word(block, CHANNELS);
  const outDepth = word(block, OUT_SIZE);
  const outHeight = word(block, OUT_SIZE + 1);
  const outWidth = word(block, OUT_SIZE + 2);
  const cellBytes = <usize>channels << 2;
  const list = threadList(block);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    const sample = unit / (outDepth * outHeight);
    const slice = (unit / outHeight) % outDepth;
    const row = unit % outHeight;
    const input = pointer(block, SOURCE) + <usize>sample * cellsOf(block, IN_SIZE) * cellBytes;
    let output = pointer(block, TARGET) + <usize>unit * <usize>outWidth * cellBytes;
    listedStart = -1;
    for (let column = 0; column < outWidth; column++, output += cellBytes) {
      const count = columnTaps(block, list, slice, row, column);
      blurCell(input + (<usize>shiftElements << 2), output, list, count, channels);
    }
  }
}
