// RoI max pooling in the kinds module (assembly/kinds/regions/roi-pool.ts). The bins' extents are
// the reference's (binExtent: float32 box arithmetic), tabulated here once per distinct box and
// kept for the next call with the same boxes.
import { binExtent, type RoiPoolGeometry } from '../../reference/extra/roi-pool.js';
import type { RoiGeometry } from '../../reference/extra/roi-geometry.js';
import type { PoolingKernels } from '../../types.js';
import { argumentViews, type KernelModule } from '../loader.js';
import { addressOf } from '../pool-arguments.js';
import { parallelFor } from '../threads.js';
import { cornerKey, heapTables, keptBoxTables } from './regions-tables.js';

/** [box, out cell, 4]: each bin's row start, row end, column start, column end (once per distinct box). */
export function binTable(geometry: RoiGeometry, corners: Float32Array): Int32Array {
  const cells = geometry.outHeight * geometry.outWidth;
  const table = new Int32Array(geometry.boxCount * cells * 4);
  const firstBoxes = new Map<string, number>();
  for (let box = 0; box < geometry.boxCount; box++) {
    const key = cornerKey(corners, box);
    const same = firstBoxes.get(key);
    if (same !== undefined) {
      table.copyWithin(box * cells * 4, same * cells * 4, (same + 1) * cells * 4);
      continue;
    }
    firstBoxes.set(key, box);
    for (let cell = 0; cell < cells; cell++) {
      const bin = binExtent(geometry, corners, box, Math.floor(cell / geometry.outWidth), cell % geometry.outWidth);
      table.set([bin.rowStart, bin.rowEnd, bin.columnStart, bin.columnEnd], (box * cells + cell) * 4);
    }
  }
  return table;
}

/** Writes the words of assembly/kinds/regions/roi-pool.ts and runs `name` over `units`. */
function run(
  kinds: KernelModule,
  name: string,
  units: number,
  geometry: RoiGeometry,
  onnxRule: boolean,
  pointers: readonly number[],
  tables: readonly Int32Array[],
): void {
  const { addresses, release } = heapTables(tables);
  try {
    const sizes = [geometry.channels, geometry.channelsLast ? 1 : 0, geometry.inHeight, geometry.inWidth];
    sizes.push(geometry.outHeight, geometry.outWidth, onnxRule ? 1 : 0, geometry.boxCount);
    argumentViews(kinds).ints.set([...sizes, ...pointers, ...addresses], 0);
    const moved = 4 * geometry.boxCount * geometry.channels * geometry.outHeight * geometry.outWidth * 4;
    parallelFor(kinds, name, units, moved, kinds.argumentBlock);
  } finally {
    release();
  }
}

export function createRoiKernels(kinds: KernelModule): Pick<PoolingKernels, 'roiPoolForward' | 'roiPoolBackward'> {
  return {
    roiPoolForward(input, boxes, output, argmax, geometry: RoiPoolGeometry) {
      const pointers = [addressOf(input), addressOf(output), addressOf(argmax), 0];
      const tables = keptBoxTables('roiPool', geometry, boxes, () => [
        binTable(geometry, boxes.corners),
        boxes.batchIndices,
      ]);
      run(kinds, 'roiPoolBoxes', geometry.boxCount, geometry, geometry.maxRule === 'onnx', pointers, tables);
    },
    roiPoolBackward(gradOutput, argmax, batchIndices, gradInput, geometry) {
      // The bins are not needed: the argmax says where each gradient goes.
      const pointers = [0, addressOf(gradOutput), addressOf(argmax), addressOf(gradInput)];
      run(kinds, 'roiPoolBackwardImages', geometry.batch, geometry, false, pointers, [new Int32Array(0), batchIndices]);
    },
  };
}
