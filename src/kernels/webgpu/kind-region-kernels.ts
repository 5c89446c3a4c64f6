// The webgpu kernels of the table-driven region kinds (kind-region-shaders.ts): fractional max
// pooling's forward (its backward is argmaxScatterAdd) and S3's grid sample. Their tables go up as
// one int32 array whose parts' offsets follow the geometry in the parameters.
import type { PoolingSizes } from '../../geometry/layout.js';
import { fractionalMaxPoolForward } from '../reference/extra/fractional-max-pool.js';
import { gridSampleForward } from '../reference/extra/s3-pool.js';
import type { PoolingKernels } from '../types.js';
import type { KindRunner } from './kind-kernels.js';
import { KindParam } from './kind-walk.js';
import { sizeParams, type JobArray } from './params.js';

/** The sizes' parameters with `parts` concatenated into one table, their offsets written in. */
function tableJob(sizes: PoolingSizes, parts: readonly Int32Array[]): { params: Int32Array; tables: JobArray } {
  const params = new Int32Array(KindParam.count);
  params.set(sizeParams(sizes));
  const tables = new Int32Array(
    Math.max(
      1,
      parts.reduce((total, part) => total + part.length, 0),
    ),
  );
  let offset = 0;
  parts.forEach((part, index) => {
    params[KindParam.tables + index] = offset;
    tables.set(part, offset);
    offset += part.length;
  });
  return { params, tables: { data: tables, role: 'read' } };
}

export function createRegionGpuKernels(run: KindRunner) {
  return {
    fractionalMaxPoolForward(input, output, argmax, geometry) {
      const g = geometry;
      const parts = [g.depthStarts, g.depthEnds, g.heightStarts, g.heightEnds, g.widthStarts, g.widthEnds];
      const { params, tables } = tableJob(geometry, parts);
      const arrays: JobArray[] = [tables, { data: input, role: 'read' }];
      arrays.push({ data: output, role: 'write' }, { data: argmax, role: 'write' });
      run('fractionalMaxPoolForward', { shader: 'fractionalMaxKindForward', params, arrays, work: output.length }, () =>
        fractionalMaxPoolForward(input, output, argmax, geometry),
      );
    },
    gridSampleForward(maxima, maximaArgmax, output, argmax, geometry) {
      const { params, tables } = tableJob(geometry, geometry.rows);
      const arrays: JobArray[] = [tables, { data: maxima, role: 'read' }, { data: maximaArgmax, role: 'read' }];
      arrays.push({ data: output, role: 'write' }, { data: argmax, role: 'write' });
      run('gridSampleForward', { shader: 'gridSampleKindForward', params, arrays, work: output.length }, () =>
        gridSampleForward(maxima, maximaArgmax, output, argmax, geometry),
      );
    },
  } satisfies Partial<PoolingKernels>;
}
