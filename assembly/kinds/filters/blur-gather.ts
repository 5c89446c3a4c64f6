// BlurPool's backward as a gather (reference: src/kernels/reference/extra/blur-pool.ts's
// blurPoolBackward): each input cell's gradient is the f64 sum, in (output cell, tap) order, of the
// weights of the taps that read it times their output gradients, rounded to f32 once. Each input
// cell's (output cell, tap) list, in the reference's order, is summed by blur-cells.ts's blurCellWide
// as the forward's taps are, from the sample's output gradient promoted to f64 once per sample; cells
// whose lists are another's shifted by whole output cells share it (one list per pattern combination,
// the patterns found per axis on the TypeScript side, the lists made once per call and thread).
import { currentThreadSlot } from '../../shared/thread-slot';
import {
  CHANNELS, FILTERS_BYTES, IN_SIZE, INVERSE, LIST_BYTES, MAPS, OUT_SIZE, PATTERNS, SAMPLE_CACHE, SCRATCH,
  SCRATCH_SLOT_BYTES, SOURCE, TARGET, pointer, word,
} from './arguments';
import { blurCell, blurCellWide, promoteRow, TAP_BYTES } from './blur-cells';


// An axis's inverse table (written by src/kernels/wasm/kinds/filters/blur.ts): n + 1 starts, then
// (output position, tap) pairs sorted by output position then tap, those of position p at [start p, start p+1).

@inline
function inverseStart(block: usize, axis: i32, position: i32): i32 {
  return load<i32>(pointer(block, INVERSE + axis) + (<usize>position << 2));
}

/** The output position of entry `entry` of an axis's inverse table, and its tap (at +4). */
@inline
function entryAt(block: usize, axis: i32, entry: i32): usize {
  const size = word(block, IN_SIZE + axis);
  return pointer(block, INVERSE + axis) + (<usize>(size + 1) << 2) + (<usize>entry << 3);
}

/** The end of the group of entries from `entry` on that share its output position. */
function groupEnd(block: usize, axis: i32, entry: i32, end: i32): i32 {
  const output = load<i32>(entryAt(block, axis, entry));
  let next = entry + 1;
  while (next < end && load<i32>(entryAt(block, axis, next)) == output) next++;
  return next;
}

/**
 * Lists the (output cell, tap) pairs reading input cell (slice, row, column) in the reference's order
 * (output cells row-major, then taps row-major): element offsets in the sample's output gradient and
 * weights (f_depth·f_height)·f_width; returns how many.
 */
function listGather(block: usize, list: usize, slice: i32, row: i32, column: i32): i32 {
  const channels = word(block, CHANNELS);
  const outHeight = word(block, OUT_SIZE + 1);
  const outWidth = word(block, OUT_SIZE + 2);
  const depthEnd = inverseStart(block, 0, slice + 1);
  const heightEnd = inverseStart(block, 1, row + 1);
  const widthEnd = inverseStart(block, 2, column + 1);
  let count = 0;
  for (let depth = inverseStart(block, 0, slice); depth < depthEnd; ) {
    const depthGroup = groupEnd(block, 0, depth, depthEnd);
    const outSlice = load<i32>(entryAt(block, 0, depth));
    for (let height = inverseStart(block, 1, row); height < heightEnd; ) {
      const heightGroup = groupEnd(block, 1, height, heightEnd);
      const outRow = load<i32>(entryAt(block, 1, height));
      const rowStart = (outSlice * outHeight + outRow) * outWidth;
      for (let width = inverseStart(block, 2, column); width < widthEnd; ) {
        const widthGroup = groupEnd(block, 2, width, widthEnd);
        const offset = (rowStart + load<i32>(entryAt(block, 2, width))) * channels;
        for (let depthTap = depth; depthTap < depthGroup; depthTap++) {
          const depthWeight = load<f64>(block + FILTERS_BYTES + (<usize>load<i32>(entryAt(block, 0, depthTap), 4) << 3));
          for (let heightTap = height; heightTap < heightGroup; heightTap++) {
            const tap = load<i32>(entryAt(block, 1, heightTap), 4);
            const rowWeight = depthWeight * load<f64>(block + FILTERS_BYTES + 64 + (<usize>tap << 3));
            for (let widthTap = width; widthTap < widthGroup; widthTap++) {
              const entry = list + <usize>count * TAP_BYTES;
              const weight = load<f64>(block + FILTERS_BYTES + 128 + (<usize>load<i32>(entryAt(block, 2, widthTap), 4) << 3));
              store<i32>(entry, offset);
              store<f64>(entry, rowWeight * weight, 8);
              count++;
            }
          }
        }
        width = widthGroup;
      }
      height = heightGroup;
    }
    depth = depthGroup;
  }
  return count;
}

