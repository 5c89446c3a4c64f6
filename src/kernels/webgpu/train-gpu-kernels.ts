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

/** A product job: one workgroup of TILE_INVOCATIONS per 16x16 output tile. */
function productJob(shader: string, params: Int32Array, arrays: JobArray[]): GpuJob {
  const tiles = Math.ceil(params[TrainParam.rows]! / TILE) * Math.ceil(params[TrainParam.columns]! / TILE);
  return { shader, params, arrays, work: tiles * TILE_INVOCATIONS };
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
      const job = productJob('matmul', matmulParams(options), [
        read(a),
        read(b),
        options.accumulate ? readWrite(out) : write(out),
      ]);
      run('matmul', job, () => reference.matmul(a, b, out, options));
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
      const job = productJob('conv2dForward', params, [
        read(input),
        read(filter),
        read(bias ?? absent()),
        write(output),
      ]);
      run('conv2dForward', job, () => reference.conv2dForward(input, filter, bias, output, geometry, relu));
    },
    conv2dBackwardInput(gradOutput, filter, gradInput, geometry) {
      checkConvLayout(geometry);
      const params = convParams(
        geometry,
        pixels(geometry, 'in'),
        taps(geometry) * geometry.outChannels,
        geometry.channels,
      );
      const job = productJob('conv2dBackwardInput', params, [read(gradOutput), read(filter), write(gradInput)]);
      run('conv2dBackwardInput', job, () => reference.conv2dBackwardInput(gradOutput, filter, gradInput, geometry));
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
      const arrays = [
        read(input),
        read(gradOutput),
        read(reluOutput ?? absent()),
        write(gradFilter),
        write(gradBias ?? absent()),
      ];
      run('conv2dBackwardFilter', productJob('conv2dBackwardFilter', params, arrays), () =>
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
