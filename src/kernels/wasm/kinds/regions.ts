// The "regions" family's WebAssembly kernels (assembly/kinds/regions/): kinds whose windows are
// sequences or regions rather than plain reductions: LSTM pooling, fractional max pooling,
// spatial pyramid pooling (composed of the pool module's adaptive max pooling), S3Pool's grid sampling,
// masked sequence pooling (max, average), RoI max pooling, RoIAlign.
import type { PoolingKernels } from '../../types.js';
import type { KernelModule } from '../loader.js';
import { createFractionalKernels } from './regions-fractional.js';
import { createLstmKernels } from './regions-lstm.js';
import { createMaskedKernels } from './regions-masked.js';
import { createPyramidKernels } from './regions-pyramid.js';
import { createRoiAlignKernels } from './regions-roi-align.js';
import { createRoiKernels } from './regions-roi.js';
import { createS3Kernels } from './regions-s3.js';

export function createRegionsKernels(kinds: KernelModule): Partial<PoolingKernels> {
  return {
    ...createLstmKernels(kinds),
    ...createFractionalKernels(kinds),
    ...createPyramidKernels(),
    ...createS3Kernels(kinds),
    ...createMaskedKernels(kinds),
    ...createRoiKernels(kinds),
    ...createRoiAlignKernels(kinds),
  };
}
