// The webgpu kernels of the table-driven region kinds (kind-region-shaders.ts): fractional max
// pooling's forward (its backward is argmaxScatterAdd), S3's grid sample and BlurPool (max-blur's too). Their tables go up as
// one int32 array whose parts' offsets follow the geometry in the parameters.
import type { PoolingSizes } from '../../geometry/layout.js';
import { blurPoolBackward, blurPoolForward, type BlurGeometry } from '../reference/extra/blur-pool.js';
import { fractionalMaxPoolForward } from '../reference/extra/fractional-max-pool.js';
import { gridSampleForward } from '../reference/extra/s3-pool.js';
import type { PoolingKernels } from '../types.js';
import type { KindRunner } from './kind-kernels.js';
import { KindParam } from './kind-walk.js';
import { Param, sizeParams, type JobArray } from './params.js';

/** The sizes' parameters with `parts` concatenated into one table, their offsets written in. */
export function tableJob(sizes: PoolingSizes, parts: readonly Int32Array[]): { params: Int32Array; tables: JobArray } {
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

/** The blur's parameters: sizes, taps per axis in the kernel slots, tables; its three filters as one float32 array. */
function blurJob(geometry: BlurGeometry, parts: readonly Int32Array[]): { params: Int32Array; arrays: JobArray[] } {
  const { params, tables } = tableJob(geometry, parts);
  geometry.filters.forEach((filter, axis) => (params[Param.kernelDepth + axis] = filter.length));
  const filters = Float32Array.from(geometry.filters.flatMap((filter) => Array.from(filter)));
  return { params, arrays: [tables, { data: filters, role: 'read' }] };
}

/**
 * Per axis, the (output position, tap) pairs whose tap reads each input position, in output then tap
 * order: `starts` (one per position, and the end) into `pairs` (output position, tap).
 */
function readers(sources: Int32Array, taps: number, inSize: number): [starts: Int32Array, pairs: Int32Array] {
  const lists: number[][] = Array.from({ length: inSize }, () => []);
  for (let entry = 0; entry < sources.length; entry++) {
    const source = sources[entry]!;
    if (source >= 0) lists[source]!.push(Math.floor(entry / taps), entry % taps);
  }
  const starts = new Int32Array(inSize + 1);
  lists.forEach((list, position) => (starts[position + 1] = starts[position]! + list.length / 2));
  return [starts, Int32Array.from(lists.flat())];
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
    blurPoolForward(input, output, geometry) {
      const { params, arrays } = blurJob(geometry, geometry.sources);
      arrays.push({ data: input, role: 'read' }, { data: output, role: 'write' });
      run('blurPoolForward', { shader: 'blurKindForward', params, arrays, work: output.length }, () =>
        blurPoolForward(input, output, geometry),
      );
    },
    blurPoolBackward(gradOutput, gradInput, geometry) {
      const sizes = [geometry.inDepth, geometry.inHeight, geometry.inWidth];
      const inverse = geometry.sources.map((sources, axis) =>
        readers(sources, geometry.filters[axis]!.length, sizes[axis]!),
      );
      const { params, arrays } = blurJob(geometry, [
        ...inverse.map(([starts]) => starts),
        ...inverse.map(([, pairs]) => pairs),
      ]);
      arrays.push({ data: gradOutput, role: 'read' }, { data: gradInput, role: 'write' });
      run('blurPoolBackward', { shader: 'blurKindBackward', params, arrays, work: gradInput.length }, () =>
        blurPoolBackward(gradOutput, gradInput, geometry),
      );
    },
  } satisfies Partial<PoolingKernels>;
}
