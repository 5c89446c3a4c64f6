// LSTM pooling step by step over all windows at once: the element-wise parts (gather a step's
// inputs, the gate non-linearities and cell update, their backward, scatter a step's input
// gradient). The op runs the products x·W, h·U and their gradients through the matmul kernel
// between these calls, so the fast backend's matrix product does the bulk of the work.
// Window w has counts[w] cells; at steps t ≥ counts[w] its state is carried unchanged.
import { stridesOf } from '../../../geometry/layout.js';
import type { LstmPoolGeometry } from './lstm-pool.js';
import { walkCollectedWindows } from './collect.js';
import { windowCapacity } from '../window-walk.js';

/** Fills offsets [windows, taps] with each cell's first input element (channel 0), and counts. */
export function lstmWindowTable(geometry: LstmPoolGeometry, offsets: Int32Array, counts: Int32Array): void {
  const { pool } = geometry;
  const taps = windowCapacity(pool);
  const outCells = pool.outDepth * pool.outHeight * pool.outWidth;
  const strides = stridesOf(pool.channelsLast, pool.channels, pool.inDepth * pool.inHeight * pool.inWidth);
  const positions = { ...pool, channels: 1, channelsLast: true };
  walkCollectedWindows(positions, (window, windowIndex) => {
    const sampleBase = Math.floor(windowIndex / outCells) * strides.batch;
    counts[windowIndex] = window.count;
    for (let step = 0; step < taps; step++) {
      offsets[windowIndex * taps + step] =
        step < window.count ? sampleBase + window.spatialIndices[step]! * strides.spatial : -1;
    }
  });
}

/**
 * Moves step `step`'s cells between the input (or its gradient) and a [windows, channels] block: the
 * offsets table gives each window's cell (-1 once the window has ended), channelStride its channels.
 */
type StepMove = (
  from: Float32Array,
  offsets: Int32Array,
  step: number,
  taps: number,
  channels: number,
  channelStride: number,
  to: Float32Array,
) => void;

/** Each window's index and its cell's offset at `step` (-1 for a window already finished). */
function forEachStepCell(
  offsets: Int32Array,
  step: number,
  taps: number,
  visit: (window: number, offset: number) => void,
) {
  const windows = offsets.length / taps;
  for (let windowIndex = 0; windowIndex < windows; windowIndex++)
    visit(windowIndex, offsets[windowIndex * taps + step]!);
}

/** inputs [windows, channels] of step `step` (0 for windows already finished). */
export const lstmGatherStep: StepMove = (input, offsets, step, taps, channels, channelStride, inputs) =>
  forEachStepCell(offsets, step, taps, (windowIndex, offset) => {
    for (let channel = 0; channel < channels; channel++) {
      inputs[windowIndex * channels + channel] = offset < 0 ? 0 : input[offset + channel * channelStride]!;
    }
  });

/** gradInput[cell] += gradInputs [windows, channels] of step `step`. */
export const lstmScatterStep: StepMove = (gradInputs, offsets, step, taps, channels, channelStride, gradInput) =>
  forEachStepCell(offsets, step, taps, (windowIndex, offset) => {
    if (offset < 0) return;
    for (let channel = 0; channel < channels; channel++)
      gradInput[offset + channel * channelStride]! += gradInputs[windowIndex * channels + channel]!;
  });

const sigmoid = (value: number): number => 1 / (1 + Math.exp(-value));

/**
 * gates [windows, 4H] holds x·W + h·U on entry and the activated [i, f, g, o] on exit (b added
 * here); writes cell and hidden state t + 1 from state t, carrying finished windows' states.
 */
export function lstmCellForward(
  gates: Float32Array,
  bias: Float32Array,
  counts: Int32Array,
  step: number,
  hidden: number,
  cells: Float32Array,
  nextCells: Float32Array,
  hiddens: Float32Array,
  nextHiddens: Float32Array,
): void {
  const width = 4 * hidden;
  for (let windowIndex = 0; windowIndex < counts.length; windowIndex++) {
    const base = windowIndex * width;
    for (let unit = 0; unit < hidden; unit++) {
      const state = windowIndex * hidden + unit;
      if (step >= counts[windowIndex]!) {
        nextCells[state] = cells[state]!;
        nextHiddens[state] = hiddens[state]!;
        continue;
      }
      const inputGate = sigmoid(gates[base + unit]! + bias[unit]!);
      const forgetGate = sigmoid(gates[base + hidden + unit]! + bias[hidden + unit]!);
      const candidate = Math.tanh(gates[base + 2 * hidden + unit]! + bias[2 * hidden + unit]!);
      const outputGate = sigmoid(gates[base + 3 * hidden + unit]! + bias[3 * hidden + unit]!);
      gates[base + unit] = inputGate;
      gates[base + hidden + unit] = forgetGate;
      gates[base + 2 * hidden + unit] = candidate;
      gates[base + 3 * hidden + unit] = outputGate;
      nextCells[state] = forgetGate * cells[state]! + inputGate * candidate;
      nextHiddens[state] = outputGate * Math.tanh(nextCells[state]!);
    }
  }
}

/**
 * Backward of lstmCellForward: from ∂L/∂h and ∂L/∂c of state t + 1 (gradCell updated in place to
 * state t's), writes ∂L/∂z [windows, 4H] (0 for finished windows), adds Σ ∂L/∂z to gradBias, and
 * sets carryHidden to ∂L/∂h for finished windows (0 otherwise): the op adds ∂L/∂z·Uᵀ to it.
 */
export function lstmCellBackward(
  gates: Float32Array,
  counts: Int32Array,
  step: number,
  hidden: number,
  cells: Float32Array,
  nextCells: Float32Array,
  gradHidden: Float32Array,
  gradCell: Float32Array,
  gradGates: Float32Array,
  gradBias: Float32Array,
  carryHidden: Float32Array,
): void {
  const width = 4 * hidden;
  for (let windowIndex = 0; windowIndex < counts.length; windowIndex++) {
    const base = windowIndex * width;
    const active = step < counts[windowIndex]!;
    for (let unit = 0; unit < hidden; unit++) {
      const state = windowIndex * hidden + unit;
      carryHidden[state] = active ? 0 : gradHidden[state]!;
      if (!active) {
        for (let block = 0; block < 4; block++) gradGates[base + block * hidden + unit] = 0;
        continue;
      }
      const [inputGate, forgetGate] = [gates[base + unit]!, gates[base + hidden + unit]!];
      const [candidate, outputGate] = [gates[base + 2 * hidden + unit]!, gates[base + 3 * hidden + unit]!];
      const squashed = Math.tanh(nextCells[state]!);
      const total = gradCell[state]! + gradHidden[state]! * outputGate * (1 - squashed * squashed);
      gradGates[base + unit] = total * candidate * inputGate * (1 - inputGate);
      gradGates[base + hidden + unit] = total * cells[state]! * forgetGate * (1 - forgetGate);
      gradGates[base + 2 * hidden + unit] = total * inputGate * (1 - candidate * candidate);
      gradGates[base + 3 * hidden + unit] = gradHidden[state]! * squashed * outputGate * (1 - outputGate);
      gradCell[state] = total * forgetGate;
      for (let block = 0; block < 4; block++)
        gradBias[block * hidden + unit]! += gradGates[base + block * hidden + unit]!;
    }
  }
}
