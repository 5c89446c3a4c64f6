// LSTM pooling's element-wise kernels in the kinds module (assembly/kinds/regions/lstm-*.ts): the
// gate non-linearities and cell update, their backward with the bias sums, and the per-step gather
// and scatter. The matrix products between them stay the train module's matmul (lstm-sequence.ts).
// The window table is the reference's, kept per geometry (every training step asks for the same one).
import { lstmWindowTable } from '../../reference/extra/lstm-batched.js';
import type { LstmPoolGeometry } from '../../reference/extra/lstm-pool.js';
import type { PoolingKernels } from '../../types.js';
import { argumentViews, type KernelModule } from '../loader.js';
import { wordsOf, type WordLayout, type WordValue } from '../pool-arguments.js';
import { parallelFor } from '../threads.js';

/** Word indices of assembly/kinds/regions/lstm-arguments.ts: the cell kernels' block. */
const CELL_WORDS = {
  gates: 0,
  bias: 1,
  counts: 2,
  step: 3,
  hidden: 4,
  cells: 5,
  nextCells: 6,
  hiddens: 7,
  nextHiddens: 8,
  gradHidden: 9,
  gradCell: 10,
  gradGates: 11,
  carry: 12,
  windows: 13,
} as const;

/** The gather and scatter kernels' block, same file. */
const STEP_WORDS = { source: 0, offsets: 1, tap: 2, taps: 3, channels: 4, channelStride: 5, target: 6 } as const;

type LstmKernels = Pick<
  PoolingKernels,
  'lstmCellForward' | 'lstmCellBackward' | 'lstmGatherStep' | 'lstmScatterStep' | 'lstmWindowTable'
>;

/** The last few window tables by geometry: offsets and counts as the reference wrote them. */
const tables = new Map<string, { offsets: Int32Array; counts: Int32Array }>();
const TABLE_CAPACITY = 4;

function cachedWindowTable(geometry: LstmPoolGeometry, offsets: Int32Array, counts: Int32Array): void {
  const key = JSON.stringify(geometry.pool);
  let table = tables.get(key);
  if (table === undefined || table.offsets.length !== offsets.length || table.counts.length !== counts.length) {
    lstmWindowTable(geometry, offsets, counts);
    table = { offsets: Int32Array.from(offsets), counts: Int32Array.from(counts) };
    tables.set(key, table);
    if (tables.size > TABLE_CAPACITY) tables.delete(tables.keys().next().value!);
    return;
  }
  offsets.set(table.offsets);
  counts.set(table.counts);
}

const bytes = (...views: (Float32Array | Int32Array)[]): number =>
  views.reduce((total, view) => total + view.byteLength, 0);

export function createLstmKernels(kinds: KernelModule): LstmKernels {
  const block = kinds.argumentBlock;
  /** Writes the values (views as addresses) at their words of `layout` into the argument block. */
  const write = <Layout extends WordLayout>(layout: Layout, values: Partial<Record<keyof Layout, WordValue>>): void => {
    const { ints } = argumentViews(kinds);
    for (const [word, value] of wordsOf(layout, values)) ints[word] = value;
  };
  return {
    lstmWindowTable: cachedWindowTable,
    lstmCellForward(gates, bias, counts, step, hidden, cells, nextCells, hiddens, nextHiddens) {
      write(CELL_WORDS, { gates, bias, counts, step, hidden, cells, nextCells, hiddens, nextHiddens });
      parallelFor(
        kinds,
        'lstmCellForwardRows',
        counts.length,
        bytes(gates, cells, nextCells, hiddens, nextHiddens),
        block,
      );
    },
    lstmCellBackward(gates, counts, step, hidden, cells, nextCells, gradHidden, gradCell, gradGates, gradBias, carry) {
      write(CELL_WORDS, {
        gates,
        bias: gradBias,
        counts,
        step,
        hidden,
        cells,
        nextCells,
        gradHidden,
        gradCell,
        gradGates,
        carry,
        windows: counts.length,
      });
      const moved = bytes(gates, gates, cells, nextCells, gradHidden, gradCell, carry);
      parallelFor(kinds, 'lstmCellBackwardRows', counts.length, moved, block);
      parallelFor(kinds, 'lstmBiasColumns', Math.ceil((4 * hidden) / 16), bytes(gradGates), block);
    },
    lstmGatherStep(input, offsets, step, taps, channels, channelStride, inputs) {
      write(STEP_WORDS, { source: input, offsets, tap: step, taps, channels, channelStride, target: inputs });
      parallelFor(kinds, 'lstmGatherRows', offsets.length / taps, 2 * inputs.byteLength, block);
    },
    lstmScatterStep(gradInputs, offsets, step, taps, channels, channelStride, gradInput) {
      write(STEP_WORDS, { source: gradInputs, offsets, tap: step, taps, channels, channelStride, target: gradInput });
      // One thread, windows in order: windows sharing a cell at one step (padding) would race.
      kinds.exports.lstmScatterRows!(block, 0, offsets.length / taps);
    },
  };
}