// Per axis, the pattern map (src/kernels/wasm/kinds/filters/blur.ts's patternMap): per input position its
// pattern and its shift in output positions, then per pattern the position listed for it. Positions
// whose (output, tap) pairs are another's with every output shifted alike share that one's list.

@inline
function mapEntry(block: usize, axis: i32, index: i32): i32 {
  return load<i32>(pointer(block, MAPS + axis) + (<usize>index << 2));
}

/**
 * Lists every pattern combination (depth's, height's, width's: one list each, offsets from the
 * pattern cells' own sample) into this thread's lists and their counts.
 */
function listPatterns(block: usize, lists: usize, counts: usize): void {
  const depthPatterns = word(block, PATTERNS);
  const heightPatterns = word(block, PATTERNS + 1);
  const widthPatterns = word(block, PATTERNS + 2);
  const listBytes = <usize>word(block, LIST_BYTES);
  let index = 0;
  for (let depth = 0; depth < depthPatterns; depth++)
    for (let height = 0; height < heightPatterns; height++)
      for (let width = 0; width < widthPatterns; width++, index++) {
        const slice = mapEntry(block, 0, 2 * word(block, IN_SIZE) + depth);
        const row = mapEntry(block, 1, 2 * word(block, IN_SIZE + 1) + height);
        const column = mapEntry(block, 2, 2 * word(block, IN_SIZE + 2) + width);
        const count = listGather(block, lists + <usize>index * listBytes, slice, row, column);
        store<i32>(counts + (<usize>index << 2), count);
      }
}

/**
 * Input rows [firstUnit, endUnit) over (sample, slice, row): every gradInput cell of the row written
 * (0 where no tap reads it). Thread scratch: one list per pattern combination and their counts, then
 * (SAMPLE_CACHE) the current sample's output gradient in f64, promoted once per sample.
 */
export function blurGatherRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const channels = word(block, CHANNELS);
  const inDepth = word(block, IN_SIZE);
  const inHeight = word(block, IN_SIZE + 1);
  const inWidth = word(block, IN_SIZE + 2);
  const outHeight = word(block, OUT_SIZE + 1);
  const outWidth = word(block, OUT_SIZE + 2);
  const heightPatterns = word(block, PATTERNS + 1);
  const widthPatterns = word(block, PATTERNS + 2);
  const listBytes = <usize>word(block, LIST_BYTES);
  const combinations = word(block, PATTERNS) * heightPatterns * widthPatterns;
  const lists = pointer(block, SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SCRATCH_SLOT_BYTES);
  const counts = lists + <usize>combinations * listBytes;
  const cache = counts + ((<usize>(combinations + 3) >> 2) << 4);
  const cached = word(block, SAMPLE_CACHE) != 0;
  const sampleElements = word(block, OUT_SIZE) * outHeight * outWidth * channels;
  listPatterns(block, lists, counts);
  let cachedSample = -1;
  let output = pointer(block, TARGET) + ((<usize>firstUnit * <usize>inWidth * <usize>channels) << 2);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    const sample = unit / (inDepth * inHeight);
    const slice = (unit / inHeight) % inDepth;
    const row = unit % inHeight;
    const gradient = pointer(block, SOURCE) + ((<usize>sample * <usize>sampleElements) << 2);
    if (cached && sample != cachedSample) {
      promoteRow(gradient, cache, sampleElements);
      cachedSample = sample;
    }
    const rowPattern = mapEntry(block, 0, slice) * heightPatterns + mapEntry(block, 1, row);
    const rowShift = (mapEntry(block, 0, inDepth + slice) * outHeight + mapEntry(block, 1, inHeight + row)) * outWidth;
    for (let column = 0; column < inWidth; column++, output += <usize>channels << 2) {
      const pattern = rowPattern * widthPatterns + mapEntry(block, 2, column);
      const list = lists + <usize>pattern * listBytes;
      const count = load<i32>(counts + (<usize>pattern << 2));
      const at = <usize>((rowShift + mapEntry(block, 2, inWidth + column)) * channels);
      if (cached) blurCellWide(cache + (at << 3), output, list, count, channels);
      else blurCell(gradient + (at << 2), output, list, count, channels);
    }
  }
}
