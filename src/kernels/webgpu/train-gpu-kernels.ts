// The webgpu backend's training kernels: each call becomes one GPU job (train-shaders.ts) with the
// reference kernel as its fallback; the convolution + max pool pair is the GPU's convolution, max
// pooling and relu kernels in turn (convPoolThrough), as the reference composes its own.
import { convPoolThrough, type ConvPoolParts } from '../reference/conv-pool.js';
import { referenceTrainKernels as reference } from '../reference/train-kernels.js';
import type { ConvGeometry, MatmulOptions, TrainKernels } from '../types.js';
import { floatParam, windowParams, type GpuJob, type JobArray } from './params.js';
import { TILE, TILE_INVOCATIONS, TrainParam } from './train-shaders.js';

/** Runs `job` on the GPU, or `fallback` (the reference kernel on the same arrays) when it cannot. */
export type TrainJobRunner = (kernel: keyof TrainKernels, job: GpuJob, fallback: () => void) => void;

const read = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'read' });
const write = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'write' });
const readWrite = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'readWrite' });
/** Bound in place of an absent optional array (a shader's bindings are fixed). */
const absent = (): Float32Array => new Float32Array(1);

/** The product's sizes after `base` (the convolution's window geometry, or nothing for matmul). */
function productParams(rows: number, depth: number, columns: number, base: Int32Array = new Int32Array(0)): Int32Array {
  const params = new Int32Array(TrainParam.count);
  params.set(base);
  params.set([rows, depth, columns], TrainParam.rows);
  return params;
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
 * Runs product `shader` with `params` (sizes set) on `inputs` into `outputs`: one job, or when
 * productSlices splits it, a job of partial sums per slice and a job adding them in slice order
 * into the outputs (the reference kernel runs instead when the device refuses either).
 */
function runProduct(
  run: TrainJobRunner,
  kernel: keyof TrainKernels,
  shader: string,
  params: Int32Array,
  inputs: JobArray[],
  outputs: JobArray[],
  fallback: () => void,
): void {
  const [rows, depth, columns] = [params[TrainParam.rows]!, params[TrainParam.depth]!, params[TrainParam.columns]!];
  const { slices, sliceDepth } = productSlices(rows, depth, columns);
  params[TrainParam.slices] = slices;
  params[TrainParam.sliceDepth] = sliceDepth;
  const tiles = Math.ceil(rows / TILE) * Math.ceil(columns / TILE);
  const work = slices * tiles * TILE_INVOCATIONS;
  if (slices === 1) {
    run(kernel, { shader, params, arrays: [...inputs, ...outputs, write(absent())], work }, fallback);
    return;
  }
  const partials = new Float32Array(slices * rows * columns);
  let fellBack = false;
  // The first pass writes no output: they travel as read (matmul's accumulate reads its start there).
  const firstOutputs = outputs.map((output) => read(output.data));
  run(kernel, { shader, params, arrays: [...inputs, ...firstOutputs, write(partials)], work }, () => {
    fellBack = true;
    fallback();
  });
  if (fellBack) return;
  const reduce = {
    shader: `${shader}Reduce`,
    params,
    arrays: [...outputs.map((output) => write(output.data)), read(partials)],
    work: rows * columns,
  };
  run(kernel, reduce, fallback);
}

function matmulParams({ m, k, n, transposeA, transposeB, accumulate }: MatmulOptions): Int32Array {
  const params = productParams(m, k, n);
  params.set([transposeA ? 1 : k, transposeA ? m : 1, transposeB ? 1 : n, transposeB ? k : 1], TrainParam.aRow);
  params[TrainParam.accumulate] = accumulate ? 1 : 0;
  return params;
}

function convParams(geometry: ConvGeometry, rows: number, depth: number, columns: number): Int32Array {
  const params = productParams(rows, depth, columns, windowParams(geometry));
  params[TrainParam.outChannels] = geometry.outChannels;
  return params;
}

const pixels = (geometry: ConvGeometry, side: 'in' | 'out'): number =>
  side === 'in'
    ? geometry.batch * geometry.inHeight * geometry.inWidth
    : geometry.batch * geometry.outHeight * geometry.outWidth;
const taps = (geometry: ConvGeometry): number => geometry.kernelHeight * geometry.kernelWidth;

/** The elementwise job of `shader` over `count` elements with float `constants`. */
function elementJob(shader: string, arrays: JobArray[], count: number, constants: number[] = []): GpuJob {
  const params = new Int32Array(TrainParam.count);
  params.set(constants.map(floatParam), TrainParam.constants);
  return { shader, params, arrays, work: count };
}

function checkConvLayout(geometry: ConvGeometry): void {
  if (!geometry.channelsLast || geometry.spatialDims !== 2) {
    throw new RangeError('conv2d kernels: geometry must be 2D channelsLast (NHWC input, HWIO filter)');
  }
}

export function createTrainGpuKernels(
  run: TrainJobRunner,
  pooling: Pick<ConvPoolParts, 'maxPoolForward' | 'maxPoolBackward'>,
): TrainKernels {
  const own: Omit<TrainKernels, 'conv2dMaxPoolForward' | 'conv2dMaxPoolBackwardFilter'> = {
    matmul(a, b, out, options) {
      const output = options.accumulate ? readWrite(out) : write(out);
      runProduct(run, 'matmul', 'matmul', matmulParams(options), [read(a), read(b)], [output], () =>
        reference.matmul(a, b, out, options),
      );
    },
    conv2dForward(input, filter, bias, output, geometry, relu = false) {
      checkConvLayout(geometry);
      const params = convParams(
        geometry,
        pixels(geometry, 'out'),
        taps(geometry) * geometry.channels,
        geometry.outChannels,
      );
      params[TrainParam.accumulate] = bias === null ? 0 : 1;
      params[TrainParam.relu] = relu ? 1 : 0;
      const inputs = [read(input), read(filter), read(bias ?? absent())];
      runProduct(run, 'conv2dForward', 'conv2dForward', params, inputs, [write(output)], () =>
        reference.conv2dForward(input, filter, bias, output, geometry, relu),
      );
    },
    conv2dBackwardInput(gradOutput, filter, gradInput, geometry) {
      checkConvLayout(geometry);
      const params = convParams(
        geometry,
        pixels(geometry, 'in'),
        taps(geometry) * geometry.outChannels,
        geometry.channels,
      );
      const inputs = [read(gradOutput), read(filter)];
      runProduct(run, 'conv2dBackwardInput', 'conv2dBackwardInput', params, inputs, [write(gradInput)], () =>
        reference.conv2dBackwardInput(gradOutput, filter, gradInput, geometry),
      );
    },
    conv2dBackwardFilter(input, gradOutput, gradFilter, geometry, gradBias = null, reluOutput = null) {
      checkConvLayout(geometry);
      const filterRows = taps(geometry) * geometry.channels;
      const params = convParams(
        geometry,
        filterRows + (gradBias === null ? 0 : 1),
        pixels(geometry, 'out'),
        geometry.outChannels,
      );
      params[TrainParam.accumulate] = gradBias === null ? 0 : 1;
      params[TrainParam.relu] = reluOutput === null ? 0 : 1;
      const inputs = [read(input), read(gradOutput), read(reluOutput ?? absent())];
      const outputs = [write(gradFilter), write(gradBias ?? absent())];
      runProduct(run, 'conv2dBackwardFilter', 'conv2dBackwardFilter', params, inputs, outputs, () =>
        reference.conv2dBackwardFilter(input, gradOutput, gradFilter, geometry, gradBias, reluOutput),
      );
    },
    adamUpdate(values, grad, firstMoment, secondMoment, step) {
      const arrays = [readWrite(values), read(grad), readWrite(firstMoment), readWrite(secondMoment)];
      const constants = [step.stepRate, step.firstBlend, step.secondBlend, step.epsilon];
      run('adamUpdate', elementJob('adamUpdate', arrays, values.length, constants), () =>
        reference.adamUpdate(values, grad, firstMoment, secondMoment, step),
      );
    },
    sgdUpdate(values, grad, velocity, step) {
      const arrays = [readWrite(values), read(grad), readWrite(velocity)];
      const constants = [step.learningRate, step.momentum, step.nesterov ? 1 : 0];
      run('sgdUpdate', elementJob('sgdUpdate', arrays, values.length, constants), () =>
        reference.sgdUpdate(values, grad, velocity, step),
      );
    },
    reluForward(input, output) {
      run('reluForward', elementJob('reluForward', [read(input), write(output)], input.length), () =>
        reference.reluForward(input, output),
      );
    },
    reluBackward(output, gradOutput, gradInput) {
      const arrays = [read(output), read(gradOutput), write(gradInput)];
      run('reluBackward', elementJob('reluBackward', arrays, gradInput.length), () =>
        reference.reluBackward(output, gradOutput, gradInput),
      );
    },
  };
  return { ...own, ...convPoolThrough({ ...own, ...pooling }) };
}

/**
 * How far the GPU training kernels may be from the reference (docs/webgpu.md). The products sum each
 * output's terms in float32 in ascending inner order (the reference sums in float64 and rounds
 * once): |gpu − reference| ≤ (terms + 2) · 2^-24 · Σ|terms|, the float32 summation bound plus the
 * reference's own rounding. relu is bit for bit. Adam and SGD round each step in float32, where
 * WGSL's division and square root may be inexact and a GPU may fuse a multiply and an add.
 */
export const GPU_TRAIN_BOUNDS = {
  /** Units of Σ|terms| a product of `terms` terms (the start value counted as one) may be off. */
  summationUnits: (terms: number): number => (terms + 2) * 2 ** -24,
  adam: {
    /** Moments: ulps of |m| + |g| (first) and v + g² (second). */
    momentUlps: 2,
    /** Values: one ulp of the value plus this times stepRate · (|m| + |g|) / (√v' + ε). */
    updateRelative: 2 ** -20,
  },
  /** SGD's velocity and values: ulps of |velocity| + lr·|g| and of the value. */
  sgdUlps: 4,
} as const;
