// Index tables the regions family's kernels read (regions drawn per call, kept rows) live in plain
// arrays on the TypeScript side; the kernels need them in the heap. Also the argument layout that
// the fractional max and grid-sample kernels share, and the RoI kernels' tables kept per boxes.
import type { PoolingSizes } from '../../../geometry/layout.js';
import type { RoiBoxes } from '../../reference/extra/roi-geometry.js';
import { heap } from '../../../tensor/heap.js';
import { argumentViews, type KernelModule } from '../loader.js';
import { parallelFor } from '../threads.js';

/**
 * Copies int32 tables into one heap allocation; returns their addresses and the function that frees
 * it. Callers take their tensors' addresses before: the alloc may grow (and detach) the memory.
 */
export function heapTables(tables: readonly Int32Array[]): { addresses: number[]; release: () => void } {
  const bytes = 4 * tables.reduce((total, table) => total + table.length, 0);
  const base = heap.alloc(Math.max(bytes, 4));
  const addresses: number[] = [];
  let at = base;
  for (const table of tables) {
    new Int32Array(heap.memory.buffer, at, table.length).set(table);
    addresses.push(at);
    at += 4 * table.length;
  }
  return { addresses, release: () => heap.free(base, Math.max(bytes, 4)) };
}

/**
 * Runs a kernel of the "sizes, pointers, tables" argument layout: batch, channels, channelsLast,
 * in and out sizes (depth, height, width), then `pointers` (tensor addresses, taken before this
 * call's alloc), then the tables' heap addresses. Units: output rows over all channels
 * (`exports.rows`, channels-last) or planes (`exports.planes`, channels-first).
 */
export function runOverRowsOrPlanes(
  kinds: KernelModule,
  exports: { rows: string; planes: string },
  geometry: PoolingSizes,
  pointers: readonly number[],
  tables: readonly Int32Array[],
  moved: number,
): void {
  const { addresses, release } = heapTables(tables);
  try {
    const sizes = [geometry.batch, geometry.channels, geometry.channelsLast ? 1 : 0];
    sizes.push(
      geometry.inDepth,
      geometry.inHeight,
      geometry.inWidth,
      geometry.outDepth,
      geometry.outHeight,
      geometry.outWidth,
    );
    argumentViews(kinds).ints.set([...sizes, ...pointers, ...addresses], 0);
    if (geometry.channelsLast) {
      const rows = geometry.batch * geometry.outDepth * geometry.outHeight;
      parallelFor(kinds, exports.rows, rows, moved, kinds.argumentBlock);
    } else parallelFor(kinds, exports.planes, geometry.batch * geometry.channels, moved, kinds.argumentBlock);
  } finally {
    release();
  }
}

/**
 * The bit patterns of box `box`'s four corners, as a map key: a box's bins and samples depend on
 * its corners and the call's geometry only, so boxes with the same key share them.
 */
export function cornerKey(corners: Float32Array, box: number): string {
  return new Uint32Array(corners.buffer, corners.byteOffset + 16 * box, 4).join(',');
}

interface KeptTables {
  geometry: string;
  corners: Float32Array;
  batchIndices: Int32Array;
  tables: Int32Array[];
}

/**
 * `build`'s tables for these boxes, kept per `name` from the last call and reused while the
 * geometry, corners and batch indices are the same (a backward asks for its forward's boxes, a
 * training loop for the same boxes every step).
 */
export function keptBoxTables(
  name: string,
  geometry: object,
  boxes: RoiBoxes,
  build: () => Int32Array[],
): Int32Array[] {
  const key = JSON.stringify(geometry);
  const same = (a: Float32Array | Int32Array, b: Float32Array | Int32Array) =>
    a.length === b.length && a.every((value, index) => Object.is(value, b[index]));
  const kept = keptTables.get(name);
  if (
    kept !== undefined &&
    kept.geometry === key &&
    same(kept.corners, boxes.corners) &&
    same(kept.batchIndices, boxes.batchIndices)
  )
    return kept.tables;
  const tables = build();
  keptTables.set(name, {
    geometry: key,
    corners: boxes.corners.slice(),
    batchIndices: boxes.batchIndices.slice(),
    tables,
  });
  return tables;
}

const keptTables = new Map<string, KeptTables>();
