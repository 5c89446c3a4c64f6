// One LSTM step and its backward, as Keras's LSTM computes it (gate order i, f, c, o):
// z = x·W + h·U + b;  i, f, o = sigmoid(z_i, z_f, z_o);  g = tanh(z_c);  c' = f·c + i·g;  h' = o·tanh(c').

/** Keras's layout: kernel W [inputSize, 4·hidden], recurrentKernel U [hidden, 4·hidden], bias [4·hidden]. */
export interface LstmWeights {
  readonly inputSize: number;
  readonly hidden: number;
  readonly kernel: Float32Array;
  readonly recurrentKernel: Float32Array;
  readonly bias: Float32Array;
}

/** One window's sequence: inputs x_t (T×C), activated gates (T×4H), cell and hidden states (T+1)×H. */
export interface StepSequence {
  readonly inputs: Float64Array;
  readonly gates: Float64Array;
  readonly cells: Float64Array;
  readonly hiddens: Float64Array;
}

const sigmoid = (value: number): number => 1 / (1 + Math.exp(-value));

/**
 * Step `step`: reads x_step from `inputs` (T×C), state `step` of `cells`/`hiddens` ((T+1)×H), writes
 * the activated gates [i, f, g, o] of the step into `gates` (T×4H) and state step + 1.
 */
export function lstmStep(weights: LstmWeights, sequence: StepSequence, step: number): void {
  const { inputs, gates, cells, hiddens } = sequence;
  const { inputSize, hidden, kernel, recurrentKernel, bias } = weights;
  const width = 4 * hidden;
  const base = step * width;
  for (let column = 0; column < width; column++) gates[base + column] = bias[column]!;
  // Row by row, so the weights are read contiguously (W and U are row-major [rows, 4H]).
  for (let channel = 0; channel < inputSize; channel++) {
    const value = inputs[step * inputSize + channel]!;
    const row = channel * width;
    for (let column = 0; column < width; column++) gates[base + column]! += value * kernel[row + column]!;
  }
  for (let unit = 0; step > 0 && unit < hidden; unit++) {
    const value = hiddens[step * hidden + unit]!;
    const row = unit * width;
    for (let column = 0; column < width; column++) gates[base + column]! += value * recurrentKernel[row + column]!;
  }
  for (let unit = 0; unit < hidden; unit++) {
    const inputGate = sigmoid(gates[base + unit]!);
    const forgetGate = sigmoid(gates[base + hidden + unit]!);
    const candidate = Math.tanh(gates[base + 2 * hidden + unit]!);
    const outputGate = sigmoid(gates[base + 3 * hidden + unit]!);
    gates[base + unit] = inputGate;
    gates[base + hidden + unit] = forgetGate;
    gates[base + 2 * hidden + unit] = candidate;
    gates[base + 3 * hidden + unit] = outputGate;
    const cell = forgetGate * cells[step * hidden + unit]! + inputGate * candidate;
    cells[(step + 1) * hidden + unit] = cell;
    hiddens[(step + 1) * hidden + unit] = outputGate * Math.tanh(cell);
  }
}

/** Gradients carried between steps: in, ∂L/∂h and ∂L/∂c of state step + 1; out, those of state step and ∂L/∂x_step. */
export interface StepGradients {
  readonly gradHidden: Float64Array;
  readonly gradCell: Float64Array;
  readonly gradInput: Float64Array;
  /** 4H scratch for ∂L/∂z. */
  readonly scratch: Float64Array;
}

/** Back-propagates through step `step`, adding into the weight gradients. */
export function lstmStepBackward(
  weights: LstmWeights,
  sequence: StepSequence,
  step: number,
  gradWeights: LstmWeights,
  state: StepGradients,
): void {
  const { inputs, gates, cells, hiddens } = sequence;
  const { hidden } = weights;
  const width = 4 * hidden;
  const base = step * width;
  const gradZ = state.scratch;
  for (let unit = 0; unit < hidden; unit++) {
    const inputGate = gates[base + unit]!;
    const forgetGate = gates[base + hidden + unit]!;
    const candidate = gates[base + 2 * hidden + unit]!;
    const outputGate = gates[base + 3 * hidden + unit]!;
    const squashed = Math.tanh(cells[(step + 1) * hidden + unit]!);
    const gradCell = state.gradCell[unit]! + state.gradHidden[unit]! * outputGate * (1 - squashed * squashed);
    gradZ[unit] = gradCell * candidate * inputGate * (1 - inputGate);
    gradZ[hidden + unit] = gradCell * cells[step * hidden + unit]! * forgetGate * (1 - forgetGate);
    gradZ[2 * hidden + unit] = gradCell * inputGate * (1 - candidate * candidate);
    gradZ[3 * hidden + unit] = state.gradHidden[unit]! * squashed * outputGate * (1 - outputGate);
    state.gradCell[unit] = gradCell * forgetGate;
  }
  propagateStep(weights, inputs, hiddens, step, gradWeights, state);
}

/** From ∂L/∂z: weight gradients, ∂L/∂x_step and ∂L/∂h of state step. */
function propagateStep(
  weights: LstmWeights,
  inputs: Float64Array,
  hiddens: Float64Array,
  step: number,
  gradWeights: LstmWeights,
  state: StepGradients,
): void {
  const { inputSize, hidden, kernel, recurrentKernel } = weights;
  const width = 4 * hidden;
  const gradZ = state.scratch;
  for (let column = 0; column < width; column++) gradWeights.bias[column]! += gradZ[column]!;
  const stepInputs = inputs.subarray(step * inputSize, (step + 1) * inputSize);
  backThroughRows(stepInputs, kernel, gradWeights.kernel, gradZ, state.gradInput);
  // State 0 is the constant zero: no gradient to U from it, and none to pass further back.
  if (step === 0) return;
  const previous = hiddens.subarray(step * hidden, (step + 1) * hidden);
  backThroughRows(previous, recurrentKernel, gradWeights.recurrentKernel, gradZ, state.gradHidden);
}

/**
 * Back through z = values·matrix (+ …), values [rows] and matrix [rows, width]: adds values[r]·∂L/∂z
 * into row r of gradMatrix and writes ∂L/∂values[r] = matrix[r]·∂L/∂z into `into`.
 */
function backThroughRows(
  values: Float64Array,
  matrix: Float32Array,
  gradMatrix: Float32Array,
  gradZ: Float64Array,
  into: Float64Array,
): void {
  const width = gradZ.length;
  for (let row = 0; row < values.length; row++) {
    const value = values[row]!;
    let total = 0;
    for (let column = 0; column < width; column++) {
      gradMatrix[row * width + column]! += value * gradZ[column]!;
      total += matrix[row * width + column]! * gradZ[column]!;
    }
    into[row] = total;
  }
}
