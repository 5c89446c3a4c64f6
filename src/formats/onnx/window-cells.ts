// Every window's cells side by side in ONNX, for kinds whose reduction no pooling operator computes
// (a sort, a shift by the window's own max, weights from the window's mean): a strided Slice per tap
// stacks them as [batch, channels, taps, ...out], and a constant says which taps lie in the input.
// Global kinds reduce the whole plane the same way (globalCells), so one body serves both.
import { ONNX_BOOL } from './graph.js';
import type { OnnxExportCall } from './kind-hook.js';
import { endPadsWithOverhang, type WindowAxes } from './pool-window.js';
import { channelConstant, isChannelsLast, scalar } from './pool-nodes.js';
import { spatialSizes } from '../../geometry/layout.js';

/** The cells a kind reduces: values with reduced axes, which cells count, and how many per output cell. */
export interface ReducedCells {
  readonly call: OnnxExportCall;
  /** [batch, channels, taps, ...out] for windows; [batch, channels, ...spatial] for a global pooling. */
  readonly values: string;
  /** The axes reduced over (kept as 1 by `reduce`). */
  readonly reduced: readonly number[];
  /** Axes after the channel axis: a per-channel constant is [channels, 1 × tail]. */
  readonly tail: number;
  /** bool, true where a cell lies in the input; null when every one does. */
  readonly inside: string | null;
  /** The in-bounds cells of each output cell (float, broadcastable to a reduced value). */
  readonly count: string;
  /** Whether some output cell has no in-bounds cell (dilation over padding): its output is 0. */
  readonly anyEmpty: boolean;
  /** The in-bounds cells of each output cell, row-major (one number for a global pooling). */
  readonly counts: Float32Array;
  /** The sizes after the channel axis: [taps, ...out] for windows, the spatial sizes for a global pooling. */
  readonly shape: readonly number[];
}

/** 1 where tap `tap` (per-axis offsets) of output cell `out` lies in the input, along one axis. */
function insideAxis(axes: WindowAxes, axis: number, tap: number, out: number): boolean {
  const at = out * axes.stride[axis]! - axes.padBegin[axis]! + tap * axes.dilation[axis]!;
  return at >= 0 && at < axes.inSize[axis]!;
}

/** Row-major multi-indices of a box of `sizes`. */
function boxIndices(sizes: readonly number[]): number[][] {
  let indices: number[][] = [[]];
  for (const size of sizes)
    indices = indices.flatMap((prefix) => Array.from({ length: size }, (_, index) => [...prefix, index]));
  return indices;
}

/** [taps, ...out] of 1 (the tap lies in the input) or 0, taps in row-major window order. */
export function tapInsideMask(axes: WindowAxes): Float32Array {
  const outCells = boxIndices(axes.outSize);
  const taps = boxIndices(axes.kernel);
  const mask = new Float32Array(taps.length * outCells.length);
  taps.forEach((tap, tapIndex) =>
    outCells.forEach((out, cell) => {
      const inside = tap.every((offset, axis) => insideAxis(axes, axis, offset, out[axis]!));
      mask[tapIndex * outCells.length + cell] = inside ? 1 : 0;
    }),
  );
  return mask;
}

/** The tap's cell of every window: a strided Slice of the padded input (zeroPadded), [batch, channels, ...out]. */
export function tapCells(call: OnnxExportCall, padded: string, axes: WindowAxes, tap: readonly number[]): string {
  const { graph, owner } = call;
  const starts = tap.map((offset, axis) => offset * axes.dilation[axis]!);
  const ends = starts.map((start, axis) => start + (axes.outSize[axis]! - 1) * axes.stride[axis]! + 1);
  const spatialAxes = tap.map((_, axis) => axis + 2);
  const bounds = [starts, ends, spatialAxes, [...axes.stride]].map((values) => graph.int64s(`${owner}/slice`, values));
  return graph.apply('Slice', [padded, ...bounds], {}, owner);
}

/** `value` with the window's pads and ceil-mode overhang added as zeros (what tapCells slices). */
export function zeroPadded(call: OnnxExportCall, value: string, axes: WindowAxes): string {
  const padEnd = endPadsWithOverhang(axes);
  if ([...axes.padBegin, ...padEnd].every((pad) => pad === 0)) return value;
  const pads = call.graph.int64s(`${call.owner}/pads`, [0, 0, ...axes.padBegin, 0, 0, ...padEnd]);
  return call.graph.apply('Pad', [value, pads, scalar(call, 'fill', 0)], { mode: 'constant' }, call.owner);
}

