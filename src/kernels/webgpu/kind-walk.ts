// The window walk of the other pooling kinds in WGSL: one generator that emits the reference's walk
// (window-walk.ts: in-bounds taps by axisTaps, depth/height/width row-major) around a kind's reducer
// snippet, forward over output elements and backward as a gather over the windows holding an input
// cell in ascending output order (the order the reference scatters in). The same packed poolGeometry.
import { Param } from './params.js';
import { header, storageBindings, type StorageArray } from './shader-common.js';

/** Positions after the geometry's block (Param.count) that only the kind shaders read. */
export const KindParam = {
  /** Taps of one window (kD·kH·kW): the length of a shared tap-weight table. */
  taps: Param.count,
  /** Offsets of a region kind's tables (fractional max: starts and ends per axis; S3: kept rows per axis). */
  tables: Param.count + 1,
  /** LIP's λ (float bits); DPP's asymmetric flag (0 or 1). */
  coefficient: Param.count + 7,
  count: Param.count + 8,
} as const;

/**
 * The WGSL every kind shader shares: a window of an output element (its tap 0, in-bounds taps per
 * axis, input plane, channel and in-bounds count), float bits as values, and NaN/infinity tests on
 * bits (WGSL lets a GPU assume neither exists in float arithmetic).
 */
const windowWgsl = /* wgsl */ `
struct Window { first: vec3<i32>, low: vec3<i32>, high: vec3<i32>, inBase: u32, inStride: u32, channel: u32, count: i32, padded: i32 }

fn outputWindow(outputIndex: u32) -> Window {
  let at = locate(outputIndex, outSpatial());
  let inStrides = stridesOf(inSpatial());
  let outWidth = pu(${Param.outWidth}u);
  let outHeight = pu(${Param.outHeight}u);
  let first = vec3<i32>(
    windowStart(0u, i32(at.z / (outWidth * outHeight))),
    windowStart(1u, i32((at.z / outWidth) % outHeight)),
    windowStart(2u, i32(at.z % outWidth)));
  let slices = axisTaps(0u, first.x);
  let rows = axisTaps(1u, first.y);
  let columns = axisTaps(2u, first.z);
  let count = (slices.y - slices.x) * (rows.y - rows.x) * (columns.y - columns.x);
  return Window(first, vec3<i32>(slices.x, rows.x, columns.x), vec3<i32>(slices.y, rows.y, columns.y),
    at.x * inStrides.x + at.y * inStrides.y, inStrides.z, at.y, count, slices.z * rows.z * columns.z);
}

fn isInfiniteBits(bits: u32) -> bool { return (bits & 0x7fffffffu) == 0x7f800000u; }
fn isFiniteBits(bits: u32) -> bool { return (bits & 0x7f800000u) != 0x7f800000u; }
fn isFiniteValue(value: f32) -> bool { return isFiniteBits(bitcast<u32>(value)); }
/** A float of given bits, computed at run time: WGSL rejects NaN and infinite constants. */
fn floatOfBits(bits: u32) -> f32 { return bitcast<f32>(bits | (pu(0u) & 0u)); }
fn notANumber() -> f32 { return floatOfBits(0x7fc00000u); }
/** A parameter's slot: 0 for one shared value, else the window's channel. */
fn slotOf(length: u32, w: Window) -> u32 { return select(w.channel, 0u, length == 1u); }
fn taps() -> i32 { return p(${KindParam.taps}u); }
`;

/**
 * The in-bounds cells of window `w` in walk order, `body` run per cell with position (i32, the
 * cell's place in the window list), tap (i32, row-major in the kernel), spatialIndex (u32),
 * inputIndex (u32), and where `source` names the bound u32 input, its bits (u32) and value (f32).
 */
export function forCells(body: string, window = 'w', source: string | null = 'input'): string {
  const read = source === null ? '' : `let bits = ${source}[inputIndex];\n          let value = bitcast<f32>(bits);`;
  return `{
    var position = 0;
    let dilation = vec3<i32>(p(${Param.dilationDepth}u), p(${Param.dilationDepth + 1}u), p(${Param.dilationDepth + 2}u));
    let inHeight = p(${Param.inHeight}u);
    let inWidth = p(${Param.inWidth}u);
    for (var kernelSlice = ${window}.low.x; kernelSlice < ${window}.high.x; kernelSlice++) {
      let slice = ${window}.first.x + kernelSlice * dilation.x;
      for (var kernelRow = ${window}.low.y; kernelRow < ${window}.high.y; kernelRow++) {
        let rowIndex = (slice * inHeight + ${window}.first.y + kernelRow * dilation.y) * inWidth;
        for (var kernelColumn = ${window}.low.z; kernelColumn < ${window}.high.z; kernelColumn++) {
          let spatialIndex = u32(rowIndex + ${window}.first.z + kernelColumn * dilation.z);
          let inputIndex = ${window}.inBase + spatialIndex * ${window}.inStride;
          let tap = (kernelSlice * p(${Param.kernelDepth + 1}u) + kernelRow) * p(${Param.kernelDepth + 2}u) + kernelColumn;
          ${read}
          ${body}
          position++;
        }
      }
    }
  }`;
}

/** Max (bits, NaN propagating, first of ties: visitMax), its cell and the in-bounds mean: collect.ts's windowStats. */
export const statsWgsl = `
struct Stats { max: f32, maxIndex: i32, mean: f32 }
fn windowStats(w: Window) -> Stats {
  var state = startMax();
  var sum: f32 = 0.0;
  ${forCells('visitMax(&state, bits, i32(spatialIndex)); sum = sum + value;')}
  if (w.count == 0) { return Stats(0.0, -1, 0.0); }
  return Stats(bitcast<f32>(state.bits), state.index, sum / f32(w.count));
}`;

