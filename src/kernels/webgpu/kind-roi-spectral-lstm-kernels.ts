// The webgpu kernels of RoI pooling, RoIAlign, spectral pooling (with DiffStride's mask) and LSTM
// pooling, gathered for gpu-kernels.ts's one registration line; their shaders are gathered in
// kind-roi-spectral-lstm-shaders.ts. Bounds against the reference: ROI_SPECTRAL_LSTM_GPU_BOUNDS.
import type { PoolingKernels } from '../types.js';
import type { GpuJob } from './params.js';
import { createRoiGpuKernels, type RoiGpuKernels } from './kind-roi-kernels.js';
import { createSpectralGpuKernels, type SpectralGpuKernels } from './kind-spectral-kernels.js';
import { createLstmGpuKernels, type LstmGpuKernels } from './kind-lstm-kernels.js';

/** These kinds' kernels that run on the GPU. */
export const ROI_SPECTRAL_LSTM_GPU_KERNELS = [
  'roiPoolForward',
  'roiPoolBackward',
  'roiAlignForward',
  'roiAlignBackward',
  'spectralPoolForward',
  'spectralPoolBackward',
  'spectralMaskBackward',
  'lstmGatherStep',
  'lstmScatterStep',
  'lstmCellForward',
  'lstmCellBackward',
] as const;

export type RoiSpectralLstmGpuKernels = Pick<PoolingKernels, (typeof ROI_SPECTRAL_LSTM_GPU_KERNELS)[number]>;

export type RoiSpectralLstmRunner = (
  kernel: keyof RoiSpectralLstmGpuKernels,
  job: GpuJob,
  fallback: () => void,
) => void;

export function createRoiSpectralLstmGpuKernels(run: RoiSpectralLstmRunner): RoiSpectralLstmGpuKernels {
  const kernels: RoiGpuKernels & SpectralGpuKernels & LstmGpuKernels = {
    ...createRoiGpuKernels(run),
    ...createSpectralGpuKernels(run),
    ...createLstmGpuKernels(run),
  };
  return kernels;
}

/**
 * How far these kernels may be from the reference (docs/webgpu.md). RoI pooling (forward, argmax,
 * backward) and RoIAlign's max mode are bit for bit: comparisons on float bits, sums in the
 * reference's order. RoIAlign's average computes the same float32 steps in the same order but for
 * WGSL's division (2.5 ulp); the bounds below also allow a GPU that fuses a product into a sum.
 */
export const ROI_SPECTRAL_LSTM_GPU_BOUNDS = {
  /**
   * RoIAlign average forward: |gpu − reference| ≤ 3 ulp of the output + (terms + 2) · 2^-24 · Σ|w·x| / count,
   * with terms = 4 · samples per bin.
   */
  alignQuotientUlps: 3,
  /**
   * RoIAlign average backward: |gpu − reference| ≤ (shares + 3) · 2^-23 · Σ|shares|, with shares the
   * most corner shares one input cell gathers.
   */
  alignShareUlps: 3,
  /**
   * Spectral pooling (forward, input gradient; DiffStride's too) as float32 products where the
   * reference runs float64 FFTs: |gpu − reference| ≤ (Σ_axes (in + out) + slack) · 2^-23 · Π out ·
   * Σ|plane| / N_in (each matrix entry is at most out in size; the slack covers the matrices' rounding
   * to float32 and the division by N_in). DiffStride's mask gradient: the same with the planes' count
   * added to the terms and Σ_planes Σ|x|·Σ|g| · Π out / N_in as the magnitude.
   */
  spectralSlack: 4,
  /**
   * LSTM pooling's gate kernels: σ and tanh in float32 (WGSL's exp and tanh, a few ulp) where the
   * reference computes each gate and state in float64 and rounds once: |gpu − reference| ≤
   * lstmRelative · (1 + |reference|) · the incoming gradients' scale (1 forward). Gather, scatter and
   * the carried gradient are bit for bit.
   */
  lstmRelative: 2 ** -18,
  /**
   * lstmPool2d through every step (the gates' rounding carried through the sequence and the products'
   * float32 sums): |gpu − reference| ≤ lstmSequenceRelative · (1 + the largest |reference| of that result).
   */
  lstmSequenceRelative: 2 ** -14,
} as const;
