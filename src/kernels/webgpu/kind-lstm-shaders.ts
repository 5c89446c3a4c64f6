// The WGSL of LSTM pooling's batched step (lstm-batched.ts; the products x·W, h·U and their
// gradients are the matmul kernel's): a step's cells gathered into [windows, channels] rows and their
// gradients added back (bit for bit, in window order), and the fused gate kernels: bias, sigmoid and
// tanh gates and the state update forward; the gates' gradients, the cell gradient, the carried hidden
// gradient and the bias gradient (summed over windows in order) backward. Float32 throughout.
import { Param } from './params.js';
import { header, reads, storageBindings, writes } from './shader-common.js';

/** Positions of the step's sizes in the parameters, after the pooling block. */
export const LstmParam = {
  windows: Param.count,
  hidden: Param.count + 1,
  step: Param.count + 2,
  taps: Param.count + 3,
  channels: Param.count + 4,
  channelStride: Param.count + 5,
  count: Param.count + 6,
} as const;

const sizesWgsl = `
fn hiddenUnits() -> u32 { return pu(${LstmParam.hidden}u); }
fn step() -> i32 { return p(${LstmParam.step}u); }
fn isNanValue(value: f32) -> bool { return isNanBits(bitcast<u32>(value)); }
/** σ(x) = 1/(1 + e^−x), x clamped where e^−x would overflow (σ is 0 or 1 in float32 there anyway). */
fn sigmoid(value: f32) -> f32 {
  if (isNanValue(value)) { return value; }
  return 1.0 / (1.0 + exp(-clamp(value, -88.0, 88.0)));
}
/** tanh, clamped where it is ±1 in float32 (an implementation's sinh/cosh would overflow). */
fn hyperbolicTangent(value: f32) -> f32 {
  if (isNanValue(value)) { return value; }
  return tanh(clamp(value, -10.0, 10.0));
}`;

/** lstmGatherStep: rows[window, channel] = the window's cell at this step (0 once it has ended), bits copied. */
const gather = `${header(
  storageBindings([reads('input', 'u32'), reads('offsets', 'i32'), writes('rows', 'u32')]) + sizesWgsl,
)}
  let channels = pu(${LstmParam.channels}u);
  let window = element / channels;
  let offset = offsets[window * pu(${LstmParam.taps}u) + u32(step())];
  rows[element] = select(input[u32(max(offset, 0)) + (element % channels) * pu(${LstmParam.channelStride}u)], 0u, offset < 0);
}`;

/**
 * lstmScatterStep as a gather: per distinct cell of this step and channel, gradInput += each window's
 * row, in window order (tables: the count U, U cells, U + 1 starts, then the windows reading each).
 */
const scatter = `${header(
  storageBindings([reads('tables', 'i32'), reads('gradRows', 'f32'), writes('gradInput', 'f32')]) + sizesWgsl,
)}
  let channels = pu(${LstmParam.channels}u);
  let distinct = u32(tables[0]);
  let cell = element / channels;
  let channel = element % channels;
  let destination = u32(tables[1u + cell]) + channel * pu(${LstmParam.channelStride}u);
  var sum = gradInput[destination];
  for (var entry = tables[1u + distinct + cell]; entry < tables[2u + distinct + cell]; entry++) {
    sum = sum + gradRows[u32(tables[2u + 2u * distinct + u32(entry)]) * channels + channel];
  }
  gradInput[destination] = sum;
}`;

