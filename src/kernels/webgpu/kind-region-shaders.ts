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

/** The blur's filter weight of tap 't' on each axis (filters: depth's, then height's, then width's taps). */
const filterWgsl = `
fn blurWeight(taps: vec3<i32>, t: vec3<i32>) -> f32 {
  return filters[t.x] * filters[taps.x + t.y] * filters[taps.x + taps.y + t.z];
}`;

/** blur-pool.ts's forward: Σ over taps of weight·x at the tap's source cell (tables 0-2: source per output position and tap; −1 reads a zero). */
const blurForward = `${header(
  storageBindings([reads('tables', 'i32'), reads('filters', 'f32'), reads('input', 'f32'), writes('output', 'f32')]) +
    tablesWgsl +
    filterWgsl,
)}
  ${outputCellWgsl}
  let taps = vec3<i32>(p(${Param.kernelDepth}u), p(${Param.kernelDepth + 1}u), p(${Param.kernelDepth + 2}u));
  var sum: f32 = 0.0;
  for (var tapSlice = 0; tapSlice < taps.x; tapSlice++) {
    let slice = tableAt(0u, outCell.x * u32(taps.x) + u32(tapSlice));
    if (slice < 0) { continue; }
    for (var tapRow = 0; tapRow < taps.y; tapRow++) {
      let row = tableAt(1u, outCell.y * u32(taps.y) + u32(tapRow));
      if (row < 0) { continue; }
      for (var tapColumn = 0; tapColumn < taps.z; tapColumn++) {
        let column = tableAt(2u, outCell.z * u32(taps.z) + u32(tapColumn));
        if (column < 0) { continue; }
        let spatialIndex = u32((slice * inHeight + row) * inWidth + column);
        sum = sum + blurWeight(taps, vec3<i32>(tapSlice, tapRow, tapColumn)) * input[inBase + spatialIndex * inStrides.z];
      }
    }
  }
  output[element] = sum;
}`;

/**
 * blur-pool.ts's backward as a gather: per input cell, the (output position, tap) pairs that read it
 * on each axis (tables 0-2: each position's first pair, tables 3-5: the pairs), weight·gradient each.
 */
const blurBackward = `${header(
  storageBindings([
    reads('tables', 'i32'),
    reads('filters', 'f32'),
    reads('gradOutput', 'f32'),
    writes('gradInput', 'f32'),
  ]) +
    tablesWgsl +
    filterWgsl,
)}
  let at = locate(element, inSpatial());
  let inHeight = pu(${Param.inHeight}u);
  let inWidth = pu(${Param.inWidth}u);
  let cell = vec3<u32>(at.z / (inWidth * inHeight), (at.z / inWidth) % inHeight, at.z % inWidth);
  let outStrides = stridesOf(outSpatial());
  let outBase = at.x * outStrides.x + at.y * outStrides.y;
  let outHeight = pu(${Param.outHeight}u);
  let outWidth = pu(${Param.outWidth}u);
  let taps = vec3<i32>(p(${Param.kernelDepth}u), p(${Param.kernelDepth + 1}u), p(${Param.kernelDepth + 2}u));
  var sum: f32 = 0.0;
  for (var depthPair = tableAt(0u, cell.x); depthPair < tableAt(0u, cell.x + 1u); depthPair++) {
    let slice = vec2<u32>(u32(tableAt(3u, u32(depthPair) * 2u)), u32(tableAt(3u, u32(depthPair) * 2u + 1u)));
    for (var rowPair = tableAt(1u, cell.y); rowPair < tableAt(1u, cell.y + 1u); rowPair++) {
      let row = vec2<u32>(u32(tableAt(4u, u32(rowPair) * 2u)), u32(tableAt(4u, u32(rowPair) * 2u + 1u)));
      for (var columnPair = tableAt(2u, cell.z); columnPair < tableAt(2u, cell.z + 1u); columnPair++) {
        let column = vec2<u32>(u32(tableAt(5u, u32(columnPair) * 2u)), u32(tableAt(5u, u32(columnPair) * 2u + 1u)));
        let outputIndex = outBase + ((slice.x * outHeight + row.x) * outWidth + column.x) * outStrides.z;
        let weight = blurWeight(taps, vec3<i32>(i32(slice.y), i32(row.y), i32(column.y)));
        sum = sum + weight * gradOutput[outputIndex];
      }
    }
  }
  gradInput[element] = sum;
}`;

export const regionKindShaders: Readonly<Record<string, () => string>> = {
  fractionalMaxKindForward: () => fractionalMaxForward,
  gridSampleKindForward: () => gridSampleForward,
  blurKindForward: () => blurForward,
  blurKindBackward: () => blurBackward,
};