/** Stable largest-first rank (window-values.ts's rankWindow): cells before it by key, then equal keys before it in window order. */
export const rankWgsl = `
/** A key whose unsigned order is rank order: NaN above every number. */
fn rankKey(bits: u32) -> u32 { return select(orderKey(bits), 0xffffffffu, isNanBits(bits)); }
fn rankOf(w: Window, key: u32, mine: i32) -> i32 {
  var rank = 0;
  ${forCells('let other = rankKey(bits); if (other > key || (other == key && position < mine)) { rank++; }')}
  return rank;
}`;

/** A kind's shader over output elements: `body` runs with `element` and its window `w` in scope; `functions` follow main. */
export function outputShader(bindings: readonly StorageArray[], body: string, functions = ''): string {
  return `${header(windowWgsl + storageBindings(bindings))}
  let w = outputWindow(element);
  ${body}
}
${functions}`;
}

/** How a gather is built: WGSL functions after main, whether it reads `input`'s cell and the window `w`, and code before the walk. */
export interface GatherOptions {
  readonly functions?: string;
  /** bits and value of the cell from the bound u32 `input` (default true). */
  readonly reads?: boolean;
  /** The window `w` of each output (default true). */
  readonly window?: boolean;
  readonly prepare?: string;
}

/**
 * The gather over input elements of every sliding-window backward: per input cell, `add` runs for
 * every window holding it in ascending output order (taps descending on each axis: the reference
 * scatter's order) with outputIndex (u32), window (vec3<i32>, its output cell), `w`, the cell's tap
 * (i32), spatialIndex (u32), bits and value in scope (as options say), adding to `sum`, which ends in
 * gradInput[element].
 */
export function gatherShader(bindings: readonly StorageArray[], add: string, options: GatherOptions = {}): string {
  const { functions = '', reads = true, prepare = '' } = options;
  return `${header(windowWgsl + storageBindings(bindings))}
  let at = locate(element, inSpatial());
  let spatialIndex = at.z;
  let inWidth = pu(${Param.inWidth}u);
  let inHeight = pu(${Param.inHeight}u);
  let cell = vec3<i32>(i32(spatialIndex / (inWidth * inHeight)), i32((spatialIndex / inWidth) % inHeight), i32(spatialIndex % inWidth));
  let outStrides = stridesOf(outSpatial());
  let outBase = at.x * outStrides.x + at.y * outStrides.y;
  let outSize = vec3<i32>(p(${Param.outDepth}u), p(${Param.outHeight}u), p(${Param.outWidth}u));
  let kernel = vec3<i32>(p(${Param.kernelDepth}u), p(${Param.kernelDepth + 1}u), p(${Param.kernelDepth + 2}u));
  ${reads ? 'let bits = input[element];\n  let value = bitcast<f32>(bits);' : ''}
  ${prepare}
  var sum: f32 = 0.0;
  for (var kernelSlice = kernel.x - 1; kernelSlice >= 0; kernelSlice--) {
    let slice = tapWindow(0u, cell.x, kernelSlice, outSize.x);
    if (slice < 0) { continue; }
    for (var kernelRow = kernel.y - 1; kernelRow >= 0; kernelRow--) {
      let row = tapWindow(1u, cell.y, kernelRow, outSize.y);
      if (row < 0) { continue; }
      for (var kernelColumn = kernel.z - 1; kernelColumn >= 0; kernelColumn--) {
        let column = tapWindow(2u, cell.z, kernelColumn, outSize.z);
        if (column < 0) { continue; }
        let outputIndex = outBase + u32((slice * outSize.y + row) * outSize.z + column) * outStrides.z;
        let tap = (kernelSlice * kernel.y + kernelRow) * kernel.z + kernelColumn;
        let window = vec3<i32>(slice, row, column);
        ${options.window === false ? '' : 'let w = outputWindow(outputIndex);'}
        ${add}
      }
    }
  }
  gradInput[element] = sum;
}

/** The output cell along 'axis' whose tap 'tap' is input cell 'cell', or -1 when none is. */
fn tapWindow(axis: u32, cell: i32, tap: i32, outSize: i32) -> i32 {
  let offset = cell + p(${Param.padFront}u + axis) - tap * p(${Param.dilationDepth}u + axis);
  let stride = p(${Param.strideDepth}u + axis);
  if (offset < 0 || offset % stride != 0 || offset / stride >= outSize) { return -1; }
  return offset / stride;
}
${functions}`;
}

/**
 * A kind's tap-weight gradient: one invocation per weight element (tap, or channel·taps + tap where
 * `weights` holds one row per channel), `body` run for every window of its channel(s) in walk order
 * (sample, channel, output cell) with outputIndex (u32), its window `w` and the weight's `weightTap` (i32)
 * in scope, adding to `sum`, which ends in gradWeights[element].
 */
export function weightShader(bindings: readonly StorageArray[], body: string, functions = ''): string {
  return `${header(windowWgsl + storageBindings(bindings))}
  let weightTap = i32(element % u32(taps()));
  let sharedRow = arrayLength(&weights) == u32(taps());
  let outStrides = stridesOf(outSpatial());
  var sum: f32 = 0.0;
  for (var sample = 0u; sample < pu(${Param.batch}u); sample++) {
    for (var channel = 0u; channel < pu(${Param.channels}u); channel++) {
      if (!sharedRow && channel != element / u32(taps())) { continue; }
      for (var cell = 0u; cell < outSpatial(); cell++) {
        let outputIndex = sample * outStrides.x + channel * outStrides.y + cell * outStrides.z;
        let w = outputWindow(outputIndex);
        ${body}
      }
    }
  }
  gradWeights[element] = sum;
}
${functions}`;
}
