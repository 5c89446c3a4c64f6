// S3Pool's kernels in the kinds module (assembly/kinds/regions/grid-sample.ts): the grid sampling of
// dense maxima, and the dense max pooling at the kept windows only (sampledMaxPoolForward); the
// argmax scatter of the backward is the pool module's.
import type { GridSampleGeometry, SampledMaxGeometry } from '../../reference/extra/s3-pool.js';
import type { PoolingKernels } from '../../types.js';
import type { KernelModule } from '../loader.js';
import { addressOf } from '../pool-arguments.js';
import { runOverRowsOrPlanes } from './regions-tables.js';

export function createS3Kernels(
  kinds: KernelModule,
): Pick<PoolingKernels, 'gridSampleForward' | 'sampledMaxPoolForward'> {
  return {
    gridSampleForward(maxima, maximaArgmax, output, argmax, geometry: GridSampleGeometry) {
      const pointers = [addressOf(maxima), addressOf(maximaArgmax), addressOf(output), addressOf(argmax)];
      const exports = { rows: 'gridSampleRows', planes: 'gridSamplePlanes' };
      runOverRowsOrPlanes(kinds, exports, geometry, pointers, geometry.rows, 4 * output.length);
    },
    sampledMaxPoolForward(input, output, argmax, { dense, sample }: SampledMaxGeometry) {
      const kernel = [dense.kernelDepth, dense.kernelHeight, dense.kernelWidth];
      const pointers = [addressOf(input), addressOf(output), addressOf(argmax), ...kernel];
      const sizes = { ...sample, inDepth: dense.inDepth, inHeight: dense.inHeight, inWidth: dense.inWidth };
      const exports = { rows: 'sampledMaxRows', planes: 'sampledMaxPlanes' };
      const moved = 4 * output.length * (2 + kernel.reduce((product, size) => product * size, 1));
      runOverRowsOrPlanes(kinds, exports, sizes, pointers, sample.rows, moved);
    },
  };
}
