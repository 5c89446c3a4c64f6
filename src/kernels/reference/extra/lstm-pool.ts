// LSTM pooling (seed article 000), reference kernels: the in-bounds cells of each window, in
// row-major order, are a sequence of channel vectors run through one LSTM (Keras's gate order
// i, f, c, o; sigmoid gates, tanh cell); the window's output is the last hidden state. The backward
// pass recomputes each window's forward steps and runs back-propagation through time.
import { stridesOf } from '../../../geometry/layout.js';
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import type { Shape } from '../../../tensor/tensor.js';
import { walkCollectedWindows, type CollectedWindow } from './collect.js';
import { lstmStep, lstmStepBackward, type LstmWeights, type StepSequence } from './lstm-step.js';
import { windowCapacity } from '../window-walk.js';

export interface LstmPoolGeometry {
  /** The window geometry over the input (its channels are the LSTM's input size). */
  readonly pool: PoolGeometry;
  readonly hidden: number;
  readonly outputShape: Shape;
}

/** Per-window scratch: inputs x_t (T×C), gates (T×4H), cell and hidden states (T+1)×H, state 0 = zeros. */
interface Sequence extends StepSequence {
  steps: number;
}

function makeSequence(geometry: LstmPoolGeometry): Sequence {
  const { pool, hidden } = geometry;
  const taps = windowCapacity(pool);
  return {
    steps: 0,
    inputs: new Float64Array(taps * pool.channels),
    gates: new Float64Array(taps * 4 * hidden),
    cells: new Float64Array((taps + 1) * hidden),
    hiddens: new Float64Array((taps + 1) * hidden),
  };
}

/** Walks windows over positions (one plane per sample): outputIndex = sample·outCells + outCell. */
function walkPositions(geometry: LstmPoolGeometry, visit: (window: CollectedWindow, position: number) => void): void {
  const positions: PoolGeometry = { ...geometry.pool, channels: 1, channelsLast: true };
  walkCollectedWindows(positions, (window, position) => visit(window, position));
}

/** Runs the LSTM over one window's cells, filling the sequence scratch. */
function runWindow(
  input: Float32Array,
  weights: LstmWeights,
  geometry: LstmPoolGeometry,
  window: CollectedWindow,
  position: number,
  sequence: Sequence,
): void {
  const { pool, hidden } = geometry;
  const inStrides = stridesOf(pool.channelsLast, pool.channels, pool.inDepth * pool.inHeight * pool.inWidth);
  const sample = Math.floor(position / (pool.outDepth * pool.outHeight * pool.outWidth));
  sequence.steps = window.count;
  sequence.cells.fill(0, 0, hidden);
  sequence.hiddens.fill(0, 0, hidden);
  for (let step = 0; step < window.count; step++) {
    const base = sample * inStrides.batch + window.spatialIndices[step]! * inStrides.spatial;
    for (let channel = 0; channel < pool.channels; channel++) {
      sequence.inputs[step * pool.channels + channel] = input[base + channel * inStrides.channel]!;
    }
    lstmStep(weights, sequence, step);
  }
}

/** Where window `position`'s hidden units lie in the output [batch, out spatial…, hidden] (or channels-first). */
function outputPlaces(geometry: LstmPoolGeometry) {
  const { pool, hidden } = geometry;
  const cells = pool.outDepth * pool.outHeight * pool.outWidth;
  const strides = stridesOf(pool.channelsLast, hidden, cells);
  const base = (position: number) =>
    Math.floor(position / cells) * strides.batch + (position % cells) * strides.spatial;
  return { cells, channel: strides.channel, base };
}

/** Output [batch, out spatial…, hidden] (or channels-first): the last hidden state of each window. */
export function lstmPoolForward(
  input: Float32Array,
  weights: LstmWeights,
  output: Float32Array,
  geometry: LstmPoolGeometry,
): void {
  const { hidden } = geometry;
  const place = outputPlaces(geometry);
  const sequence = makeSequence(geometry);
  walkPositions(geometry, (window, position) => {
    runWindow(input, weights, geometry, window, position, sequence);
    const base = place.base(position);
    for (let unit = 0; unit < hidden; unit++) {
      output[base + unit * place.channel] = sequence.hiddens[sequence.steps * hidden + unit]!;
    }
  });
}

/** Gradients of input and of every weight; all gradient arrays must be zeroed first. */
export function lstmPoolBackward(
  input: Float32Array,
  weights: LstmWeights,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  gradWeights: LstmWeights,
  geometry: LstmPoolGeometry,
): void {
  const { pool, hidden } = geometry;
  const place = outputPlaces(geometry);
  const inStrides = stridesOf(pool.channelsLast, pool.channels, pool.inDepth * pool.inHeight * pool.inWidth);
  const sequence = makeSequence(geometry);
  const state = {
    gradHidden: new Float64Array(hidden),
    gradCell: new Float64Array(hidden),
    gradInput: new Float64Array(pool.channels),
    scratch: new Float64Array(4 * hidden),
  };
  walkPositions(geometry, (window, position) => {
    runWindow(input, weights, geometry, window, position, sequence);
    const sample = Math.floor(position / place.cells);
    const outBase = place.base(position);
    for (let unit = 0; unit < hidden; unit++) state.gradHidden[unit] = gradOutput[outBase + unit * place.channel]!;
    state.gradCell.fill(0);
    for (let step = sequence.steps - 1; step >= 0; step--) {
      lstmStepBackward(weights, sequence, step, gradWeights, state);
      const base = sample * inStrides.batch + window.spatialIndices[step]! * inStrides.spatial;
      for (let channel = 0; channel < pool.channels; channel++)
        gradInput[base + channel * inStrides.channel]! += state.gradInput[channel]!;
    }
  });
}
