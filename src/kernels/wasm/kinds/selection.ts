// The selection family's WebAssembly kernels (assembly/kinds/selection/): stochastic, mixed and
// gated pooling, forward and backward, bit for bit the reference kernels'. Per-channel tables and
// the weight gradients' per-plane f64 sums go into the heap for the call; draws are counter-based
// (the key's two words in the block, each element's draw computed where it is used).
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { heap } from '../../../tensor/heap.js';
import type { DrawKey } from '../../../tensor/counter-draws.js';
import type { PoolingKernels } from '../../types.js';
import { argumentViews, type KernelModule } from '../loader.js';
import { keepViews, wordsOf, writePoolGeometry, type PoolPointers, type WordValue } from '../pool-arguments.js';
import { bytes, outputRows, planeUnits } from '../pool-kernels.js';
import { getThreadCount, parallelFor } from '../threads.js';
import { medianPoolForward } from '../../reference/extra/median-pool.js';
import { ordinalPoolBackward, ordinalPoolForward } from '../../reference/extra/ordinal-pool.js';
import { windowCapacity } from '../../reference/window-walk.js';
import { KEPT_MARK } from '../../../pooling/kinds/forward-keep.js';
import {
  addUnitSums,
  alphaTable,
  gateRoom,
  gatedTileTable,
  kernelTaps,
  tilingWindows,
  mixedTileTable,
  ordinalTileTable,
  tapTable,
} from './selection-tables.js';

/** The most cells a median or ordinal window may have for the wasm kernels (rank counting). */
const RANKED_CELLS = 49;

/** Block words of assembly/kinds/selection/window.ts (and median.ts's slot size), after the pool's. */
const FIELDS = {
  channelTable: 48,
  scratch: 49,
  drawKeyLow: 50,
  blendMode: 51,
  disjoint: 54,
  slotBytes: 55,
  keptGates: 57,
  drawKeyHigh: 58,
  planeSums: 59,
} as const;

/** A kernel's extra fields: sizes, flags, heap addresses, or views written as their addresses. */
type Fields = Partial<Record<keyof typeof FIELDS, WordValue>>;
type Views = readonly (Float32Array | Int32Array | null)[];

/**
 * Allocates heap scratch of `sizes` bytes for one call and runs `body` with the scratch addresses
 * and `views` valid again (an alloc may grow a non-shared heap, detaching them); frees it after.
 */
function withScratch<const V extends Views>(
  sizes: readonly number[],
  views: V,
  body: (at: number[], views: V) => void,
): void {
  const refresh = keepViews(...views);
  const padded = sizes.map((size) => Math.max(size, 16));
  const addresses = padded.map((size) => heap.alloc(size));
  try {
    body(addresses, refresh());
  } finally {
    addresses.forEach((address, index) => heap.free(address, padded[index]!));
  }
}

/** Writes the geometry, pointers and extra fields; runs `name` over `units`, then `after` (tables still valid). */
function launch(
  kinds: KernelModule,
  name: string,
  units: number,
  geometry: PoolGeometry,
  pointers: PoolPointers,
  fields: Fields = {},
  after: () => void = () => {},
): void {
  const extra = wordsOf(FIELDS, fields); // views' addresses before the tables' alloc may detach them
  const release = writePoolGeometry(kinds, geometry, pointers);
  try {
    const words = argumentViews(kinds).ints;
    for (const [word, value] of extra) words[word] = value;
    const moved = bytes(pointers.input, pointers.output, pointers.argmax ?? null, pointers.gradOutput ?? null);
    parallelFor(kinds, name, units, moved + bytes(pointers.gradInput ?? null), kinds.argumentBlock);
    after();
  } finally {
    release();
  }
}

/** Whether no two windows share a cell: the stride passes the dilated kernel on every axis. */
function disjointWindows(geometry: PoolGeometry): boolean {
  const along = (kernel: number, dilation: number, stride: number) => stride >= (kernel - 1) * dilation + 1;
  return (
    along(geometry.kernelDepth, geometry.dilationDepth, geometry.strideDepth) &&
    along(geometry.kernelHeight, geometry.dilationHeight, geometry.strideHeight) &&
    along(geometry.kernelWidth, geometry.dilationWidth, geometry.strideWidth)
  );
}

function copyInto(address: number, values: Float32Array | Float64Array): void {
  const Type = values instanceof Float64Array ? Float64Array : Float32Array;
  new Type(heap.memory.buffer, address, values.length).set(values);
}

