// The WGSL of the region kinds whose windows come from tables rather than poolGeometry: fractional
// max pooling (per-plane start and end tables per axis, max on float bits as max pooling's) and S3's
// grid sample (the kept rows per axis). One invocation per output element; bit for bit the reference.
import { KindParam } from './kind-walk.js';
import { Param } from './params.js';
import { header, reads, storageBindings, writes } from './shader-common.js';

const tablesWgsl = `
/** Entry 'index' of table 'part' (offsets in the kind parameters). */
fn tableAt(part: u32, index: u32) -> i32 { return tables[pu(${KindParam.tables}u + part) + index]; }`;

/** The output element's plane, output cell and (slice, row, column) of that cell. */
const outputCellWgsl = `
  let at = locate(element, outSpatial());
  let plane = at.x * pu(${Param.channels}u) + at.y;
  let outHeight = pu(${Param.outHeight}u);
  let outWidth = pu(${Param.outWidth}u);
  let outCell = vec3<u32>(at.z / (outWidth * outHeight), (at.z / outWidth) % outHeight, at.z % outWidth);
  let inStrides = stridesOf(inSpatial());
  let inBase = at.x * inStrides.x + at.y * inStrides.y;
  let inHeight = p(${Param.inHeight}u);
  let inWidth = p(${Param.inWidth}u);`;

/** fractional-max-pool.ts: the max over the plane's region (tables 0-5: depth, height, width starts and ends). */
const fractionalMaxForward = `${header(
  storageBindings([reads('tables', 'i32'), reads('input', 'u32'), writes('output', 'u32'), writes('argmax', 'i32')]) +
    tablesWgsl,
)}
  ${outputCellWgsl}
  let slot = vec3<u32>(plane * pu(${Param.outDepth}u) + outCell.x, plane * outHeight + outCell.y, plane * outWidth + outCell.z);
  var state = startMax();
  for (var slice = tableAt(0u, slot.x); slice < tableAt(1u, slot.x); slice++) {
    for (var row = tableAt(2u, slot.y); row < tableAt(3u, slot.y); row++) {
      for (var column = tableAt(4u, slot.z); column < tableAt(5u, slot.z); column++) {
        let spatialIndex = u32((slice * inHeight + row) * inWidth + column);
        visitMax(&state, input[inBase + spatialIndex * inStrides.z], i32(spatialIndex));
      }
    }
  }
  output[element] = state.bits;
  argmax[element] = state.index;
}`;

/** s3-pool.ts's gridSampleForward: the dense maxima and their argmax at the kept rows (tables 0-2). */
const gridSampleForward = `${header(
  storageBindings([
    reads('tables', 'i32'),
    reads('maxima', 'u32'),
    reads('maximaArgmax', 'i32'),
    writes('output', 'u32'),
    writes('argmax', 'i32'),
  ]) + tablesWgsl,
)}
  ${outputCellWgsl}
  let spatialIndex = u32((tableAt(0u, outCell.x) * inHeight + tableAt(1u, outCell.y)) * inWidth + tableAt(2u, outCell.z));
  output[element] = maxima[inBase + spatialIndex * inStrides.z];
  argmax[element] = maximaArgmax[inBase + spatialIndex * inStrides.z];
}`;

export const regionKindShaders: Readonly<Record<string, () => string>> = {
  fractionalMaxKindForward: () => fractionalMaxForward,
  gridSampleKindForward: () => gridSampleForward,
};
