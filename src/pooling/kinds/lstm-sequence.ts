// LSTM pooling over all windows at once, step by step: the products x·W and h·U (and their
// gradients) go through the matmul kernel of the active backend, the rest through the element-wise
// kernels of lstm-batched.ts. Equal to the per-window reference kernels (lstm-pool.ts), which the
// tests check; this path is the one the op runs because it is many times faster.
import { stridesOf } from '../../geometry/layout.js';
import { kernel } from '../../kernels/backend.js';
import { windowCapacity } from '../../kernels/reference/window-walk.js';
import type { LstmPoolGeometry } from '../../kernels/reference/extra/lstm-pool.js';
import { Tensor } from '../../tensor/tensor.js';
import { zeroTensor } from '../arguments.js';

/** The saved forward pass: per step inputs [T, N, C], activated gates [T, N, 4H], states [T+1, N, H]. */
export interface LstmSequence {
  readonly windows: number;
  readonly taps: number;
  /** int32 [windows, taps]: each step's cell (its channel-0 element), −1 past the window's end. */
  readonly offsets: Tensor;
  /** int32 [windows]: each window's in-bounds cells. */
  readonly counts: Tensor;
  readonly inputs: Tensor;
  readonly gates: Tensor;
  readonly cells: Tensor;
  readonly hiddens: Tensor;
}

export interface LstmTensors {
  readonly kernel: Tensor;
  readonly recurrentKernel: Tensor;
  readonly bias: Tensor;
}

const product = (
  m: number,
  k: number,
  n: number,
  flags: { transposeA?: boolean; transposeB?: boolean; accumulate?: boolean } = {},
) => ({
  m,
  k,
  n,
  transposeA: flags.transposeA ?? false,
  transposeB: flags.transposeB ?? false,
  accumulate: flags.accumulate ?? false,
});

export function lstmSequenceForward(input: Tensor, weights: LstmTensors, geometry: LstmPoolGeometry): LstmSequence {
  const { pool, hidden } = geometry;
  const [channels, width] = [pool.channels, 4 * hidden];
  const taps = windowCapacity(pool); // steps: the longest window's in-bounds cells
  const windows = pool.batch * pool.outDepth * pool.outHeight * pool.outWidth;
  // In the heap (not plain arrays): the wasm kernels read them there.
  const offsets = Tensor.allocate([windows, taps], 'int32');
  const counts = Tensor.allocate([windows], 'int32');
  kernel('lstmWindowTable')(geometry, offsets.intValues, counts.intValues);
  const sequence: LstmSequence = {
    windows,
    taps,
    offsets,
    counts,
    inputs: Tensor.allocate([taps, windows, channels]),
    gates: Tensor.allocate([taps, windows, width]),
    cells: zeroTensor([taps + 1, windows, hidden]),
    hiddens: zeroTensor([taps + 1, windows, hidden]),
  };
  const channelStride = stridesOf(pool.channelsLast, channels, pool.inDepth * pool.inHeight * pool.inWidth).channel;
  const [inputs, gates, cells, hiddens] = [
    sequence.inputs.values,
    sequence.gates.values,
    sequence.cells.values,
    sequence.hiddens.values,
  ];
  const slice = (array: Float32Array, step: number, size: number) =>
    array.subarray(step * windows * size, (step + 1) * windows * size);
  for (let step = 0; step < taps; step++) {
    kernel('lstmGatherStep')(
      input.values,
      offsets.intValues,
      step,
      taps,
      channels,
      channelStride,
      slice(inputs, step, channels),
    );
    kernel('matmul')(
      slice(inputs, step, channels),
      weights.kernel.values,
      slice(gates, step, width),
      product(windows, channels, width),
    );
    if (step > 0)
      kernel('matmul')(
        slice(hiddens, step, hidden),
        weights.recurrentKernel.values,
        slice(gates, step, width),
        product(windows, hidden, width, { accumulate: true }),
      );
    kernel('lstmCellForward')(
      slice(gates, step, width),
      weights.bias.values,
      counts.intValues,
      step,
      hidden,
      slice(cells, step, hidden),
      slice(cells, step + 1, hidden),
      slice(hiddens, step, hidden),
      slice(hiddens, step + 1, hidden),
    );
  }
  return sequence;
}

/** Back-propagation through time; gradHidden [N, H] is ∂L/∂h of the last state (consumed). */
export function lstmSequenceBackward(
  input: Tensor,
  weights: LstmTensors,
  geometry: LstmPoolGeometry,
  sequence: LstmSequence,
  gradHidden: Tensor,
  gradients: { input: Tensor } & LstmTensors,
): void {
  const { pool, hidden } = geometry;
  const { windows, taps, offsets, counts } = sequence;
  const [channels, width] = [pool.channels, 4 * hidden];
  const channelStride = stridesOf(pool.channelsLast, channels, pool.inDepth * pool.inHeight * pool.inWidth).channel;
  const scratch = {
    gradCell: zeroTensor([windows, hidden]),
    carry: Tensor.allocate([windows, hidden]),
    gradGates: Tensor.allocate([windows, width]),
    gradInputs: Tensor.allocate([windows, channels]),
  };
  let [current, next] = [gradHidden, scratch.carry];
  const [inputs, gates, cells, hiddens] = [
    sequence.inputs.values,
    sequence.gates.values,
    sequence.cells.values,
    sequence.hiddens.values,
  ];
  const slice = (array: Float32Array, step: number, size: number) =>
    array.subarray(step * windows * size, (step + 1) * windows * size);
  const gradGates = scratch.gradGates.values;
  for (let step = taps - 1; step >= 0; step--) {
    kernel('lstmCellBackward')(
      slice(gates, step, width),
      counts.intValues,
      step,
      hidden,
      slice(cells, step, hidden),
      slice(cells, step + 1, hidden),
      current.values,
      scratch.gradCell.values,
      gradGates,
      gradients.bias.values,
      next.values,
    );
    kernel('matmul')(
      slice(inputs, step, channels),
      gradGates,
      gradients.kernel.values,
      product(channels, windows, width, { transposeA: true, accumulate: true }),
    );
    kernel('matmul')(
      gradGates,
      weights.kernel.values,
      scratch.gradInputs.values,
      product(windows, width, channels, { transposeB: true }),
    );
    kernel('lstmScatterStep')(
      scratch.gradInputs.values,
      offsets.intValues,
      step,
      taps,
      channels,
      channelStride,
      gradients.input.values,
    );
    if (step > 0) {
      kernel('matmul')(
        slice(hiddens, step, hidden),
        gradGates,
        gradients.recurrentKernel.values,
        product(hidden, windows, width, { transposeA: true, accumulate: true }),
      );
      kernel('matmul')(
        gradGates,
        weights.recurrentKernel.values,
        next.values,
        product(windows, width, hidden, { transposeB: true, accumulate: true }),
      );
    }
    [current, next] = [next, current];
  }
  for (const tensor of Object.values(scratch)) tensor.dispose();
}

/** The tensors of a saved forward pass, which the backward reads. */
export function sequenceTensors(sequence: LstmSequence): Tensor[] {
  return [sequence.offsets, sequence.counts, sequence.inputs, sequence.gates, sequence.cells, sequence.hiddens];
}