/** A float constant of one value per output cell or per (tap, output cell), cast to bool where asked. */
function cellConstant(
  call: OnnxExportCall,
  stem: string,
  values: Float32Array,
  shape: readonly number[],
  bool: boolean,
) {
  const constant = call.graph.floats(`${call.owner}/${stem}`, values, [1, 1, ...shape]);
  return bool ? call.graph.apply('Cast', [constant], { to: ONNX_BOOL }, call.owner) : constant;
}

/** Each window's cells of `value` (channels first), padding and ceil-mode overhang read as 0 and marked outside. */
export function windowCells(call: OnnxExportCall, value: string, axes: WindowAxes): ReducedCells {
  const { graph, owner } = call;
  const padded = zeroPadded(call, value, axes);
  const taps = boxIndices(axes.kernel);
  const tapAxis = graph.int64s(`${owner}/tap_axis`, [2]);
  const slices = taps.map((tap) => graph.apply('Unsqueeze', [tapCells(call, padded, axes, tap), tapAxis], {}, owner));
  const values = slices.length === 1 ? slices[0]! : graph.apply('Concat', slices, { axis: 2 }, owner);
  const mask = tapInsideMask(axes);
  const outCells = mask.length / taps.length;
  const counts = Float32Array.from({ length: outCells }, (_, cell) =>
    taps.reduce((total, _tap, tapIndex) => total + mask[tapIndex * outCells + cell]!, 0),
  );
  return {
    call,
    values,
    reduced: [2],
    tail: axes.kernel.length + 1,
    inside: mask.every((bit) => bit === 1)
      ? null
      : cellConstant(call, 'inside', mask, [taps.length, ...axes.outSize], true),
    count: cellConstant(call, 'count', counts, [1, ...axes.outSize], false),
    anyEmpty: counts.some((count) => count === 0),
    counts,
    shape: [taps.length, ...axes.outSize],
  };
}

/** Every cell of each plane of the input: a global pooling's one window. */
export function globalCells(call: OnnxExportCall): ReducedCells {
  const sizes = spatialSizes(call.inputShape, call.rank, isChannelsLast(call) ? 'channelsLast' : 'channelsFirst');
  const reduced = sizes.map((_, axis) => axis + 2);
  const count = sizes.reduce((total, size) => total * size, 1);
  return {
    call,
    values: call.input,
    reduced,
    tail: sizes.length,
    inside: null,
    count: scalar(call, 'count', count),
    anyEmpty: false,
    counts: Float32Array.of(count),
    shape: sizes,
  };
}

/** `value` (shaped like the cells) with the cells outside the input set to `fill`. */
export function masked(cells: ReducedCells, value: string, fill: number): string {
  if (cells.inside === null) return value;
  return cells.call.graph.apply(
    'Where',
    [cells.inside, value, scalar(cells.call, 'outside', fill)],
    {},
    cells.call.owner,
  );
}

/** A reduction over the cells (Reduce{Sum,Max,Min}, reduced axes kept as 1), the outside cells read as `fill`. */
export function reduce(cells: ReducedCells, opType: string, value: string, fill: number): string {
  const { graph, owner } = cells.call;
  const axes = graph.int64s(`${owner}/reduce_axes`, cells.reduced);
  return graph.apply(opType, [masked(cells, value, fill), axes], { keepdims: 1 }, owner);
}

/** Σ w·x / Σ w over the in-bounds cells (w and x shaped like the cells). */
export function weightedMean(cells: ReducedCells, weights: string, values: string): string {
  const { graph, owner } = cells.call;
  const weighted = graph.apply('Mul', [weights, values], {}, owner);
  return graph.apply(
    'Div',
    [reduce(cells, 'ReduceSum', weighted, 0), reduce(cells, 'ReduceSum', weights, 0)],
    {},
    owner,
  );
}

/** The mean over the in-bounds cells. */
export function cellMean(cells: ReducedCells, values: string): string {
  const { graph, owner } = cells.call;
  return graph.apply('Div', [reduce(cells, 'ReduceSum', values, 0), cells.count], {}, owner);
}

/**
 * A reduced value as the pooled output, channels first: windows' [batch, channels, 1, ...out] without
 * the tap axis, 0 where a window has no in-bounds cell.
 */
export function pooledOutput(cells: ReducedCells, reducedValue: string): string {
  const { graph, owner } = cells.call;
  const zero = scalar(cells.call, 'zero', 0);
  const kept = cells.anyEmpty
    ? graph.apply('Where', [graph.apply('Equal', [cells.count, zero], {}, owner), zero, reducedValue], {}, owner)
    : reducedValue;
  if (cells.reduced.length !== 1) return kept;
  return graph.apply('Squeeze', [kept, graph.int64s(`${owner}/tap_axis`, [2])], {}, owner);
}

