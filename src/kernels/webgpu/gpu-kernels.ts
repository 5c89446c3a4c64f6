// The webgpu backend's kernels: each turns its typed arrays and geometry into a GPU job (params.ts)
// and hands it to `run`, which executes it or, when the device cannot take it (too large for its
// limits, an empty array), calls the given reference kernel instead and counts that.
import { argmaxGather, argmaxScatter, argmaxScatterAdd } from '../reference/argmax.js';
import { adaptiveAvgPoolBackward, adaptiveAvgPoolForward, adaptiveMaxPoolForward } from '../reference/adaptive-pool.js';
import { avgPoolBackward, avgPoolForward } from '../reference/avg-pool.js';
import { lpPoolBackward, lpPoolForward } from '../reference/lp-pool.js';
import { maxPoolBackward, maxPoolForward } from '../reference/max-pool.js';
import type { ArgmaxPlanes, LossKernels, PoolKernels, StepKernels, TrainKernels, UpdateKernels } from '../types.js';
import { createLossGpuKernels } from './loss-gpu-kernels.js';
import { adaptiveTables, planeParams, sizeParams, windowParams, type GpuJob, type JobArray } from './params.js';
import { createKindGpuKernels, type KindGpuKernels } from './kind-kernels.js';
import { createTrainGpuKernels } from './train-gpu-kernels.js';
import { createRoiSpectralLstmGpuKernels, type RoiSpectralLstmGpuKernels } from './kind-roi-spectral-lstm-kernels.js';
import { createStepGpuKernels } from './train-step-kernels.js';
import { createUpdateGpuKernels } from './train-update-kernels.js';

/** The kernels that run on the GPU: the wasm pool module's set, every training kernel, the loss and the other kinds' (kind-kernels.ts). */
export type GpuKernels = PoolKernels &
  TrainKernels &
  LossKernels &
  StepKernels &
  UpdateKernels &
  KindGpuKernels &
  RoiSpectralLstmGpuKernels;

/** Runs `job` on the GPU, or `fallback` (the reference kernel on the same arrays) when it cannot. */
export type JobRunner = (kernel: keyof GpuKernels, job: GpuJob, fallback: () => void) => void;

const read = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'read' });
const write = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'write' });

export function createGpuKernels(run: JobRunner): GpuKernels {
  const pooling = createPoolGpuKernels(run);
  const training = { ...createTrainGpuKernels(run), ...createLossGpuKernels(run), ...createStepGpuKernels(run) };
  const updates = createUpdateGpuKernels(run);
  const kinds = { ...createKindGpuKernels(run), ...createRoiSpectralLstmGpuKernels(run) };
  return { ...pooling, ...training, ...updates, ...kinds };
}

