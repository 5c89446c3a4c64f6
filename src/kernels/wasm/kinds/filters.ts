// The filters family's fast kernels (issue #15): BlurPool and MaxBlurPool (the depthwise strided
// binomial filter; MaxBlurPool's dense max runs on the pool module's max kernel) and attention
// covariance pooling, spectral pooling (DiffStride's masked crop too) and wavelet pooling, by the kernel-table names of the kinds' reference kernels.
import type { PoolingKernels } from '../../types.js';
import type { KernelModule } from '../loader.js';
import { createAttentionKernels } from './filters/attention.js';
import { createBlurKernels } from './filters/blur.js';
import { createCovarianceKernels } from './filters/covariance.js';
import { createSpectralKernels } from './filters/spectral.js';
import { createWaveletKernels } from './filters/wavelet.js';

export function createFiltersKernels(kinds: KernelModule): Partial<PoolingKernels> {
  return {
    ...createBlurKernels(kinds),
    ...createAttentionKernels(kinds),
    ...createCovarianceKernels(kinds),
    ...createSpectralKernels(kinds),
    ...createWaveletKernels(kinds),
  };
}
