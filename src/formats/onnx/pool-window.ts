// A sliding window in ONNX, from poolGeometry: MaxPool, AveragePool and LpPool nodes with pads,
// dilations and ceil_mode, and the window sum as a depthwise Conv. Two limits of ONNX's tooling are
// worked around exactly: ONNX's shape inference rounds ceil_mode up without dropping a window that
// would start in the right padding (ONNX Runtime's kernels drop it, as poolkit does), and ONNX
// Runtime refuses pads as large as the window (TensorFlow's SAME makes them with dilation).
import type { SpatialDims } from '../../geometry/layout.js';
import { poolGeometry, type PoolGeometry, type PoolOptions } from '../../geometry/pool-geometry.js';
import { fail } from '../../errors.js';
import { ONNX_INT32, type AttributeValue } from './graph.js';
import type { OnnxExportCall } from './kind-hook.js';
import { scalar } from './pool-nodes.js';

/** One sliding window's sizes per spatial axis (depth, height, width order, the layer's axes only). */
export interface WindowAxes {
  readonly inSize: readonly number[];
  readonly outSize: readonly number[];
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  readonly padBegin: readonly number[];
  readonly padEnd: readonly number[];
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

/** The output size of an axis rounded down, or up without dropping any window (ONNX's shape inference). */
function roundedSize(axes: WindowAxes, axis: number, up: boolean): number {
  const effective = (axes.kernel[axis]! - 1) * axes.dilation[axis]! + 1;
  const span = axes.inSize[axis]! + axes.padBegin[axis]! + axes.padEnd[axis]! - effective;
  return Math.floor((span + (up ? axes.stride[axis]! - 1 : 0)) / axes.stride[axis]!) + 1;
}

/**
 * End pads that give the window's output size without ceil mode: a ceil-mode window overhanging
 * the padded input then reads the added pads, which a max (-Infinity), a sum (0) and an
 * in-bounds mean ignore.
 */
export function endPadsWithOverhang(axes: WindowAxes): number[] {
  return axes.padEnd.map((padEnd, axis) => {
    const effective = (axes.kernel[axis]! - 1) * axes.dilation[axis]! + 1;
    const reach = (axes.outSize[axis]! - 1) * axes.stride[axis]! + effective;
    return padEnd + Math.max(0, reach - (axes.inSize[axis]! + axes.padBegin[axis]! + axes.padEnd[axis]!));
  });
}

/**
 * The window as ONNX writes it: ceil_mode = 1 where it rounds some axis up and ONNX's shape inference
 * gets every axis right; otherwise the overhang as end pads (`folded`).
 */
export function onnxWindow(
  axes: WindowAxes,
  ceilMode: boolean,
): { axes: WindowAxes; ceilMode: boolean; folded: boolean } {
  const needed = ceilMode && axes.outSize.some((size, axis) => size > roundedSize(axes, axis, false));
  if (!needed) return { axes, ceilMode: false, folded: false };
  if (axes.outSize.every((size, axis) => size === roundedSize(axes, axis, true)))
    return { axes, ceilMode: true, folded: false };
  return { axes: { ...axes, padEnd: endPadsWithOverhang(axes) }, ceilMode: false, folded: true };
}

export function windowAttributes(axes: WindowAxes, ceilMode: boolean): Record<string, AttributeValue> {
  return {
    kernel_shape: [...axes.kernel],
    strides: [...axes.stride],
    pads: [...axes.padBegin, ...axes.padEnd],
    dilations: [...axes.dilation],
    ceil_mode: ceilMode ? 1 : 0,
  };
}

/** Whether ONNX Runtime takes the window's pads (each smaller than the window). */
export function padsFit(axes: WindowAxes): boolean {
  return axes.kernel.every((size, axis) => axes.padBegin[axis]! < size && axes.padEnd[axis]! < size);
}

/** The pads written as an explicit Pad of `fill` first, none left on the window. */
function prePadded(call: OnnxExportCall, value: string, axes: WindowAxes, fill: number) {
  const { graph, owner } = call;
  const pads = graph.int64s(`${owner}/pads`, [0, 0, ...axes.padBegin, 0, 0, ...axes.padEnd]);
  const padded = graph.apply('Pad', [value, pads, scalar(call, 'fill', fill)], { mode: 'constant' }, owner);
  const inSize = axes.inSize.map((size, axis) => size + axes.padBegin[axis]! + axes.padEnd[axis]!);
  const none = axes.padBegin.map(() => 0);
  return { value: padded, axes: { ...axes, inSize, padBegin: none, padEnd: none } };
}

/** One MaxPool or LpPool node of a window whose pads read as `fill` (-Infinity for max, 0 for Lp). */
function poolNode(
  call: OnnxExportCall,
  opType: string,
  value: string,
  axes: WindowAxes,
  ceilMode: boolean,
  fill: number,
  extra: Record<string, AttributeValue> = {},
) {
  const written = onnxWindow(axes, ceilMode);
  const window = padsFit(written.axes) ? { value, axes: written.axes } : prePadded(call, value, written.axes, fill);
  return call.graph.apply(
    opType,
    [window.value],
    { ...windowAttributes(window.axes, written.ceilMode), ...extra },
    call.owner,
  );
}

export function maxPoolNode(call: OnnxExportCall, value: string, axes: WindowAxes, ceilMode: boolean): string {
  return poolNode(call, 'MaxPool', value, axes, ceilMode, -Infinity);
}

export function lpPoolNode(
  call: OnnxExportCall,
  value: string,
  axes: WindowAxes,
  ceilMode: boolean,
  p: number,
): string {
  return poolNode(call, 'LpPool', value, axes, ceilMode, 0, { p });
}

/**
 * MaxPool with its Indices as the op's returnIndices gives them (int32 flat spatial positions per
 * plane, from ONNX's flat positions over the whole input); the pads must be ones ONNX Runtime takes.
 */
export function maxPoolWithIndices(
  call: OnnxExportCall,
  axes: WindowAxes,
  ceilMode: boolean,
  value: string = call.input,
): [string, string] {
  const written = onnxWindow(axes, ceilMode);
  if (!padsFit(written.axes)) fail(call.owner, 'returnIndices', 'needs pads smaller than the window in ONNX', true);
  const attributes = windowAttributes(written.axes, written.ceilMode);
  const [output, flat] = call.graph.node('MaxPool', [value], attributes, { name: call.owner, outputs: 2 });
  const planeSize = axes.inSize.reduce((total, size) => total * size, 1);
  const within = call.graph.apply(
    'Mod',
    [flat!, call.graph.int64s(`${call.owner}/plane`, [planeSize], [])],
    {},
    call.owner,
  );
  return [output!, call.graph.apply('Cast', [within], { to: ONNX_INT32 }, call.owner)];
}

/**
 * AveragePool of a window, or, where ONNX cannot write it as one (pads ONNX Runtime refuses, or a
 * ceil-mode overhang that must not count), the window sum over a count of taps: in the input, or in
 * input and padding with countIncludePad; 0 where a window has none (as poolkit).
 */
export function averagePoolNode(
  call: OnnxExportCall,
  value: string,
  axes: WindowAxes,
  ceilMode: boolean,
  countIncludePad: boolean,
  channels: number,
): string {
  const { graph, owner } = call;
  const written = onnxWindow(axes, ceilMode);
  if (padsFit(written.axes) && !(written.folded && countIncludePad)) {
    const attributes = {
      ...windowAttributes(written.axes, written.ceilMode),
      count_include_pad: countIncludePad ? 1 : 0,
    };
    return graph.apply('AveragePool', [value], attributes, owner);
  }
  const sum = windowWeightedSum(call, value, axes, channels);
  const counted = countIncludePad
    ? {
        ...axes,
        inSize: axes.inSize.map((size, axis) => size + axes.padBegin[axis]! + axes.padEnd[axis]!),
        padBegin: axes.padBegin.map(() => 0),
        padEnd: axes.padEnd.map(() => 0),
      }
    : axes;
  const cells = counted.inSize.reduce((total, size) => total * size, 1);
  const ones = graph.floats(`${owner}/ones`, new Float32Array(cells).fill(1), [1, 1, ...counted.inSize]);
  const count = windowWeightedSum(call, ones, counted, 1);
  const zero = scalar(call, 'zero', 0);
  const mean = graph.apply('Div', [sum, count], {}, owner);
  return graph.apply('Where', [graph.apply('Equal', [count, zero], {}, owner), zero, mean], {}, owner);
}

/** The window's max and its in-bounds mean (what mixed and gated pooling blend). */
export function maxAndMean(call: OnnxExportCall, axes: WindowAxes, channels: number): { max: string; mean: string } {
  const ceilMode = call.options.ceilMode === true;
  const max = maxPoolNode(call, call.input, axes, ceilMode);
  return { max, mean: averagePoolNode(call, call.input, axes, ceilMode, false, channels) };
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
  const shared = weights !== null && weights.length === taps;
  const kernel = new Float32Array(channels * taps);
  for (let channel = 0; channel < channels; channel++) {
    for (let tap = 0; tap < taps; tap++)
      kernel[channel * taps + tap] = weights === null ? 1 : weights[shared ? tap : channel * taps + tap]!;
  }
  const filter = call.graph.floats(`${call.owner}/window`, kernel, [channels, 1, ...axes.kernel]);
  const attributes = {
    group: channels,
    kernel_shape: [...axes.kernel],
    strides: [...axes.stride],
    dilations: [...axes.dilation],
    pads: [...axes.padBegin, ...endPadsWithOverhang(axes)],
  };
  return call.graph.apply('Conv', [value, filter], attributes, call.owner);
}
