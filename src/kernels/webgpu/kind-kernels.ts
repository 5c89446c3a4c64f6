// The webgpu backend's kernels of the other window kinds (kind-shaders.ts; SoftPool, GeM, LSE in kind-formula-kernels.ts):
// each packs poolGeometry as the pooling shaders do, runs one job (a backward: window statistics,
// then the gather, in one submit) and falls back to the reference kernel where the device cannot.
// Parameter gradients: the GPU writes one term per window, summed here per slot in walk order.
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import { avgPoolBackward, avgPoolForward } from '../reference/avg-pool.js';
import { forEachOutputCell, axisTaps } from '../reference/window-walk.js';
import { channelOfOutput } from '../reference/extra/collect.js';
import { gatedPoolForward } from '../reference/extra/gated-pool.js';
import { medianPoolForward } from '../reference/extra/median-pool.js';
import { mixedPoolBackward, mixedPoolForward } from '../reference/extra/mixed-pool.js';
import { ordinalPoolForward } from '../reference/extra/ordinal-pool.js';
import { randomPoolForward } from '../reference/extra/random-pool.js';
import * as stochastic from '../reference/extra/stochastic-pool.js';
import { minPoolForward } from '../../pooling/kinds/min.js';
import type { PoolingKernels } from '../types.js';
import { drawUniform, type DrawKey } from '../../tensor/counter-draws.js';
import { sizeOf } from '../../tensor/tensor.js';
import { createAdaGpuKernels } from './kind-ada-kernels.js';
import { createDppGpuKernels } from './kind-dpp-kernels.js';
import { createFormulaGpuKernels } from './kind-formula-kernels.js';
import { createLipGpuKernels } from './kind-lip-kernels.js';
import { createPyramidGpuKernels } from './kind-pyramid-kernels.js';
import { createRegionGpuKernels } from './kind-region-kernels.js';
import { createTapGpuKernels } from './kind-tap-kernels.js';
import { KindParam } from './kind-walk.js';
import { createWaveletGpuKernels } from './kind-wavelet-kernels.js';
import { createSampleGpuKernels, SAMPLE_GPU_KERNELS } from './kind-sample-kernels.js';
import { windowParams, type GpuJob, type JobArray } from './params.js';
import { JobBuilder } from './train-jobs.js';

/** The kinds' kernels that run on the GPU. */
export const KIND_GPU_KERNELS = [
  'minPoolForward',
  'medianPoolForward',
  'randomPoolForward',
  'inBoundsAverageForward',
  'inBoundsAverageBackward',
  'stochasticPoolBackward',
  'stochasticPoolInference',
  'stochasticPoolInferenceBackward',
  'mixedPoolForward',
  'mixedPoolBackward',
  'gatedPoolForward',
  'gatedPoolBackward',
  'ordinalPoolForward',
  'ordinalPoolBackward',
  'softPoolForward',
  'softPoolBackward',
  'gemPoolForward',
  'gemPoolBackward',
  'lsePoolForward',
  'lsePoolBackward',
  'lipPoolForward',
  'lipPoolBackward',
  'fractionalMaxPoolForward',
  'gridSampleForward',
  'blurPoolForward',
  'blurPoolBackward',
  'sppForward',
  'sppBackward',
  'adaPoolForward',
  'adaPoolBackward',
  'dppPoolForward',
  'dppPoolBackward',
  'waveletPoolForward',
  'waveletPoolBackward',
  ...SAMPLE_GPU_KERNELS,
] as const;

export type KindGpuKernels = Pick<PoolingKernels, (typeof KIND_GPU_KERNELS)[number]>;

export type KindRunner = (kernel: keyof KindGpuKernels, job: GpuJob, fallback: () => void) => void;

export const read = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'read' });
export const write = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'write' });

/** poolGeometry's parameters with the kind block after them (the taps of one window). */
export function kindParams(geometry: PoolGeometry): Int32Array {
  const params = new Int32Array(KindParam.count);
  params.set(windowParams(geometry));
  params[KindParam.taps] = geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;
  return params;
}

/** A one-dispatch job over the output elements. */
export function forwardJob(shader: string, geometry: PoolGeometry, arrays: JobArray[], work: number): GpuJob {
  return { shader, params: kindParams(geometry), arrays, work };
}

/**
 * A backward job: `stats` (per output element, writing `width` floats of statistics per window and,
 * when `terms` is given, one parameter-gradient term per window) then `gather` per input element.
 * `statsReads` and `gatherReads` are the arrays each binds before its outputs.
 */
