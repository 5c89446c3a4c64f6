// What BlurPool and MaxBlurPool share (Zhang, ICML 2019): the binomial filter, its padding, the
// options, and the geometry the blur kernels walk (src/kernels/reference/extra/blur-pool.ts).
import { fail } from '../../errors.js';
import { adaptiveGeometry } from '../../geometry/adaptive-geometry.js';
import {
  checkDataFormat,
  checkInputRank,
  perDimension,
  spatialSizes,
  type DataFormat,
  type SpatialDims,
} from '../../geometry/layout.js';
import type { BlurGeometry } from '../../kernels/reference/extra/blur-pool.js';
import type { Shape } from '../../tensor/tensor.js';
import { dataFormatOption } from '../common-options.js';
import type { OpOptions } from '../kind.js';
import type { OptionSpec } from '../options.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { spatialSizesOf } from '../../formats/onnx/pool-nodes.js';
import { windowWeightedSum } from '../../formats/onnx/pool-window.js';

export type BlurPadMode = 'reflect' | 'replicate' | 'zero';

export interface BlurOptions {
  /** Taps of the binomial filter per axis, 1 to 7 (default 4, the paper's code's default). */
  filterSize?: number;
  /** Subsampling step after the blur, one number or one per axis (default 2). */
  stride?: number | readonly number[];
  /** How the blur reads beyond the edge: 'reflect' (default, the paper's code), 'replicate' or 'zero'. */
  padMode?: BlurPadMode;
  dataFormat?: DataFormat;
}

export const blurOptions: readonly OptionSpec[] = [
  {
    name: 'filterSize',
    default: 4,
    inConfig: 'always',
    doc: 'Taps of the binomial filter per axis, 1 to 7: rows of Pascal’s triangle [1], [1, 1], [1, 2, 1], … (default 4).',
    field: { type: 'number', min: 1, max: 7, step: 1, demo: 4 },
  },
  {
    name: 'stride',
    configName: 'strides',
    default: 2,
    inConfig: 'always',
    doc: 'Subsampling step after the blur: one number, or one per axis (layers: strides, default 2).',
    field: { type: 'pair', min: 1, demo: [2, 2] },
  },
  {
    name: 'padMode',
    default: 'reflect',
    inConfig: 'always',
    doc: "How the blur reads past the edge: 'reflect' (mirror without repeating the edge, the paper's code), 'replicate' or 'zero'.",
    field: { type: 'select', choices: ['reflect', 'replicate', 'zero'], demo: 'reflect' },
  },
  dataFormatOption,
];

/** Row `size − 1` of Pascal's triangle, divided by its sum: the 1D binomial filter. */
export function binomialFilter(size: number): Float64Array {
  const row = new Float64Array(size);
  row[0] = 1;
  for (let order = 1; order < size; order++) {
    for (let index = order; index > 0; index--) row[index]! += row[index - 1]!;
  }
  const total = 2 ** (size - 1);
  return row.map((value) => value / total);
}

/** Where input position `position` (possibly outside 0..size−1) reads from, or −1 for a zero. */
function padSource(position: number, size: number, mode: BlurPadMode): number {
  if (position >= 0 && position < size) return position;
  if (mode === 'zero') return -1;
  if (mode === 'replicate') return position < 0 ? 0 : size - 1;
  return position < 0 ? -position : 2 * (size - 1) - position;
}

/** filterSize, padMode and the stride per axis, checked. */
export function checkBlurOptions(op: string, options: OpOptions, rank: SpatialDims) {
  const filterSize = options.filterSize ?? 4;
  if (!Number.isInteger(filterSize) || (filterSize as number) < 1 || (filterSize as number) > 7)
    fail(op, 'filterSize', 'must be an integer from 1 to 7', filterSize);
  const padMode = options.padMode ?? 'reflect';
  if (padMode !== 'reflect' && padMode !== 'replicate' && padMode !== 'zero')
    fail(op, 'padMode', "must be 'reflect', 'replicate' or 'zero'", padMode);
  const stride = perDimension(op, 'stride', options.stride ?? 2, rank, 1);
  return { filterSize: filterSize as number, padMode: padMode as BlurPadMode, stride };
}

