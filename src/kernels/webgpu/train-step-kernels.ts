// The webgpu backend's step kernels (train-step-shaders.ts): the accuracy count, the batch gather,
// the bias add and column sum, softmax and add, each one job with the reference kernel as fallback.
import { referenceStepKernels as reference } from '../reference/step-kernels.js';
import type { MatrixShape, StepKernels } from '../types.js';
import type { GpuJob, JobArray } from './params.js';
import { elementParams, JobBuilder } from './train-jobs.js';
import { TrainParam } from './train-params.js';

/** Runs `job` on the GPU, or `fallback` (the reference kernel on the same arrays) when it cannot. */
export type StepJobRunner = (kernel: keyof StepKernels, job: GpuJob, fallback: () => void) => void;

const read = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'read' });
const write = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'write' });

/** Sizes as the row shaders read them, with integer `words` in the constants' place. */
function stepParams({ rows, columns }: MatrixShape, words: readonly number[] = []): Int32Array {
  const params = elementParams();
  params[TrainParam.rows] = rows;
  params[TrainParam.columns] = columns;
  params.set(words, TrainParam.constants);
  return params;
}

function job(shader: string, params: Int32Array, arrays: JobArray[], work: number): GpuJob {
  return { shader, params, arrays, work };
}

export function createStepGpuKernels(run: StepJobRunner): StepKernels {
  return {
    argmaxCompare(predictions, labels, previous, counts, shape) {
      const params = stepParams({ rows: shape.rows, columns: shape.classes });
      params[TrainParam.labelsFloat] = labels instanceof Float32Array ? 1 : 0;
      const builder = new JobBuilder();
      const rowCorrect = builder.scratch(shape.rows);
      const rowInputs = [builder.add(predictions, 'read'), builder.add(labels, 'read')];
      builder.step('argmaxCompareRows', params, [...rowInputs, rowCorrect], shape.rows);
      const countArrays = [rowCorrect, builder.add(previous, 'read'), builder.add(counts, 'write')];
      builder.step('argmaxCompareCount', params, countArrays, 1);
      run('argmaxCompare', builder.job(), () => reference.argmaxCompare(predictions, labels, previous, counts, shape));
    },
    gatherRows(source, order, output, gather) {
      const params = stepParams({ rows: gather.count, columns: gather.rowSize }, [
        gather.start,
        order === null ? 0 : 1,
      ]);
      // Without an order the source is bound in the order's place too (unread): nothing more goes up.
      const builder = new JobBuilder();
      const from = builder.add(source, 'read');
      const by = order === null ? from : builder.add(order, 'read');
      builder.step('gatherRows', params, [from, by, builder.add(output, 'write')], output.length);
      run('gatherRows', builder.job(), () => reference.gatherRows(source, order, output, gather));
    },
    biasAdd(values, bias, shape) {
      const arrays: JobArray[] = [{ data: values, role: 'readWrite' }, read(bias)];
      run('biasAdd', job('biasAdd', stepParams(shape), arrays, values.length), () =>
        reference.biasAdd(values, bias, shape),
      );
    },
    columnSum(matrix, sums, shape) {
      run('columnSum', job('columnSum', stepParams(shape), [read(matrix), write(sums)], shape.columns), () =>
        reference.columnSum(matrix, sums, shape),
      );
    },
    softmaxForward(input, output, shape) {
      const params = stepParams({ rows: shape.rows, columns: shape.classes });
      run('softmaxForward', job('softmaxForward', params, [read(input), write(output)], shape.rows), () =>
        reference.softmaxForward(input, output, shape),
      );
    },
    softmaxBackward(output, gradOutput, gradInput, shape) {
      const params = stepParams({ rows: shape.rows, columns: shape.classes });
      const arrays = [read(output), read(gradOutput), write(gradInput)];
      run('softmaxBackward', job('softmaxBackward', params, arrays, shape.rows), () =>
        reference.softmaxBackward(output, gradOutput, gradInput, shape),
      );
    },
    sigmoidForward(input, output) {
      run('sigmoidForward', job('sigmoidForward', elementParams(), [read(input), write(output)], output.length), () =>
        reference.sigmoidForward(input, output),
      );
    },
    sigmoidBackward(output, gradOutput, gradInput) {
      const arrays = [read(output), read(gradOutput), write(gradInput)];
      run('sigmoidBackward', job('sigmoidBackward', elementParams(), arrays, gradInput.length), () =>
        reference.sigmoidBackward(output, gradOutput, gradInput),
      );
    },
    tanhForward(input, output) {
      run('tanhForward', job('tanhForward', elementParams(), [read(input), write(output)], output.length), () =>
        reference.tanhForward(input, output),
      );
    },
    tanhBackward(output, gradOutput, gradInput) {
      const arrays = [read(output), read(gradOutput), write(gradInput)];
      run('tanhBackward', job('tanhBackward', elementParams(), arrays, gradInput.length), () =>
        reference.tanhBackward(output, gradOutput, gradInput),
      );
    },
    addForward(left, right, sum) {
      const arrays = [read(left), read(right), write(sum)];
      run('addForward', job('addForward', elementParams(), arrays, sum.length), () =>
        reference.addForward(left, right, sum),
      );
    },
  };
}

/**
 * How far the step kernels may be from the reference (docs/webgpu.md): argmaxCompare, gatherRows,
 * biasAdd and addForward are bit for bit (comparisons on bits; one float32 add, correctly rounded);
 * the column sum adds in float32 where the reference adds in float64; softmax as the loss's log
 * probabilities, then exp (within 3 + 2·|x| ulp).
 */
export const GPU_STEP_BOUNDS = {
  /** Column sums: |gpu − reference| ≤ (rows + 2) · 2^-24 · Σ|terms|. */
  columnSumUnits: (rows: number): number => (rows + 2) * 2 ** -24,
  /** Softmax: |gpu − reference| ≤ p · (logProbability bound + (5 + 2·|log p|) · 2^-23) + 2^-149. */
  softmaxRelative: (classes: number, logProbability: number): number =>
    (4 * classes + 8) * 2 ** -23 + 2 ** -22 * Math.abs(logProbability) + (5 + 2 * Math.abs(logProbability)) * 2 ** -23,
  /** softmax's gradient: |gpu − reference| ≤ y · ((classes + 2) · 2^-24 · Σ|g·y| + 2 ulp of g − Σ) + 2 ulp. */
  softmaxGradientUnits: (classes: number): number => (classes + 2) * 2 ** -24,
  /** sigmoid: |gpu − reference| ≤ (4 + 2·|x|) · 2^-23 · y + 2^-126 (WGSL's exp within 3 + 2·|x| ulp). */
  sigmoidRelative: (input: number): number => (4 + 2 * Math.abs(input)) * 2 ** -23,
  /** tanh: |gpu − reference| ≤ (8 + 4·|x|) · 2^-23 · |y| + 2^-126 (expm1 by series below 0.5, exp above). */
  tanhRelative: (input: number): number => (8 + 4 * Math.abs(input)) * 2 ** -23,
  /** Their gradients: 4 ulp of the result, plus |g| · 2^-23 for tanh's 1 − y² (y² rounded first). */
  gradientUlps: 4,
} as const;