export function backwardJob(
  shaders: { stats: string; gather: string; width: number },
  geometry: PoolGeometry,
  arrays: { statsReads: JobArray[]; gatherReads: JobArray[]; terms: Float32Array | null; gradInput: Float32Array },
): GpuJob {
  const builder = new JobBuilder();
  const params = kindParams(geometry);
  const outputs = arrays.terms?.length ?? geometry.outputShape.reduce((total, size) => total * size, 1);
  const added = new Map<Float32Array | Int32Array, number>();
  const index = (array: JobArray) =>
    added.get(array.data) ?? added.set(array.data, builder.add(array.data, array.role)).get(array.data)!;
  const statsReads = arrays.statsReads.map(index);
  const stats = builder.scratch(outputs * shaders.width);
  added.set(STATS, stats);
  const terms = arrays.terms === null ? [] : [builder.add(arrays.terms, 'write')];
  builder.step(shaders.stats, params, [...statsReads, stats, ...terms], outputs);
  const gatherReads = arrays.gatherReads.map(index);
  const gradInput = builder.add(arrays.gradInput, 'write');
  builder.step(shaders.gather, params, [...gatherReads, gradInput], arrays.gradInput.length);
  return builder.job();
}

/** Stands for the statistics array in a gather's reads. */
export const STATS = new Float32Array(1);

/** gradParameter[slot] += terms (one per output element) in walk order (plane, then output cell), as the reference adds. */
export function addTerms(terms: Float32Array, gradParameter: Float32Array, geometry: PoolGeometry): void {
  forEachOutputCell(geometry, (_inBase, outputIndex) => {
    const slot = gradParameter.length === 1 ? 0 : channelOfOutput(geometry, outputIndex);
    gradParameter[slot]! += terms[outputIndex]!;
  });
}

/** random-pool.ts's drawn position floor(u·count) (u its counter-based draw) (capped at count − 1; −1 for an empty window), in float64 on the host. */
function drawnPositions(draws: DrawKey, geometry: PoolGeometry): Int32Array {
  const positions = new Int32Array(sizeOf(geometry.outputShape));
  const g = geometry;
  forEachOutputCell(geometry, (_inBase, outputIndex, [slice, row, column]) => {
    const along = (first: number, kernel: number, dilation: number, size: number, padAfter: number) => {
      const taps = axisTaps(first, kernel, dilation, size, padAfter);
      return taps.high - taps.low;
    };
    const count =
      along(slice * g.strideDepth - g.padFront, g.kernelDepth, g.dilationDepth, g.inDepth, g.padBack) *
      along(row * g.strideHeight - g.padTop, g.kernelHeight, g.dilationHeight, g.inHeight, g.padBottom) *
      along(column * g.strideWidth - g.padLeft, g.kernelWidth, g.dilationWidth, g.inWidth, g.padRight);
    positions[outputIndex] =
      count === 0 ? -1 : Math.min(count - 1, Math.floor(drawUniform(draws, outputIndex) * count));
  });
  return positions;
}

const inBoundsDivisor = { countIncludePad: false, divisorOverride: null };

export function createKindGpuKernels(run: KindRunner): KindGpuKernels {
  return {
    ...createSelectionGpuKernels(run),
    ...createFormulaGpuKernels(run),
    ...createTapGpuKernels(run),
    ...createRegionGpuKernels(run),
    ...createPyramidGpuKernels(run),
    ...createLipGpuKernels(run),
    ...createAdaGpuKernels(run),
    ...createDppGpuKernels(run),
    ...createWaveletGpuKernels(run),
    ...createSampleGpuKernels(run),
  };
}