/**
 * The blur's geometry: per axis of size N, pads ⌊(f−1)/2⌋ before and ⌈(f−1)/2⌉ after (the paper's
 * code), so the output has ⌊(N−1)/s⌋ + 1 = ⌈N/s⌉ cells; reflect padding needs N > the pad.
 */
export function blurGeometry(op: string, inputShape: Shape, rank: SpatialDims, options: OpOptions): BlurGeometry {
  const format = checkDataFormat(op, options.dataFormat);
  const { filterSize, padMode, stride } = checkBlurOptions(op, options, rank);
  checkInputRank(op, inputShape, rank, format);
  const inSizes = spatialSizes(inputShape, rank, format);
  const padBefore = Math.floor((filterSize - 1) / 2);
  const padAfter = filterSize - 1 - padBefore;
  if (padMode === 'reflect' && inSizes.some((size) => size <= padAfter)) {
    const rule = `must be longer than the blur's padding (${padAfter}) on every spatial axis with padMode 'reflect'`;
    fail(op, 'input', rule, `shape [${inputShape.join(', ')}]`);
  }
  const outSizes = inSizes.map((size, axis) => Math.floor((size - 1) / stride[axis]!) + 1);
  const filter = binomialFilter(filterSize);
  const unit = { filter: Float64Array.of(1), sources: Int32Array.of(0) };
  const axes = inSizes.map((size, axis) => {
    const sources = new Int32Array(outSizes[axis]! * filterSize);
    for (let out = 0; out < outSizes[axis]!; out++)
      for (let tap = 0; tap < filterSize; tap++)
        sources[out * filterSize + tap] = padSource(out * stride[axis]! + tap - padBefore, size, padMode);
    return { filter, sources };
  });
  const [depth, height, width] = [...Array(3 - rank).fill(unit), ...axes] as (typeof unit)[];
  const geometry = adaptiveGeometry(op, inputShape, rank, outSizes, format);
  return Object.freeze({
    ...geometry,
    filters: [depth!.filter, height!.filter, width!.filter] as const,
    sources: [depth!.sources, height!.sources, width!.sources] as const,
  });
}

/** ONNX Pad's mode for each padMode: its 'reflect' mirrors without repeating the edge, as ReflectionPad. */
const onnxPadModes = { reflect: 'reflect', replicate: 'edge', zero: 'constant' } as const;

/**
 * The blur in ONNX on `value` (channels first; `inputShape` its shape in the layer's data format):
 * a Pad in the padMode, then a depthwise Conv of the binomial filter's outer product with the stride.
 */
export function exportBlur(call: OnnxExportCall, value: string, inputShape: Shape): string {
  const geometry = blurGeometry(call.owner, inputShape, call.rank, call.options);
  const { filterSize, padMode, stride } = checkBlurOptions(call.owner, call.options, call.rank);
  const { inSizes, outSizes } = spatialSizesOf(geometry, call.rank);
  const padBefore = Math.floor((filterSize - 1) / 2);
  const [before, after] = [padBefore, filterSize - 1 - padBefore].map((pad) => Array<number>(call.rank).fill(pad));
  const pads = call.graph.int64s(`${call.owner}/pads`, [0, 0, ...before!, 0, 0, ...after!]);
  const padded = call.graph.apply('Pad', [value, pads], { mode: onnxPadModes[padMode] }, call.owner);
  let taps = [1];
  for (let axis = 0; axis < call.rank; axis++)
    taps = taps.flatMap((tap) => [...geometry.filters[2]].map((weight) => tap * weight));
  const none = Array<number>(call.rank).fill(0);
  const axes = {
    inSize: inSizes.map((size) => size + filterSize - 1),
    outSize: outSizes,
    kernel: Array<number>(call.rank).fill(filterSize),
    stride,
    dilation: Array<number>(call.rank).fill(1),
    padBegin: none,
    padEnd: none,
  };
  return windowWeightedSum(call, padded, axes, geometry.channels, Float32Array.from(taps));
}