function createPoolGpuKernels(run: JobRunner): PoolKernels {
  return {
    maxPoolForward(input, output, argmax, geometry) {
      const arrays = argmax === null ? [read(input), write(output)] : [read(input), write(output), write(argmax)];
      const shader = argmax === null ? 'maxValuesWindowForward' : 'maxWindowForward';
      const job = { shader, params: windowParams(geometry), arrays, work: output.length };
      run('maxPoolForward', job, () => maxPoolForward(input, output, argmax, geometry));
    },
    maxPoolBackward(gradOutput, argmax, gradInput, geometry) {
      const arrays = [read(gradOutput), read(argmax), write(gradInput)];
      const job = { shader: 'maxWindowBackward', params: windowParams(geometry), arrays, work: gradInput.length };
      run('maxPoolBackward', job, () => maxPoolBackward(gradOutput, argmax, gradInput, geometry));
    },
    avgPoolForward(input, output, geometry, divisor) {
      const arrays = [read(input), write(output)];
      const job = {
        shader: 'averageWindowForward',
        params: windowParams(geometry, divisor),
        arrays,
        work: output.length,
      };
      run('avgPoolForward', job, () => avgPoolForward(input, output, geometry, divisor));
    },
    avgPoolBackward(gradOutput, gradInput, geometry, divisor) {
      const arrays = [read(gradOutput), write(gradInput)];
      const params = windowParams(geometry, divisor);
      const job = { shader: 'averageWindowBackward', params, arrays, work: gradInput.length };
      run('avgPoolBackward', job, () => avgPoolBackward(gradOutput, gradInput, geometry, divisor));
    },
    lpPoolForward(input, output, geometry, power) {
      const arrays = [read(input), write(output)];
      const job = {
        shader: 'lpWindowForward',
        params: windowParams(geometry, null, power),
        arrays,
        work: output.length,
      };
      run('lpPoolForward', job, () => lpPoolForward(input, output, geometry, power));
    },
    lpPoolBackward(input, output, gradOutput, gradInput, geometry, power) {
      const arrays = [read(input), read(output), read(gradOutput), write(gradInput)];
      const params = windowParams(geometry, null, power);
      const job = { shader: 'lpWindowBackward', params, arrays, work: gradInput.length };
      run('lpPoolBackward', job, () => lpPoolBackward(input, output, gradOutput, gradInput, geometry, power));
    },
    adaptiveMaxPoolForward(input, output, argmax, geometry) {
      const params = sizeParams(geometry);
      const tables = adaptiveTables(geometry, params);
      const arrays = [read(tables), read(input), write(output), write(argmax ?? new Int32Array(output.length))];
      const job = { shader: 'maxAdaptiveForward', params, arrays, work: output.length };
      run('adaptiveMaxPoolForward', job, () => adaptiveMaxPoolForward(input, output, argmax, geometry));
    },
    adaptiveAvgPoolForward(input, output, geometry) {
      const params = sizeParams(geometry);
      const arrays = [read(adaptiveTables(geometry, params)), read(input), write(output)];
      const job = { shader: 'averageAdaptiveForward', params, arrays, work: output.length };
      run('adaptiveAvgPoolForward', job, () => adaptiveAvgPoolForward(input, output, geometry));
    },
    adaptiveAvgPoolBackward(gradOutput, gradInput, geometry) {
      const params = sizeParams(geometry);
      const arrays = [read(adaptiveTables(geometry, params)), read(gradOutput), write(gradInput)];
      const job = { shader: 'averageAdaptiveBackward', params, arrays, work: gradInput.length };
      run('adaptiveAvgPoolBackward', job, () => adaptiveAvgPoolBackward(gradOutput, gradInput, geometry));
    },
    argmaxScatterAdd(small, argmax, large, planes) {
      const job = scatterJob('argmaxScatterAdd', small, argmax, large, planes);
      run('argmaxScatterAdd', job, () => argmaxScatterAdd(small, argmax, large, planes));
    },
    argmaxScatter(small, argmax, large, planes) {
      const job = scatterJob('argmaxScatter', small, argmax, large, planes);
      run('argmaxScatter', job, () => argmaxScatter(small, argmax, large, planes));
    },
    argmaxGather(large, argmax, small, planes) {
      const job = {
        shader: 'argmaxGather',
        params: planeParams(planes),
        arrays: [read(large), read(argmax), write(small)],
        work: small.length,
      };
      run('argmaxGather', job, () => argmaxGather(large, argmax, small, planes));
    },
  };
}

/** A scatter of `small` into `large` at the argmax: one GPU invocation per plane, `large` read and written. */
function scatterJob(
  shader: string,
  small: Float32Array,
  argmax: Int32Array,
  large: Float32Array,
  planes: ArgmaxPlanes,
) {
  const arrays: JobArray[] = [read(small), read(argmax), { data: large, role: 'readWrite' }];
  return { shader, params: planeParams(planes), arrays, work: planes.batch * planes.channels };
}

/**
 * How far the GPU kernels may be from the reference (docs/webgpu.md states the reasoning). Max (all
 * of it), argmax scatter-add, and Lp with p = 1 are bit for bit: no rounding step differs. Sums run
 * in the reference's order with float32 adds, which WGSL rounds correctly; what differs is WGSL's
 * division (within 2.5 ulp), sqrt (within about 4.5) and pow (exp2 of log2: far looser).
 */
export const GPU_BOUNDS = {
  /** Average forward (sliding, adaptive, global): ulps of the reference output. */
  quotientUlps: 3,
  /** Lp forward with p = 2: ulps of the reference output. */
  squareRootUlps: 5,
  /** Lp forward with another p: relative to the reference output. */
  powerRelative: 2 ** -15,
  /**
   * Backward of average and Lp (p = 2): |gpu − reference| ≤ (windows + 3) · 2^-23 · Σ|terms|, with
   * `windows` the most windows holding one cell and Σ|terms| the sum of the added shares' magnitudes.
   */
  shareSumUlps: 3,
  /** Lp backward with p other than 1 and 2: relative to Σ|terms|. */
  powerShareRelative: 2 ** -14,
} as const;
