// LSTM pooling's element-wise kernels in the kinds module (assembly/kinds/regions/lstm-*.ts): the
// gate non-linearities and cell update, their backward with the bias sums, and the per-step gather
// and scatter. The matrix products between them stay the train module's matmul (lstm-sequence.ts).
// The window table is the reference's, kept per geometry (every training step asks for the same one).
import { lstmWindowTable } from '../../reference/extra/lstm-batched.js';
import type { LstmPoolGeometry } from '../../reference/extra/lstm-pool.js';
import type { PoolingKernels } from '../../types.js';
import { argumentViews, type KernelModule } from '../loader.js';
import { addressOf } from '../pool-arguments.js';
import { parallelFor } from '../threads.js';

/** Word indices of assembly/kinds/regions/lstm-arguments.ts. */
const enum Cell {
  Gates = 0,
  Bias = 1,
  Counts = 2,
  Step = 3,
  Hidden = 4,
  Cells = 5,
  NextCells = 6,
  Hiddens = 7,
  NextHiddens = 8,
  GradHidden = 9,
  GradCell = 10,
  GradGates = 11,
  Carry = 12,
  Windows = 13,
}

const enum Steps {
  Source = 0,
  Offsets = 1,
  Tap = 2,
  Taps = 3,
  Channels = 4,
  ChannelStride = 5,
  Target = 6,
}

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
  /** Writes word → value pairs (views are addresses) into the argument block. */
  const write = (fields: readonly (readonly [number, number | Float32Array | Int32Array])[]): void => {
    const { ints } = argumentViews(kinds);
    for (const [field, value] of fields) ints[field] = typeof value === 'number' ? value : addressOf(value);
  };
  return {
    lstmWindowTable: cachedWindowTable,
    lstmCellForward(gates, bias, counts, step, hidden, cells, nextCells, hiddens, nextHiddens) {
      write([
        [Cell.Gates, gates],
        [Cell.Bias, bias],
        [Cell.Counts, counts],
        [Cell.Step, step],
        [Cell.Hidden, hidden],
        [Cell.Cells, cells],
        [Cell.NextCells, nextCells],
        [Cell.Hiddens, hiddens],
        [Cell.NextHiddens, nextHiddens],
      ]);
      parallelFor(
        kinds,
        'lstmCellForwardRows',
        counts.length,
        bytes(gates, cells, nextCells, hiddens, nextHiddens),
        block,
      );
    },
    lstmCellBackward(gates, counts, step, hidden, cells, nextCells, gradHidden, gradCell, gradGates, gradBias, carry) {
      write([
        [Cell.Gates, gates],
        [Cell.Bias, gradBias],
        [Cell.Counts, counts],
        [Cell.Step, step],
        [Cell.Hidden, hidden],
        [Cell.Cells, cells],
        [Cell.NextCells, nextCells],
        [Cell.GradHidden, gradHidden],
        [Cell.GradCell, gradCell],
        [Cell.GradGates, gradGates],
        [Cell.Carry, carry],
        [Cell.Windows, counts.length],
      ]);
      const moved = bytes(gates, gates, cells, nextCells, gradHidden, gradCell, carry);
      parallelFor(kinds, 'lstmCellBackwardRows', counts.length, moved, block);
      parallelFor(kinds, 'lstmBiasColumns', Math.ceil((4 * hidden) / 16), bytes(gradGates), block);
    },
    lstmGatherStep(input, offsets, step, taps, channels, channelStride, inputs) {
      write([
        [Steps.Source, input],
        [Steps.Offsets, offsets],
        [Steps.Tap, step],
        [Steps.Taps, taps],
        [Steps.Channels, channels],
        [Steps.ChannelStride, channelStride],
        [Steps.Target, inputs],
      ]);
      parallelFor(kinds, 'lstmGatherRows', offsets.length / taps, 2 * inputs.byteLength, block);
    },
    lstmScatterStep(gradInputs, offsets, step, taps, channels, channelStride, gradInput) {
      write([
        [Steps.Source, gradInputs],
        [Steps.Offsets, offsets],
        [Steps.Tap, step],
        [Steps.Taps, taps],
        [Steps.Channels, channels],
        [Steps.ChannelStride, channelStride],
        [Steps.Target, gradInput],
      ]);
      // One thread, windows in order: windows sharing a cell at one step (padding) would race.
      kinds.exports.lstmScatterRows!(block, 0, offsets.length / taps);
    },
  };
}
