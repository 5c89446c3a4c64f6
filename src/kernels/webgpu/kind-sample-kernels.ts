// The webgpu kernels of the kinds that pool each sample as a whole (attention, covariance, masked
// sequence pooling): their names, for the kind table (kind-kernels.ts), and their kernels.
import type { KindRunner } from './kind-kernels.js';
import { createAttentionGpuKernels } from './kind-attention-kernels.js';
import { createCovarianceGpuKernels } from './kind-covariance-kernels.js';
import { createMaskedGpuKernels } from './kind-masked-kernels.js';

export const SAMPLE_GPU_KERNELS = [
  'attentionPoolForward',
  'attentionPoolBackward',
  'covariancePoolForward',
  'covariancePoolBackward',
  'maskedPoolForward',
  'maskedPoolBackward',
] as const;

export function createSampleGpuKernels(run: KindRunner) {
  return { ...createAttentionGpuKernels(run), ...createCovarianceGpuKernels(run), ...createMaskedGpuKernels(run) };
}