function createSelectionGpuKernels(run: KindRunner) {
  return {
    minPoolForward(input, output, argmin, geometry) {
      const indices = write(argmin ?? new Int32Array(output.length));
      const job = forwardJob('minKindForward', geometry, [read(input), write(output), indices], output.length);
      run('minPoolForward', job, () => minPoolForward(input, output, argmin, geometry));
    },
    medianPoolForward(input, output, argmedian, geometry) {
      const indices = write(argmedian ?? new Int32Array(output.length));
      const job = forwardJob('medianKindForward', geometry, [read(input), write(output), indices], output.length);
      run('medianPoolForward', job, () => medianPoolForward(input, output, argmedian, geometry));
    },
    randomPoolForward(input, output, chosen, draws, geometry) {
      const positions = drawnPositions(draws, geometry);
      const arrays = [read(input), read(positions), write(output), write(chosen)];
      const job = forwardJob('randomKindForward', geometry, arrays, output.length);
      run('randomPoolForward', job, () => randomPoolForward(input, output, chosen, draws, geometry));
    },
    inBoundsAverageForward(input, output, geometry) {
      const params = windowParams(geometry, inBoundsDivisor);
      const job = { shader: 'averageWindowForward', params, arrays: [read(input), write(output)], work: output.length };
      run('inBoundsAverageForward', job, () => avgPoolForward(input, output, geometry, inBoundsDivisor));
    },
    inBoundsAverageBackward(gradOutput, gradInput, geometry) {
      const params = windowParams(geometry, inBoundsDivisor);
      const arrays = [read(gradOutput), write(gradInput)];
      const job = { shader: 'averageWindowBackward', params, arrays, work: gradInput.length };
      run('inBoundsAverageBackward', job, () => avgPoolBackward(gradOutput, gradInput, geometry, inBoundsDivisor));
    },
    stochasticPoolBackward(input, chosen, gradOutput, gradInput, geometry) {
      const arrays = [read(input), read(chosen), read(gradOutput), write(gradInput)];
      const job = forwardJob('stochasticKindBackward', geometry, arrays, gradInput.length);
      run('stochasticPoolBackward', job, () =>
        stochastic.stochasticPoolBackward(input, chosen, gradOutput, gradInput, geometry),
      );
    },
    stochasticPoolInference(input, output, geometry) {
      const job = forwardJob('stochasticKindInference', geometry, [read(input), write(output)], output.length);
      run('stochasticPoolInference', job, () => stochastic.stochasticPoolInference(input, output, geometry));
    },
    stochasticPoolInferenceBackward(input, gradOutput, gradInput, geometry) {
      const shaders = { stats: 'stochasticKindInferenceStats', gather: 'stochasticKindInferenceBackward', width: 2 };
      const x = read(input);
      const gatherReads = [x, read(STATS), read(gradOutput)];
      const job = backwardJob(shaders, geometry, { statsReads: [x], gatherReads, terms: null, gradInput });
      run('stochasticPoolInferenceBackward', job, () =>
        stochastic.stochasticPoolInferenceBackward(input, gradOutput, gradInput, geometry),
      );
    },
    mixedPoolForward(input, alpha, output, geometry) {
      const arrays = [read(input), read(alpha), write(output)];
      run('mixedPoolForward', forwardJob('mixedKindForward', geometry, arrays, output.length), () =>
        mixedPoolForward(input, alpha, output, geometry),
      );
    },
    mixedPoolBackward(input, alpha, gradOutput, gradInput, gradAlpha, geometry) {
      const terms = new Float32Array(gradOutput.length);
      const builder = new JobBuilder();
      const params = kindParams(geometry);
      const [x, a, g] = [builder.add(input, 'read'), builder.add(alpha, 'read'), builder.add(gradOutput, 'read')];
      const maxCells = builder.add(new Int32Array(gradOutput.length), 'device');
      builder.step('mixedKindStats', params, [x, g, maxCells, builder.add(terms, 'write')], gradOutput.length);
      builder.step('mixedKindBackward', params, [a, maxCells, g, builder.add(gradInput, 'write')], gradInput.length);
      let fellBack = false;
      run('mixedPoolBackward', builder.job(), () => {
        fellBack = true;
        mixedPoolBackward(input, alpha, gradOutput, gradInput, gradAlpha, geometry);
      });
      if (!fellBack) addTerms(terms, gradAlpha, geometry);
    },
    gatedPoolForward(input, weights, output, geometry) {
      const arrays = [read(input), read(weights), write(output)];
      run('gatedPoolForward', forwardJob('gatedKindForward', geometry, arrays, output.length), () =>
        gatedPoolForward(input, weights, output, geometry),
      );
    },
    ordinalPoolForward(input, weights, output, geometry) {
      const arrays = [read(input), read(weights), write(output)];
      run('ordinalPoolForward', forwardJob('ordinalKindForward', geometry, arrays, output.length), () =>
        ordinalPoolForward(input, weights, output, geometry),
      );
    },
  } satisfies Partial<PoolingKernels>;
}

/**
 * How far the kind kernels may be from the reference, which computes each window in float64 and
 * rounds once (docs/webgpu.md): selections (min, median, random, stochastic's backward) are bit for
 * bit; a float32 sum of n terms is within n·2^-24 of their magnitudes' sum, plus WGSL's division,
 * exp and log (a few ulp each).
 */
export const KIND_GPU_BOUNDS = {
  /** Ulps added to a sum's count of terms (the divisions and products around it). */
  extraUlps: 4,
  /** Ulps of the sigmoid gate (WGSL's exp: 3 + 2|x| ulp, then a division). */
  expUlps: 16,
  /** Stochastic inference's backward: relative to |result| plus the window's gradient scale. */
  quotientRelative: 2 ** -18,
  /**
   * SoftPool, GeM, LSE, LIP, AdaPool, DPP, wavelet: relative to |reference| plus the magnitude of what
   * was summed (WGSL's exp and log: 3 + 2|x| ulp; pow, exp2 of log2: 2^-15 relative, as Lp's bound),
   * halved for the sums around them.
   */
  formulaRelative: 2 ** -16,
  /**
   * Attention: relative to the sample's largest |input| (forward: a weighted average of its cells), and
   * for the gradients to the magnitude of their terms (the reference's formulas on absolute values;
   * the softmax backward's difference as a sum). Measured worst over 450 random cases: 2^-21.2.
   */
  attentionRelative: 2 ** -18,
  /**
   * Covariance: relative to the sample's largest |reference| output or ∂x: float32 through every
   * Newton–Schulz step (measured worst over 300 random cases of 1 to 8 iterations: 2^-16.3).
   */
  covarianceRelative: 2 ** -13,
} as const;
