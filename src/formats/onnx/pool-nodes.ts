// Node patterns the pooling kinds' ONNX export hooks share: a sliding window's attributes from
// poolGeometry, a window sum as a depthwise Conv, box reductions over per-axis ranges (adaptive,
// fractional and pyramid cells) and flattening. Every size comes from the kinds' geometry functions.
import { adaptiveEnd, adaptiveStart } from '../../geometry/adaptive-geometry.js';
import type { PoolingSizes, SpatialDims } from '../../geometry/layout.js';
import { poolGeometry, type PoolGeometry, type PoolOptions } from '../../geometry/pool-geometry.js';
import { ONNX_INT32, type AttributeValue } from './graph.js';
import type { OnnxExportCall, OnnxExportResult } from './kind-hook.js';

/** One sliding window's sizes per spatial axis (depth, height, width order, the layer's axes only). */
export interface WindowAxes {
  readonly inSize: number[];
  readonly outSize: number[];
  readonly kernel: number[];
  readonly stride: number[];
  readonly dilation: number[];
  readonly padBegin: number[];
  readonly padEnd: number[];
}

/** The geometry's per-axis numbers for the last `rank` of its depth, height and width. */
export function windowAxes(geometry: PoolGeometry, rank: SpatialDims): WindowAxes {
  const pick = (depth: number, height: number, width: number) => [depth, height, width].slice(3 - rank);
  const g = geometry;
  return {
    inSize: pick(g.inDepth, g.inHeight, g.inWidth),
    outSize: pick(g.outDepth, g.outHeight, g.outWidth),
    kernel: pick(g.kernelDepth, g.kernelHeight, g.kernelWidth),
    stride: pick(g.strideDepth, g.strideHeight, g.strideWidth),
    dilation: pick(g.dilationDepth, g.dilationHeight, g.dilationWidth),
    padBegin: pick(g.padFront, g.padTop, g.padLeft),
    padEnd: pick(g.padBack, g.padBottom, g.padRight),
  };
}

/** A sliding-window layer's geometry (poolGeometry, from its options) and its per-axis numbers. */
export function exportWindow(call: OnnxExportCall): { geometry: PoolGeometry; axes: WindowAxes } {
  const geometry = poolGeometry(call.owner, call.inputShape, call.rank, call.options as unknown as PoolOptions);
  return { geometry, axes: windowAxes(geometry, call.rank) };
}

/**
 * MaxPool/AveragePool/LpPool attributes of a window: explicit pads (begins, then ends), so
 * TensorFlow's SAME split is written as computed, and ceil_mode as the layer has it.
 */
export function windowAttributes(axes: WindowAxes, ceilMode: boolean): Record<string, AttributeValue> {
  return {
    kernel_shape: axes.kernel,
    strides: axes.stride,
    pads: [...axes.padBegin, ...axes.padEnd],
    dilations: axes.dilation,
    ceil_mode: ceilMode ? 1 : 0,
  };
}

/**
 * End pads that give the window's output size without ceil mode: a ceil-mode window overhanging
 * the padded input reads zeros there, which a sum or a convolution ignores.
 */
export function endPadsWithOverhang(axes: WindowAxes): number[] {
  return axes.padEnd.map((padEnd, axis) => {
    const effective = (axes.kernel[axis]! - 1) * axes.dilation[axis]! + 1;
    const reach = (axes.outSize[axis]! - 1) * axes.stride[axis]! + effective;
    return padEnd + Math.max(0, reach - (axes.inSize[axis]! + axes.padBegin[axis]! + padEnd));
  });
}

/**
 * Per channel, Σ over each window of `weights` · x (padding and overhang reading 0): a depthwise Conv.
 * `weights` holds one kernel per channel ([channels, taps], row-major taps), or one for every channel ([taps]).
 */
export function windowWeightedSum(
  call: OnnxExportCall,
  value: string,
  axes: WindowAxes,
  channels: number,
  weights: Float32Array | null = null,
): string {
  const taps = axes.kernel.reduce((total, size) => total * size, 1);
  const kernel = new Float32Array(channels * taps);
  for (let channel = 0; channel < channels; channel++) {
    for (let tap = 0; tap < taps; tap++) {
      const shared = weights !== null && weights.length === taps;
      kernel[channel * taps + tap] = weights === null ? 1 : weights[shared ? tap : channel * taps + tap]!;
    }
  }
  const filter = call.graph.floats(`${call.owner}/window`, kernel, [channels, 1, ...axes.kernel]);
  return call.graph.apply(
    'Conv',
    [value, filter],
    {
      group: channels,
      kernel_shape: axes.kernel,
      strides: axes.stride,
      dilations: axes.dilation,
      pads: [...axes.padBegin, ...endPadsWithOverhang(axes)],
    },
    call.owner,
  );
}

/**
 * ONNX MaxPool's Indices (int64, flat over the whole [batch, channels, ...spatial] input) as the
 * op's returnIndices gives them: int32 flat spatial positions within each plane.
 */
export function planeIndices(call: OnnxExportCall, indices: string, axes: WindowAxes): string {
  const planeSize = axes.inSize.reduce((total, size) => total * size, 1);
  const within = call.graph.apply(
    'Mod',
    [indices, call.graph.int64s(`${call.owner}/plane`, [planeSize], [])],
    {},
    call.owner,
  );
  return call.graph.apply('Cast', [within], { to: ONNX_INT32 }, call.owner);
}

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
