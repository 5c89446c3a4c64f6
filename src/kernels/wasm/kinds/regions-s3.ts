// S3Pool's grid sampling in the kinds module (assembly/kinds/regions/grid-sample.ts); the dense max
// pooling before it and the argmax scatter after are the pool module's.
import type { GridSampleGeometry } from '../../reference/extra/s3-pool.js';
import type { PoolingKernels } from '../../types.js';
import type { KernelModule } from '../loader.js';
import { addressOf } from '../pool-arguments.js';
import { runOverRowsOrPlanes } from './regions-tables.js';

export function createS3Kernels(kinds: KernelModule): Pick<PoolingKernels, 'gridSampleForward'> {
  return {
    gridSampleForward(maxima, maximaArgmax, output, argmax, geometry: GridSampleGeometry) {
      const pointers = [addressOf(maxima), addressOf(maximaArgmax), addressOf(output), addressOf(argmax)];
      const exports = { rows: 'gridSampleRows', planes: 'gridSamplePlanes' };
      runOverRowsOrPlanes(kinds, exports, geometry, pointers, geometry.rows, 4 * output.length);
    },
  };
}
