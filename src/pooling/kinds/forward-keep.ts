// Room a weighted kind's forward may fill for its backward (a runPoolSteps saved tensor): the fast
// kernels keep there each cell's weights (input-sized planes, KEPT_CELL_PLANES) and each window's sums
// (`planes` output-sized planes), then a mark in the last element; the backward reads them only where the
// mark is there, so a forward on another backend (which leaves the room alone) costs nothing.
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import type { SavedSpec } from '../compute.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Window planes the fast kernels keep (assembly/kinds/weighted/ada-pool.ts, dpp.ts, gem.ts, lip.ts, lse.ts, soft.ts: saveWindowLanes). */
export const KEPT_PLANES = { adaPool: 5, dpp: 4, gem: 3, lip: 2, lse: 3, soft: 2 } as const;

/** Cell planes they keep: two values per cell (AdaPool's and DPP's weights, LIP's w and e^{−z}), GeM's one t, LSE's one e^{r(x − m)}, SoftPool's one e^{x − m}. */
export const KEPT_CELL_PLANES = { adaPool: 2, dpp: 2, gem: 1, lip: 2, lse: 1, soft: 1 } as const;

/** Gated pooling's room (assembly/kinds/selection/blend-dense.ts keptGate): one float32 gate per window, one plane. */
export const KEPT_GATE_PLANES = 1;

/** The last element's value once a fast forward has filled the room (2²³ − 1: exact in float32). */
export const KEPT_MARK = 8_388_607;

const elements = (shape: readonly number[]): number => shape.reduce((total, size) => total * size, 1);

/** The room's length: `planes` planes of windows, `cellPlanes` of cells, the mark. */
export function keptLength(geometry: PoolGeometry, planes: number, cellPlanes = 2): number {
  return cellPlanes * elements(geometry.inputShape) + planes * elements(geometry.outputShape) + 1;
}

/** The room as runPoolSteps' saved spec. */
export function keptSpec(geometry: PoolGeometry, planes: number, cellPlanes = 2): SavedSpec {
  return { shape: [keptLength(geometry, planes, cellPlanes)], dtype: 'float32' };
}

/** Clears the mark of a freshly allocated room (the heap may hand back an old room, mark and all). */
export function clearKept(room: Float32Array): void {
  room[room.length - 1] = 0;
}

/** A room's kernel array with its mark cleared; a room beside resident inputs starts zero-filled on the GPU, read in place. */
export function clearedRoom(room: Tensor | undefined): Float32Array | undefined {
  if (room === undefined) return undefined;
  if (room.home === 'heap') clearKept(room.values);
  return room.kernelValues; // the heap view for a heap room
}