/**
 * SoftPool's mean of the cells: m + Σ e^{x−m}·(x − m) / Σ e^{x−m}, m the cells' max (no exponent
 * overflows). x − m is floored at −1000, where e^{x−m} is 0 in float32 already, so a −Infinity cell
 * weighs 0 instead of making 0·∞ = NaN; an infinite m is the output (the kernel's rule).
 */
export function exponentialMean(cells: ReducedCells, values: string): string {
  const { graph, owner } = cells.call;
  const shift = reduce(cells, 'ReduceMax', values, -Infinity);
  const difference = graph.apply('Sub', [values, shift], {}, owner);
  const centred = graph.apply('Max', [difference, scalar(cells.call, 'floor', -1000)], {}, owner);
  const weights = masked(cells, graph.apply('Exp', [centred], {}, owner), 0);
  const mean = graph.apply('Add', [shift, weightedMean(cells, weights, centred)], {}, owner);
  return infiniteShiftWins(cells, shift, mean);
}

/** `value`, or the shift where it is ±Infinity: a window whose extreme is infinite outputs it (the kernels' rule). */
export function infiniteShiftWins(cells: ReducedCells, shift: string, value: string): string {
  const { graph, owner } = cells.call;
  return graph.apply('Where', [graph.apply('IsInf', [shift], {}, owner), shift, value], {}, owner);
}

/**
 * Per channel, `chosen()` where `flags` (one for every channel, or one per channel) is 1, else
 * `other()`: one of them alone when every flag agrees, so a graph holds only the branch it needs.
 */
export function byChannel(cells: ReducedCells, flags: Float32Array, chosen: () => string, other: () => string): string {
  if (flags.every((flag) => flag === 1)) return chosen();
  if (flags.every((flag) => flag === 0)) return other();
  const { graph, owner } = cells.call;
  const test = graph.apply('Cast', [channelConstant(cells.call, 'flags', flags, cells.tail)], { to: ONNX_BOOL }, owner);
  return graph.apply('Where', [test, chosen(), other()], {}, owner);
}

/**
 * A reduced value made NaN where the cells hold NaN (the sorting kinds' rule: TopK places NaN where it
 * will): plus the ReduceSum of the NaN cells, 0 elsewhere.
 */
function nanWins(cells: ReducedCells, reducedValue: string): string {
  const { graph, owner } = cells.call;
  const isNaN = graph.apply('IsNaN', [cells.values], {}, owner);
  const nans = graph.apply('Where', [isNaN, cells.values, scalar(cells.call, 'zero', 0)], {}, owner);
  return graph.apply('Add', [reducedValue, reduce(cells, 'ReduceSum', nans, 0)], {}, owner);
}

/**
 * The cells sorted along the tap axis (TopK over all taps: largest first, or smallest first), the
 * cells outside the input read as the opposite end's infinity so they sort last.
 */
export function sortedCells(cells: ReducedCells, largestFirst: boolean): string {
  const { graph, owner } = cells.call;
  const filled = masked(cells, cells.values, largestFirst ? -Infinity : Infinity);
  const k = graph.int64s(`${owner}/k`, [cells.shape[0]!]);
  const attributes = { axis: 2, largest: largestFirst ? 1 : 0, sorted: 1 };
  return graph.node('TopK', [filled, k], attributes, { name: owner, outputs: 2 })[0]!;
}

/** bool [1, 1, taps, ...out]: whether rank `rank` of the sorted cells counts for a window of `count` in-bounds cells. */
function rankConstant(cells: ReducedCells, test: (rank: number, count: number) => boolean): string {
  const taps = cells.shape[0]!;
  const outCells = cells.counts.length;
  const values = Float32Array.from({ length: taps * outCells }, (_, index) =>
    test(Math.floor(index / outCells), cells.counts[index % outCells]!) ? 1 : 0,
  );
  return cellConstant(cells.call, 'ranks', values, cells.shape, true);
}

/**
 * The pooled output of a sorting kind: per window, Σ of `ranked` (the sorted cells, or a product of
 * them) over the ranks where `test(rank, count)` holds for its `count` in-bounds cells; NaN where
 * the window holds NaN, 0 where it holds nothing.
 */
export function rankedSum(cells: ReducedCells, ranked: string, test: (rank: number, count: number) => boolean): string {
  const { graph, owner } = cells.call;
  const kept = graph.apply('Where', [rankConstant(cells, test), ranked, scalar(cells.call, 'zero', 0)], {}, owner);
  return pooledOutput(cells, nanWins(cells, reduce({ ...cells, inside: null }, 'ReduceSum', kept, 0)));
}