/** lstmCellForward per (window, unit): activated gates written back, state t + 1 from state t (carried once the window has ended). */
const cellForward = `${header(
  storageBindings([
    writes('gates', 'f32'),
    reads('bias', 'f32'),
    reads('counts', 'i32'),
    reads('cells', 'f32'),
    writes('nextCells', 'f32'),
    reads('hiddens', 'f32'),
    writes('nextHiddens', 'f32'),
  ]) + sizesWgsl,
)}
  let hidden = hiddenUnits();
  let window = element / hidden;
  let unit = element % hidden;
  if (step() >= counts[window]) {
    nextCells[element] = cells[element];
    nextHiddens[element] = hiddens[element];
    return;
  }
  let base = window * 4u * hidden + unit;
  let inputGate = sigmoid(gates[base] + bias[unit]);
  let forgetGate = sigmoid(gates[base + hidden] + bias[hidden + unit]);
  let candidate = hyperbolicTangent(gates[base + 2u * hidden] + bias[2u * hidden + unit]);
  let outputGate = sigmoid(gates[base + 3u * hidden] + bias[3u * hidden + unit]);
  gates[base] = inputGate;
  gates[base + hidden] = forgetGate;
  gates[base + 2u * hidden] = candidate;
  gates[base + 3u * hidden] = outputGate;
  let cell = forgetGate * cells[element] + inputGate * candidate;
  nextCells[element] = cell;
  nextHiddens[element] = outputGate * hyperbolicTangent(cell);
}`;

/**
 * lstmCellBackward per (window, unit): ∂L/∂z of the four gates (0 once the window has ended) and the
 * cell gradient of state t in place (the carried hidden gradient is lstmKindCarry's: a ninth binding
 * would pass WebGPU's guaranteed eight storage buffers per shader).
 */
const cellBackward = `${header(
  storageBindings([
    reads('gates', 'f32'),
    reads('counts', 'i32'),
    reads('cells', 'f32'),
    reads('nextCells', 'f32'),
    reads('gradHidden', 'f32'),
    writes('gradCell', 'f32'),
    writes('gradGates', 'f32'),
  ]) + sizesWgsl,
)}
  let hidden = hiddenUnits();
  let window = element / hidden;
  let unit = element % hidden;
  let base = window * 4u * hidden + unit;
  if (step() >= counts[window]) {
    for (var block = 0u; block < 4u; block++) { gradGates[base + block * hidden] = 0.0; }
    return;
  }
  let inputGate = gates[base];
  let forgetGate = gates[base + hidden];
  let candidate = gates[base + 2u * hidden];
  let outputGate = gates[base + 3u * hidden];
  let squashed = hyperbolicTangent(nextCells[element]);
  let total = gradCell[element] + gradHidden[element] * outputGate * (1.0 - squashed * squashed);
  gradGates[base] = total * candidate * inputGate * (1.0 - inputGate);
  gradGates[base + hidden] = total * cells[element] * forgetGate * (1.0 - forgetGate);
  gradGates[base + 2u * hidden] = total * inputGate * (1.0 - candidate * candidate);
  gradGates[base + 3u * hidden] = gradHidden[element] * squashed * outputGate * (1.0 - outputGate);
  gradCell[element] = total * forgetGate;
}`;

/** The carried hidden gradient per (window, unit): ∂L/∂h where the window has ended, else 0 (the op adds ∂L/∂z·Uᵀ). */
const carry = `${header(
  storageBindings([reads('counts', 'i32'), reads('gradHidden', 'f32'), writes('carryHidden', 'f32')]) + sizesWgsl,
)}
  let running = step() < counts[element / hiddenUnits()];
  carryHidden[element] = select(gradHidden[element], 0.0, running);
}`;

/** The bias gradient: gradBias[j] += Σ over windows, in order, of gradGates[window, j]. */
const biasGradient = `${header(storageBindings([reads('gradGates', 'f32'), writes('gradBias', 'f32')]) + sizesWgsl)}
  let width = 4u * hiddenUnits();
  var sum = gradBias[element];
  for (var window = 0u; window < pu(${LstmParam.windows}u); window++) { sum = sum + gradGates[window * width + element]; }
  gradBias[element] = sum;
}`;

export const lstmKindShaders: Readonly<Record<string, () => string>> = {
  lstmKindGather: () => gather,
  lstmKindScatter: () => scatter,
  lstmKindCellForward: () => cellForward,
  lstmKindCellBackward: () => cellBackward,
  lstmKindCarry: () => carry,
  lstmKindBiasGradient: () => biasGradient,
};
