// Node patterns the pooling kinds' ONNX export hooks share besides the sliding window's
// (pool-window.ts): box reductions over per-axis ranges (adaptive, fractional and pyramid cells),
// flattening, global pooling's output and blends. Every size comes from the kinds' geometry functions.
import { adaptiveEnd, adaptiveStart } from '../../geometry/adaptive-geometry.js';
import type { PoolingSizes, SpatialDims } from '../../geometry/layout.js';
import type { OnnxExportCall, OnnxExportResult } from './kind-hook.js';

/** A scalar float constant, for elementwise arithmetic. */
export function scalar(call: OnnxExportCall, stem: string, value: number): string {
  return call.graph.floats(`${call.owner}/${stem}`, [value], []);
}

/** One [start, end) range per output cell along one spatial axis. */
export type AxisRanges = readonly (readonly [number, number])[];

/** The input and output sizes of the layer's spatial axes (depth, height, width order). */
export function spatialSizesOf(sizes: PoolingSizes, rank: SpatialDims): { inSizes: number[]; outSizes: number[] } {
  return {
    inSizes: [sizes.inDepth, sizes.inHeight, sizes.inWidth].slice(3 - rank),
    outSizes: [sizes.outDepth, sizes.outHeight, sizes.outWidth].slice(3 - rank),
  };
}

/** PyTorch's adaptive windows along each axis: cell i covers [⌊i·In/Out⌋, ⌈(i+1)·In/Out⌉). */
export function adaptiveRanges(sizes: PoolingSizes, rank: SpatialDims): AxisRanges[] {
  const { inSizes, outSizes } = spatialSizesOf(sizes, rank);
  return inSizes.map((inSize, axis) => {
    const outSize = outSizes[axis]!;
    return Array.from({ length: outSize }, (_, cell) => [
      adaptiveStart(cell, outSize, inSize),
      adaptiveEnd(cell, outSize, inSize),
    ]);
  });
}

/** Whether the ranges are windows of one size at one stride from 0 (a pooling op computes them). */
function regular(ranges: AxisRanges): { kernel: number; stride: number } | null {
  const kernel = ranges[0]![1] - ranges[0]![0];
  const stride = ranges.length > 1 ? ranges[1]![0] - ranges[0]![0] : 1;
  const fits = ranges.every(([start, end], index) => start === index * stride && end - start === kernel);
  return fits && stride >= 1 ? { kernel, stride } : null;
}

/**
 * The max or mean of `value` (channels first) over boxes that are products of per-axis ranges.
 * Both are separable over a box, so each axis is reduced in turn: a pooling op where its windows
 * are regular, else a Slice and Reduce per output cell, concatenated.
 */
export function boxReduce(
  call: OnnxExportCall,
  value: string,
  ranges: readonly AxisRanges[],
  reduction: 'max' | 'mean',
): string {
  let current = value;
  ranges.forEach((axisRanges, axis) => {
    const onnxAxis = 2 + axis;
    const window = regular(axisRanges);
    if (window !== null) {
      const kernel = ranges.map((_, other) => (other === axis ? window.kernel : 1));
      const strides = ranges.map((_, other) => (other === axis ? window.stride : 1));
      const pool = reduction === 'max' ? 'MaxPool' : 'AveragePool';
      current = call.graph.apply(pool, [current], { kernel_shape: kernel, strides }, call.owner);
      return;
    }
    const axes = call.graph.int64s(`${call.owner}/axis`, [onnxAxis]);
    const cells = axisRanges.map(([start, end]) => {
      const bounds = [call.graph.int64s(`${call.owner}/start`, [start]), call.graph.int64s(`${call.owner}/end`, [end])];
      const slice = call.graph.apply('Slice', [current, ...bounds, axes], {}, call.owner);
      const reduce = reduction === 'max' ? 'ReduceMax' : 'ReduceMean';
      return call.graph.apply(reduce, [slice, axes], { keepdims: 1 }, call.owner);
    });
    current = cells.length === 1 ? cells[0]! : call.graph.apply('Concat', cells, { axis: onnxAxis }, call.owner);
  });
  return current;
}

/**
 * [batch, channels, ...cells] → [batch, features], the features in the layer's own order:
 * channels fastest when it is channelsLast, as its flat output lays them out.
 */
export function flattenInLayout(call: OnnxExportCall, value: string, channelsLast: boolean): string {
  const ordered = channelsLast
    ? call.graph.apply('Transpose', [value], { perm: [0, ...rangeFrom(2, call.rank + 2), 1] }, call.owner)
    : value;
  return call.graph.apply('Flatten', [ordered], { axis: 1 }, call.owner);
}

function rangeFrom(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, index) => start + index);
}

/** Whether a kind's layer is channelsLast: how its flat outputs order features. */
export function isChannelsLast(call: OnnxExportCall): boolean {
  return (call.options.dataFormat ?? 'channelsLast') === 'channelsLast';
}

/** A global pooling's [batch, channels, 1, ...] as the layer returns it: kept, or flattened to [batch, channels]. */
export function globalResult(call: OnnxExportCall, pooled: string): OnnxExportResult {
  if (call.options.keepDims === true) return spatial(pooled);
  return { output: call.graph.apply('Flatten', [pooled], { axis: 1 }, call.owner), layout: 'flat' };
}

/** The export hook of a global pooling that is one ONNX operator. */
export function exportGlobalPool(opType: string): (call: OnnxExportCall) => OnnxExportResult {
  return (call) => globalResult(call, call.graph.apply(opType, [call.input], {}, call.owner));
}

/** A spatial result. */
export function spatial(output: string, indices?: string): OnnxExportResult {
  return indices === undefined ? { output, layout: 'spatial' } : { output, layout: 'spatial', indices };
}

/** a·left + (1 − a)·right, with a a float tensor (a scalar, per channel [channels, 1, ...] or per cell). */
export function blend(call: OnnxExportCall, weight: string, left: string, right: string): string {
  const difference = call.graph.apply('Sub', [left, right], {}, call.owner);
  const scaled = call.graph.apply('Mul', [weight, difference], {}, call.owner);
  return call.graph.apply('Add', [right, scaled], {}, call.owner);
}

/**
 * A layer weight of one value or one per channel as a constant that broadcasts over
 * [batch, channels, ...`tail` axes]: a scalar, or [channels, 1, ...].
 */
export function channelConstant(call: OnnxExportCall, stem: string, values: Float32Array, tail: number): string {
  const shape = values.length === 1 ? [] : [values.length, ...Array<number>(tail).fill(1)];
  return call.graph.floats(`${call.owner}/${stem}`, values, shape);
}

/** The input's planes as rows: [batch, channels, cells], the spatial axes flattened (global kinds' matrices). */
export function planesAsRows(call: OnnxExportCall): { rows: string; channels: number; cells: number } {
  const channelsLast = isChannelsLast(call);
  const channels = call.inputShape[channelsLast ? call.inputShape.length - 1 : 1]!;
  const cells = call.inputShape.reduce((total, size) => total * size, 1) / channels;
  const shape = call.graph.int64s(`${call.owner}/rows_shape`, [0, channels, cells]);
  return { rows: call.graph.apply('Reshape', [call.input, shape], {}, call.owner), channels, cells };
}
