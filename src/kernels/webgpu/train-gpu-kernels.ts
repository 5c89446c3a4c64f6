// The webgpu backend's training kernels: each call is one GPU job (train-jobs.ts, train-shaders.ts)
// with the reference kernel as its fallback. The convolution + max pool pair is one job of the
// convolution, max pooling and relu shaders in turn whose full-size convolution output (and
// gradient) stays on the device, as the reference composes its kernels through full-size arrays.
import { referenceTrainKernels as reference } from '../reference/train-kernels.js';
import type { ConvGeometry, TrainKernels } from '../types.js';
import { windowParams, type GpuJob, type JobArray } from './params.js';
import { placeholder } from './protocol.js';
import {
  addProduct,
  convFilterParams,
  convForwardParams,
  convInputParams,
  elementParams,
  JobBuilder,
  matmulParams,
  pixels,
} from './train-jobs.js';

/** Runs `job` on the GPU, or `fallback` (the reference kernel on the same arrays) when it cannot. */
export type TrainJobRunner = (kernel: keyof TrainKernels, job: GpuJob, fallback: () => void) => void;

/** A job of one product: `inputs` read, `outputs` written (or read and written). */
function productJob(shader: string, params: Int32Array, inputs: JobArray[], outputs: JobArray[]): GpuJob {
  const builder = new JobBuilder();
  const add = (array: JobArray) => builder.add(array.data, array.role);
  addProduct(builder, shader, params, inputs.map(add), outputs.map(add));
  return builder.job();
}

/** A job of one elementwise shader binding `arrays` in order over `count` elements. */
function elementJob(shader: string, arrays: JobArray[], count: number, constants: number[] = []): GpuJob {
  return { shader, params: elementParams(constants), arrays, work: count };
}

const read = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'read' });
const write = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'write' });
const readWrite = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'readWrite' });
/** An optional array that is absent: one element living on the device for the job only (nothing crosses). */
const absent = (): JobArray => ({ data: placeholder(1, 'float32') as Float32Array, role: 'device' });
/** `data` read, or `absent()` when null. */
const readOrAbsent = (data: Float32Array | null): JobArray => (data === null ? absent() : read(data));

const convOutputSize = (conv: ConvGeometry): number => pixels(conv, 'out') * conv.outChannels;

export function createTrainGpuKernels(run: TrainJobRunner): TrainKernels {
  return {
    matmul(a, b, out, options) {
      const output = options.accumulate ? readWrite(out) : write(out);
      const job = productJob('matmul', matmulParams(options), [read(a), read(b)], [output]);
      run('matmul', job, () => reference.matmul(a, b, out, options));
    },
    conv2dForward(input, filter, bias, output, geometry, relu = false) {
      const params = convForwardParams(geometry, bias !== null, relu);
      const job = productJob('conv2dForward', params, [read(input), read(filter), readOrAbsent(bias)], [write(output)]);
      run('conv2dForward', job, () => reference.conv2dForward(input, filter, bias, output, geometry, relu));
    },
    conv2dBackwardInput(gradOutput, filter, gradInput, geometry) {
      const job = productJob(
        'conv2dBackwardInput',
        convInputParams(geometry),
        [read(gradOutput), read(filter)],
        [write(gradInput)],
      );
      run('conv2dBackwardInput', job, () => reference.conv2dBackwardInput(gradOutput, filter, gradInput, geometry));
    },
    conv2dBackwardFilter(input, gradOutput, gradFilter, geometry, gradBias = null, reluOutput = null) {
      const params = convFilterParams(geometry, gradBias !== null, reluOutput !== null);
      const inputs = [read(input), read(gradOutput), readOrAbsent(reluOutput)];
      const job = productJob('conv2dBackwardFilter', params, inputs, [
        write(gradFilter),
        gradBias === null ? absent() : write(gradBias),
      ]);
      run('conv2dBackwardFilter', job, () =>
        reference.conv2dBackwardFilter(input, gradOutput, gradFilter, geometry, gradBias, reluOutput),
      );
    },
    conv2dMaxPoolForward(input, filter, bias, output, argmax, conv, pool, relu = false) {
      const builder = new JobBuilder();
      const operands = [
        builder.add(input, 'read'),
        builder.add(filter, 'read'),
        bias === null ? builder.scratch(1) : builder.add(bias, 'read'),
      ];
      const convOutput = builder.scratch(convOutputSize(conv));
      addProduct(builder, 'conv2dForward', convForwardParams(conv, bias !== null, false), operands, [convOutput]);
      const pooled = relu ? builder.scratch(output.length) : builder.add(output, 'write');
      builder.step(
        'maxWindowForward',
        windowParams(pool),
        [convOutput, pooled, builder.add(argmax, 'write')],
        output.length,
      );
      if (relu) builder.step('reluForward', elementParams(), [pooled, builder.add(output, 'write')], output.length);
      run('conv2dMaxPoolForward', builder.job(), () =>
        reference.conv2dMaxPoolForward(input, filter, bias, output, argmax, conv, pool, relu),
      );
    },
    conv2dMaxPoolBackwardFilter(input, gradOutput, argmax, gradFilter, gradBias, conv, pool, reluOutput = null) {
      const builder = new JobBuilder();
      let routed = builder.add(gradOutput, 'read');
      const indexes = builder.add(argmax, 'read');
      if (reluOutput !== null) {
        const masked = builder.scratch(gradOutput.length);
        builder.step(
          'reluBackward',
          elementParams(),
          [builder.add(reluOutput, 'read'), routed, masked],
          gradOutput.length,
        );
        routed = masked;
      }
      const gradConv = builder.scratch(convOutputSize(conv));
      builder.step('maxWindowBackward', windowParams(pool), [routed, indexes, gradConv], convOutputSize(conv));
      const inputs = [builder.add(input, 'read'), gradConv, builder.scratch(1)];
      const outputs = [
        builder.add(gradFilter, 'write'),
        gradBias === null ? builder.scratch(1) : builder.add(gradBias, 'write'),
      ];
      addProduct(builder, 'conv2dBackwardFilter', convFilterParams(conv, gradBias !== null, false), inputs, outputs);
      run('conv2dMaxPoolBackwardFilter', builder.job(), () =>
        reference.conv2dMaxPoolBackwardFilter(input, gradOutput, argmax, gradFilter, gradBias, conv, pool, reluOutput),
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
