// The webgpu backend's sparse softmax cross-entropy: the forward as one job of two dispatches (a row
// pass writing log softmax and each row's term, kept on the device, then their mean), the gradient as
// one dispatch per element; the reference kernels are the fallback.
import { referenceLossKernels as reference } from '../reference/softmax-loss.js';
import type { LossKernels } from '../types.js';
import type { GpuJob } from './params.js';
import { elementParams, JobBuilder } from './train-jobs.js';
import { TrainParam } from './train-params.js';

/** Runs `job` on the GPU, or `fallback` (the reference kernel on the same arrays) when it cannot. */
export type LossJobRunner = (kernel: keyof LossKernels, job: GpuJob, fallback: () => void) => void;

function lossParams(rows: number, classes: number, labels: Float32Array | Int32Array, scale = 0): Int32Array {
  const params = elementParams([scale]);
  params[TrainParam.rows] = rows;
  params[TrainParam.columns] = classes;
  params[TrainParam.labelsFloat] = labels instanceof Float32Array ? 1 : 0;
  return params;
}

export function createLossGpuKernels(run: LossJobRunner): LossKernels {
  return {
    sparseSoftmaxCrossEntropyForward(logits, labels, logProbabilities, loss, shape) {
      const { rows, classes } = shape;
      const params = lossParams(rows, classes, labels);
      const builder = new JobBuilder();
      const rowLoss = builder.scratch(rows);
      const [inputs, outputs] = [
        [builder.add(logits, 'read'), builder.add(labels, 'read')],
        [builder.add(logProbabilities, 'write'), builder.add(loss, 'write')],
      ];
      builder.step('softmaxCrossEntropyRows', params, [...inputs, outputs[0]!, rowLoss], rows);
      builder.step('softmaxCrossEntropyMean', params, [rowLoss, outputs[1]!], 1);
      run('sparseSoftmaxCrossEntropyForward', builder.job(), () =>
        reference.sparseSoftmaxCrossEntropyForward(logits, labels, logProbabilities, loss, shape),
      );
    },
    sparseSoftmaxCrossEntropyBackward(logProbabilities, labels, gradLogits, scale, shape) {
      const job: GpuJob = {
        shader: 'softmaxCrossEntropyGradient',
        params: lossParams(shape.rows, shape.classes, labels, scale),
        arrays: [
          { data: logProbabilities, role: 'read' },
          { data: labels, role: 'read' },
          { data: gradLogits, role: 'write' },
        ],
        work: gradLogits.length,
      };
      run('sparseSoftmaxCrossEntropyBackward', job, () =>
        reference.sparseSoftmaxCrossEntropyBackward(logProbabilities, labels, gradLogits, scale, shape),
      );
    },
  };
}

/**
 * How far the GPU loss kernels may be from the reference (docs/webgpu.md): WGSL's exp is within
 * 3 + 2·|x| ulp, its log within 3 ulp (2^-21 absolute near 1), and the GPU sums in float32 where
 * the reference sums in float64.
 */
export const GPU_LOSS_BOUNDS = {
  /** Log probabilities: |gpu − reference| ≤ (4·classes + 8)·2^-23 + 2^-22·|reference|. */
  logProbability: (classes: number, reference: number): number =>
    (4 * classes + 8) * 2 ** -23 + 2 ** -22 * Math.abs(reference),
  /** Gradient: e^logp · scale within (5 + 2·|logp|)·2^-23 relative, plus 2 ulp of scale and of the result. */
  gradientRelative: (logProbability: number): number => (5 + 2 * Math.abs(logProbability)) * 2 ** -23,
} as const;
