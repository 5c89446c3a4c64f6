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
    cells: Tensor.allocate([taps + 1, windows, hidden]),
    hiddens: Tensor.allocate([taps + 1, windows, hidden]),
  };
  // h_0 = c_0 = 0; lstmCellForward writes every later state (finished windows carry theirs)
  sequence.cells.values.fill(0, 0, windows * hidden);
  sequence.hiddens.values.fill(0, 0, windows * hidden);
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
    const rows = slice(inputs, step, channels);
    kernel('lstmGatherStep')(input.values, offsets.intValues, step, taps, channels, channelStride, rows);
  }
  // x·W of every step in one product; only h·U must wait for the previous step.
  kernel('matmul')(inputs, weights.kernel.values, gates, product(taps * windows, channels, width));
  for (let step = 0; step < taps; step++) {
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

/**
 * Back-propagation through time; gradHidden [N, H] is ∂L/∂h of the last state (consumed). ∂L/∂z
 * of every step is kept, so that the inputs' gradient ∂L/∂z·Wᵀ is one product over all steps.
 */
export function lstmSequenceBackward(
  input: Tensor,
  weights: LstmTensors,
  geometry: LstmPoolGeometry,
  sequence: LstmSequence,
  gradHidden: Tensor,
  gradients: { input: Tensor } & LstmTensors,
): void {
  const gradGates = Tensor.allocate([sequence.taps, sequence.windows, 4 * geometry.hidden]);
  try {
    gateGradients(weights, geometry, sequence, gradHidden, gradGates, gradients);
    inputGradients(weights, geometry, sequence, gradGates, gradients.input);
  } finally {
    gradGates.dispose();
  }
}

/**
 * From the last step back: ∂L/∂z_t into gradGates [T, N, 4H] with the bias gradient, ∂L/∂W +=
 * x_tᵀ·∂L/∂z_t and ∂L/∂U += h_{t−1}ᵀ·∂L/∂z_t step by step (short float32 sums, as the reference
 * backend's), and ∂L/∂h_{t−1} = ∂L/∂z_t·Uᵀ, which the next step back needs.
 */
function gateGradients(
  weights: LstmTensors,
  geometry: LstmPoolGeometry,
  sequence: LstmSequence,
  gradHidden: Tensor,
  gradGates: Tensor,
  gradients: LstmTensors,
): void {
  const { windows, taps, counts } = sequence;
  const [channels, hidden, width] = [geometry.pool.channels, geometry.hidden, 4 * geometry.hidden];
  const [gradCell, carry] = [zeroTensor([windows, hidden]), Tensor.allocate([windows, hidden])];
  let [current, next] = [gradHidden, carry];
  const slice = (tensor: Tensor, step: number, size: number) =>
    tensor.values.subarray(step * windows * size, (step + 1) * windows * size);
  const summed = { transposeA: true, accumulate: true };
  for (let step = taps - 1; step >= 0; step--) {
    const stepGradients = slice(gradGates, step, width);
    kernel('lstmCellBackward')(
      slice(sequence.gates, step, width),
      counts.intValues,
      step,
      hidden,
      slice(sequence.cells, step, hidden),
      slice(sequence.cells, step + 1, hidden),
      current.values,
      gradCell.values,
      stepGradients,
      gradients.bias.values,
      next.values,
    );
    const inputRows = slice(sequence.inputs, step, channels);
    kernel('matmul')(inputRows, stepGradients, gradients.kernel.values, product(channels, windows, width, summed));
    if (step > 0) {
      const previous = slice(sequence.hiddens, step, hidden);
      kernel('matmul')(
        previous,
        stepGradients,
        gradients.recurrentKernel.values,
        product(hidden, windows, width, summed),
      );
      const transposed = product(windows, width, hidden, { transposeB: true, accumulate: true });
      kernel('matmul')(stepGradients, weights.recurrentKernel.values, next.values, transposed);
    }
    [current, next] = [next, current];
  }
  gradCell.dispose();
  carry.dispose();
}

/** ∂L/∂x_t = ∂L/∂z_t·Wᵀ for every step in one product, scattered to the cells from the last step back. */
function inputGradients(
  weights: LstmTensors,
  geometry: LstmPoolGeometry,
  sequence: LstmSequence,
  gradGates: Tensor,
  gradInput: Tensor,
): void {
  const { pool, hidden } = geometry;
  const { windows, taps, offsets } = sequence;
  const channels = pool.channels;
  const gradInputs = Tensor.allocate([taps, windows, channels]);
  const rows = product(taps * windows, 4 * hidden, channels, { transposeB: true });
  kernel('matmul')(gradGates.values, weights.kernel.values, gradInputs.values, rows);
  const channelStride = stridesOf(pool.channelsLast, channels, pool.inDepth * pool.inHeight * pool.inWidth).channel;
  for (let step = taps - 1; step >= 0; step--) {
    const stepRows = gradInputs.values.subarray(step * windows * channels, (step + 1) * windows * channels);
    kernel('lstmScatterStep')(stepRows, offsets.intValues, step, taps, channels, channelStride, gradInput.values);
  }
  gradInputs.dispose();
}

/** The tensors of a saved forward pass, which the backward reads. */
export function sequenceTensors(sequence: LstmSequence): Tensor[] {
  return [sequence.offsets, sequence.counts, sequence.inputs, sequence.gates, sequence.cells, sequence.hiddens];
}
