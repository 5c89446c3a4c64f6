// Jobs of the training kernels: a builder of multi-step jobs whose intermediates stay on the device,
// the tiled product's steps (one dispatch, or partial sums per slice of the inner dimension and their
// reduction), and the parameter blocks of the products and elementwise shaders.
import type { ConvGeometry, MatmulOptions } from '../types.js';
import { floatParam, windowParams, type ArrayRole, type GpuJob, type JobArray, type JobStep } from './params.js';
import { placeholder } from './protocol.js';
import { TrainParam } from './train-params.js';
import { TILE, TILE_INVOCATIONS } from './train-shaders.js';

/** Collects a job's arrays and its dispatches in order. */
export class JobBuilder {
  private readonly arrays: JobArray[] = [];
  private readonly steps: JobStep[] = [];

  /** Adds an array and returns its index for `step`'s bindings. */
  add(data: Float32Array | Int32Array, role: ArrayRole): number {
    this.arrays.push({ data, role });
    return this.arrays.length - 1;
  }

  /** Adds an array that lives on the device for this job only (`length` float32 elements). */
  scratch(length: number): number {
    return this.add(placeholder(length, 'float32') as Float32Array, 'device');
  }

  step(shader: string, params: Int32Array, bindings: readonly number[], work: number): void {
    this.steps.push({ shader, params, bindings, work });
  }

  job(): GpuJob {
    const [first, ...then] = this.steps;
    if (first === undefined) throw new Error('poolkit: a GPU job needs a step');
    return { ...first, arrays: this.arrays, then };
  }
}

/** Below this many tiles a product with a deep inner dimension is split into slices summed apart. */
const SPLIT_BELOW_TILES = 128;
/** Fewest inner terms per slice: a slice's partial must outweigh its reduction. */
const SLICE_DEPTH = 512;

/**
 * How many slices of the inner dimension a product's workgroups take: one when it has tiles enough
 * to fill a GPU; else enough to give about SPLIT_BELOW_TILES workgroups, each slice at least
 * SLICE_DEPTH terms deep (a multiple of the shader's 16-term step).
 */
export function productSlices(rows: number, depth: number, columns: number): { slices: number; sliceDepth: number } {
  const tiles = Math.ceil(rows / TILE) * Math.ceil(columns / TILE);
  const wanted = Math.min(Math.ceil(SPLIT_BELOW_TILES / tiles), Math.floor(depth / SLICE_DEPTH));
  if (tiles >= SPLIT_BELOW_TILES || wanted < 2) return { slices: 1, sliceDepth: Math.max(depth, 1) };
  const sliceDepth = Math.ceil(depth / wanted / 16) * 16;
  return { slices: Math.ceil(depth / sliceDepth), sliceDepth };
}

/**
 * Adds product `shader` with `params` (sizes set) reading `inputs` into `outputs` (indexes): one
 * dispatch, or where productSlices splits it, one of partial sums per slice into a device array and
 * one adding them in slice order into the outputs.
 */
export function addProduct(
  builder: JobBuilder,
  shader: string,
  params: Int32Array,
  inputs: readonly number[],
  outputs: readonly number[],
): void {
  const [rows, depth, columns] = [params[TrainParam.rows]!, params[TrainParam.depth]!, params[TrainParam.columns]!];
  const { slices, sliceDepth } = productSlices(rows, depth, columns);
  params[TrainParam.slices] = slices;
  params[TrainParam.sliceDepth] = sliceDepth;
  const tiles = Math.ceil(rows / TILE) * Math.ceil(columns / TILE);
  const partials = builder.scratch(slices === 1 ? 1 : slices * rows * columns);
  builder.step(shader, params, [...inputs, ...outputs, partials], slices * tiles * TILE_INVOCATIONS);
  if (slices > 1) builder.step(`${shader}Reduce`, params, [...outputs, partials], rows * columns);
}

/** The product's sizes after `base` (the convolution's window geometry, or nothing for matmul). */
function productParams(rows: number, depth: number, columns: number, base: Int32Array = new Int32Array(0)): Int32Array {
  const params = new Int32Array(TrainParam.count);
  params.set(base);
  params.set([rows, depth, columns], TrainParam.rows);
  return params;
}

export function matmulParams({ m, k, n, transposeA, transposeB, accumulate }: MatmulOptions): Int32Array {
  const params = productParams(m, k, n);
  params.set([transposeA ? 1 : k, transposeA ? m : 1, transposeB ? 1 : n, transposeB ? k : 1], TrainParam.aRow);
  params[TrainParam.accumulate] = accumulate ? 1 : 0;
  return params;
}

export const pixels = (geometry: ConvGeometry, side: 'in' | 'out'): number =>
  side === 'in'
    ? geometry.batch * geometry.inHeight * geometry.inWidth
    : geometry.batch * geometry.outHeight * geometry.outWidth;
const taps = (geometry: ConvGeometry): number => geometry.kernelHeight * geometry.kernelWidth;

function convParams(geometry: ConvGeometry, rows: number, depth: number, columns: number): Int32Array {
  if (!geometry.channelsLast || geometry.spatialDims !== 2) {
    throw new RangeError('conv2d kernels: geometry must be 2D channelsLast (NHWC input, HWIO filter)');
  }
  const params = productParams(rows, depth, columns, windowParams(geometry));
  params[TrainParam.outChannels] = geometry.outChannels;
  return params;
}

/** conv2dForward: output pixels × (tap, channel) × output channels; the bias as start, relu at the store. */
export function convForwardParams(geometry: ConvGeometry, withBias: boolean, relu: boolean): Int32Array {
  const params = convParams(
    geometry,
    pixels(geometry, 'out'),
    taps(geometry) * geometry.channels,
    geometry.outChannels,
  );
  params[TrainParam.accumulate] = withBias ? 1 : 0;
  params[TrainParam.relu] = relu ? 1 : 0;
  return params;
}

/** conv2dBackwardInput: input pixels × (tap, output channel) × channels. */
export function convInputParams(geometry: ConvGeometry): Int32Array {
  return convParams(geometry, pixels(geometry, 'in'), taps(geometry) * geometry.outChannels, geometry.channels);
}

/** conv2dBackwardFilter: (tap, channel) [+ the bias row] × output pixels × output channels. */
export function convFilterParams(geometry: ConvGeometry, withBias: boolean, masked: boolean): Int32Array {
  const rows = taps(geometry) * geometry.channels + (withBias ? 1 : 0);
  const params = convParams(geometry, rows, pixels(geometry, 'out'), geometry.outChannels);
  params[TrainParam.accumulate] = withBias ? 1 : 0;
  params[TrainParam.relu] = masked ? 1 : 0;
  return params;
}

/** The parameters of an elementwise shader with float `constants`. */
export function elementParams(constants: readonly number[] = []): Int32Array {
  const params = new Int32Array(TrainParam.count);
  params.set(constants.map(floatParam), TrainParam.constants);
  return params;
}
