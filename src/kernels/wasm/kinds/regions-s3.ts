// S3Pool's grid sampling in the kinds module (assembly/kinds/regions/grid-sample.ts); the dense max
// pooling before it and the argmax scatter after are the pool module's.
import type { GridSampleGeometry } from '../../reference/extra/s3-pool.js';
import type { PoolingKernels } from '../../types.js';
import { argumentViews, type KernelModule } from '../loader.js';
import { addressOf } from '../pool-arguments.js';
import { parallelFor } from '../threads.js';
import { heapTables } from './regions-tables.js';

export function createS3Kernels(kinds: KernelModule): Pick<PoolingKernels, 'gridSampleForward'> {
  return {
    gridSampleForward(maxima, maximaArgmax, output, argmax, geometry: GridSampleGeometry) {
      const pointers = [addressOf(maxima), addressOf(maximaArgmax), addressOf(output), addressOf(argmax)];
      const { addresses, release } = heapTables(geometry.rows);
      try {
        const sizes = [
          geometry.batch,
          geometry.channels,
          geometry.channelsLast ? 1 : 0,
          geometry.inDepth,
          geometry.inHeight,
          geometry.inWidth,
          geometry.outDepth,
          geometry.outHeight,
          geometry.outWidth,
        ];
        argumentViews(kinds).ints.set([...sizes, ...pointers, ...addresses], 0);
        const moved = 4 * output.length;
        if (geometry.channelsLast) {
          const rows = geometry.batch * geometry.outDepth * geometry.outHeight;
          parallelFor(kinds, 'gridSampleRows', rows, moved, kinds.argumentBlock);
        } else parallelFor(kinds, 'gridSamplePlanes', geometry.batch * geometry.channels, moved, kinds.argumentBlock);
      } finally {
        release();
      }
    },
  };
}