export function createSelectionKernels(kinds: KernelModule): Partial<PoolingKernels> {
  /** Mixed (gated = false) or gated forward. */
  const blendForward = (
    input: Float32Array,
    table: Float32Array,
    output: Float32Array,
    geometry: PoolGeometry,
    gated: boolean,
    room: Float32Array | null = null,
  ) =>
    withScratch([table.byteLength], [input, output, room], ([tableAt], [x, y, gates]) => {
      copyInto(tableAt!, table);
      const fields = { channelTable: tableAt!, blendMode: gated ? 1 : 0, keptGates: gates };
      launch(kinds, 'blendRows', outputRows(geometry), geometry, { input: x!, output: y! }, fields);
    });
  const blendBackward = (
    views: [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array | null],
    table: Float32Array,
    geometry: PoolGeometry,
    gated: boolean,
  ) => {
    const perPlane = gated ? kernelTaps(geometry) : 1;
    const sumsLength = geometry.batch * geometry.channels * perPlane;
    withScratch(
      [table.byteLength, 8 * sumsLength],
      views,
      ([tableAt, sumsAt], [input, gradOutput, gradInput, gradient, gates]) => {
        copyInto(tableAt!, table);
        const fields = {
          channelTable: tableAt!,
          blendMode: gated ? 1 : 0,
          disjoint: disjointWindows(geometry) ? 1 : 0,
          keptGates: gates,
          planeSums: sumsAt!,
        };
        const pointers = { input, output: null, gradOutput, gradInput };
        const refresh = keepViews(gradient);
        launch(kinds, 'blendBackward', planeUnits(geometry), geometry, pointers, fields);
        addUnitSums(sumsAt!, refresh()[0], geometry, perPlane);
      },
    );
  };
  /**
   * Mixed, gated or ordinal pooling on tiling windows (assembly/kinds/selection/blend-tiles*.ts,
   * ordinal-tiles.ts): the forward over output rows, `table` the kind's, `room` gated's for its gates.
   */
  const tilesForward = (
    name: 'mixedTileRows' | 'gatedTileRows' | 'ordinalTileRows',
    views: [Float32Array, Float32Array, Float32Array | null],
    table: Float32Array | Float64Array,
    geometry: PoolGeometry,
  ) =>
    withScratch([table.byteLength], views, ([tableAt], [x, y, room]) => {
      copyInto(tableAt!, table);
      const fields = { channelTable: tableAt!, keptGates: room };
      launch(kinds, name, outputRows(geometry), geometry, { input: x!, output: y! }, fields);
    });
  /** Their backward over samples: the input gradient written whole, the weights' per-plane sums added after. */
  const tilesBackward = (
    name: 'mixedTileBackward' | 'gatedTileBackward' | 'ordinalTileBackward',
    views: [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array | null],
    table: Float32Array | Float64Array,
    geometry: PoolGeometry,
  ) => {
    const perPlane = name === 'mixedTileBackward' ? 1 : 4; // alpha, or the four taps' (ranks') weights
    const sizes = [table.byteLength, 8 * geometry.batch * geometry.channels * perPlane];
    withScratch(sizes, views, ([tableAt, sumsAt], [input, gradOutput, gradInput, gradWeights, room]) => {
      copyInto(tableAt!, table);
      const pointers = { input, output: null, gradOutput, gradInput };
      const refresh = keepViews(gradWeights);
      const fields = { channelTable: tableAt!, planeSums: sumsAt!, keptGates: room };
      launch(kinds, name, planeUnits(geometry), geometry, pointers, fields);
      addUnitSums(sumsAt!, refresh()[0], geometry, perPlane);
    });
  };
  /** A training forward of a random kind: the draw key's two words in the block. */
  const drawForward = (
    name: string,
    input: Float32Array,
    output: Float32Array,
    chosen: Int32Array,
    draws: DrawKey,
    geometry: PoolGeometry,
  ) => {
    const fields = { drawKeyLow: draws.low, drawKeyHigh: draws.high };
    launch(kinds, name, outputRows(geometry), geometry, { input, output, argmax: chosen }, fields);
  };
  return {
    medianPoolForward(input, output, argmedian, geometry) {
      const capacity = windowCapacity(geometry);
      // Rank counting costs n² compares per window: past RANKED_CELLS the reference's sort is cheaper.
      if (capacity > RANKED_CELLS) return medianPoolForward(input, output, argmedian, geometry);
      const slotBytes = 16 * Math.max(capacity, 1);
      withScratch([slotBytes * getThreadCount()], [input, output, argmedian], ([slots], [x, y, indices]) => {
        const fields = { scratch: slots!, slotBytes };
        const pointers = { input: x, output: y, argmax: indices };
        launch(kinds, 'medianPoolRows', outputRows(geometry), geometry, pointers, fields);
      });
    },
    ordinalPoolForward(input, weights, output, geometry) {
      if (tilingWindows(geometry)) {
        return tilesForward('ordinalTileRows', [input, output, null], ordinalTileTable(weights, geometry), geometry);
      }
      const capacity = windowCapacity(geometry);
      if (capacity > RANKED_CELLS) return ordinalPoolForward(input, weights, output, geometry);
      const slotBytes = 32 * Math.max(capacity, 1); // the window's values, then their ranks
      const table = tapTable(weights, geometry);
      withScratch([slotBytes * getThreadCount(), table.byteLength], [input, output], ([slots, tableAt], [x, y]) => {
        copyInto(tableAt!, table);
        const fields = { scratch: slots!, slotBytes, channelTable: tableAt! };
        launch(kinds, 'ordinalPoolRows', outputRows(geometry), geometry, { input: x, output: y }, fields);
      });
    },
    ordinalPoolBackward(input, weights, gradOutput, gradInput, gradWeights, geometry) {
      if (tilingWindows(geometry)) {
        const views = [input, gradOutput, gradInput, gradWeights, null] as Parameters<typeof tilesBackward>[1];
        return tilesBackward('ordinalTileBackward', views, ordinalTileTable(weights, geometry), geometry);
      }
      const capacity = windowCapacity(geometry);
      if (capacity > RANKED_CELLS) {
        return ordinalPoolBackward(input, weights, gradOutput, gradInput, gradWeights, geometry);
      }
      const slotBytes = 32 * Math.max(capacity, 1);
      const table = tapTable(weights, geometry);
      const taps = kernelTaps(geometry);
      const sizes = [slotBytes * getThreadCount(), table.byteLength, 8 * geometry.batch * geometry.channels * taps];
      const views = [input, gradOutput, gradInput, gradWeights] as const;
      withScratch(sizes, views, ([slots, tableAt, sumsAt], [x, gradY, gradX, gradW]) => {
        copyInto(tableAt!, table);
        const fields = { scratch: slots!, slotBytes, channelTable: tableAt!, planeSums: sumsAt! };
        const pointers = { input: x, output: null, gradOutput: gradY, gradInput: gradX };
        const refresh = keepViews(gradW);
        launch(kinds, 'ordinalBackward', planeUnits(geometry), geometry, pointers, fields);
        addUnitSums(sumsAt!, refresh()[0], geometry, taps);
      });
    },
    minPoolForward(input, output, argmin, geometry) {
      launch(kinds, 'minPoolRows', outputRows(geometry), geometry, { input, output, argmax: argmin });
    },
    stochasticPoolForward(input, output, chosen, draws, geometry) {
      drawForward('stochasticDrawRows', input, output, chosen, draws, geometry);
    },
    randomPoolForward(input, output, chosen, draws, geometry) {
      drawForward('randomDrawRows', input, output, chosen, draws, geometry);
    },
    inBoundsAverageForward(input, output, geometry) {
      launch(kinds, 'inBoundsAverageRows', outputRows(geometry), geometry, { input, output });
    },
    inBoundsAverageBackward(gradOutput, gradInput, geometry) {
      const pointers = { input: null, output: null, gradOutput, gradInput };
      launch(kinds, 'inBoundsAverageBackward', planeUnits(geometry), geometry, pointers);
    },
    stochasticPoolBackward(input, chosen, gradOutput, gradInput, geometry) {
      const pointers = { input, output: null, argmax: chosen, gradOutput, gradInput };
      launch(kinds, 'stochasticDrawBackward', planeUnits(geometry), geometry, pointers);
    },
    stochasticPoolInference(input, output, geometry) {
      launch(kinds, 'stochasticExpectRows', outputRows(geometry), geometry, { input, output });
    },
    stochasticPoolInferenceBackward(input, gradOutput, gradInput, geometry) {
      const pointers = { input, output: null, gradOutput, gradInput };
      launch(kinds, 'stochasticExpectBackward', planeUnits(geometry), geometry, pointers);
    },
    mixedPoolForward(input, alpha, output, geometry) {
      if (tilingWindows(geometry)) {
        return tilesForward('mixedTileRows', [input, output, null], mixedTileTable(alpha, geometry.channels), geometry);
      }
      blendForward(input, alphaTable(alpha, geometry.channels), output, geometry, false);
    },
    mixedPoolBackward(input, alpha, gradOutput, gradInput, gradAlpha, geometry) {
      if (tilingWindows(geometry)) {
        const views = [input, gradOutput, gradInput, gradAlpha, null] as Parameters<typeof tilesBackward>[1];
        return tilesBackward('mixedTileBackward', views, mixedTileTable(alpha, geometry.channels), geometry);
      }
      const views = [input, gradOutput, gradInput, gradAlpha, null] as Parameters<typeof blendBackward>[0];
      blendBackward(views, alphaTable(alpha, geometry.channels), geometry, false);
    },
    gatedPoolForward(input, weights, output, geometry, kept) {
      const room = gateRoom(kept, geometry);
      if (room !== null) room[room.length - 1] = KEPT_MARK; // before the forward: one that throws has no backward
      if (tilingWindows(geometry)) {
        return tilesForward('gatedTileRows', [input, output, room], gatedTileTable(weights, geometry), geometry);
      }
      blendForward(input, tapTable(weights, geometry), output, geometry, true, room);
    },
    gatedPoolBackward(input, weights, gradOutput, gradInput, gradWeights, geometry, kept) {
      const room = gateRoom(kept, geometry);
      const gates = room !== null && room[room.length - 1] === KEPT_MARK ? room : null; // filled by this backend's forward
      const views = [input, gradOutput, gradInput, gradWeights, gates] as Parameters<typeof tilesBackward>[1];
      if (tilingWindows(geometry))
        return tilesBackward('gatedTileBackward', views, gatedTileTable(weights, geometry), geometry);
      blendBackward(views, tapTable(weights, geometry), geometry, true);
    },
  };
}
