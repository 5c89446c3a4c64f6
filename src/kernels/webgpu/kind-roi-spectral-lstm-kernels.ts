// The webgpu kernels of RoI pooling, RoIAlign, spectral pooling (with DiffStride's mask) and LSTM
// pooling, gathered for gpu-kernels.ts's one registration line; their shaders are gathered in
// kind-roi-spectral-lstm-shaders.ts. Bounds against the reference: ROI_SPECTRAL_LSTM_GPU_BOUNDS.
import type { GpuJob } from './params.js';
import { createRoiGpuKernels, type RoiGpuKernels } from './kind-roi-kernels.js';

export type RoiSpectralLstmGpuKernels = RoiGpuKernels;

export type RoiSpectralLstmRunner = (
  kernel: keyof RoiSpectralLstmGpuKernels,
  job: GpuJob,
  fallback: () => void,
) => void;

export function createRoiSpectralLstmGpuKernels(run: RoiSpectralLstmRunner): RoiSpectralLstmGpuKernels {
  return { ...createRoiGpuKernels(run) };
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
} as const;
