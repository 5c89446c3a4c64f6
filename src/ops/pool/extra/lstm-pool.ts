// lstmPool2d: LSTM pooling as seed article 000 describes it (each pooling region is run through an
// LSTM and the result is the region's output), with Keras's LSTM cell and a seeded initialiser.
import { recordGrad } from '../../../autograd/tape.js';
import { fail } from '../../../errors.js';
import { stridesOf } from '../../../geometry/layout.js';
import { poolGeometry, type PoolOptions } from '../../../geometry/pool-geometry.js';
import { extraKernel, type LstmPoolGeometry, type LstmWeights } from '../../../kernels/reference/extra/index.js';
import { Random } from '../../../tensor/random.js';
import { Tensor } from '../../../tensor/tensor.js';
import { checkOptions, checkTensor } from '../../checks.js';
import { checkParameterShape, zeroTensor } from './common.js';
import { disposeSequence, lstmSequenceBackward, lstmSequenceForward, type LstmTensors } from './lstm-sequence.js';

/** The LSTM's parameters in Keras's layout and gate order (i, f, c, o). */
export interface LstmPoolWeights {
  /** W: [channels, 4·hidden]. */
  kernel: Tensor;
  /** U: [hidden, 4·hidden]. */
  recurrentKernel: Tensor;
  /** b: [4·hidden]. */
  bias: Tensor;
}

/**
 * Keras's LSTM initialisers from a seed: W glorot-uniform, U orthogonal (rows orthonormal, by
 * Gram-Schmidt of a normal matrix), b zero with the forget gate's quarter 1 (unit_forget_bias).
 */
export function initLstmPoolWeights(channels: number, hidden: number, seed: number): LstmPoolWeights {
  const op = 'initLstmPoolWeights';
  if (!Number.isInteger(channels) || channels < 1) fail(op, 'channels', 'must be a positive integer', channels);
  if (!Number.isInteger(hidden) || hidden < 1) fail(op, 'hidden', 'must be a positive integer', hidden);
  const random = new Random(seed);
  const width = 4 * hidden;
  const limit = Math.sqrt(6 / (channels + width));
  const kernel = Tensor.allocate([channels, width]);
  for (let index = 0; index < kernel.size; index++) kernel.values[index] = (2 * random.uniform() - 1) * limit;
  const recurrentKernel = Tensor.allocate([hidden, width]);
  recurrentKernel.values.set(orthonormalRows(hidden, width, random));
  const bias = Tensor.allocate([width]);
  bias.values.fill(0);
  bias.values.fill(1, hidden, 2 * hidden);
  return { kernel, recurrentKernel, bias };
}

/** `rows` orthonormal rows of length `columns` (rows ≤ columns), Gram-Schmidt on normal draws. */
function orthonormalRows(rows: number, columns: number, random: Random): Float64Array {
  const matrix = Float64Array.from({ length: rows * columns }, () => random.normal());
  for (let row = 0; row < rows; row++) {
    const current = matrix.subarray(row * columns, (row + 1) * columns);
    for (let previous = 0; previous < row; previous++) {
      const basis = matrix.subarray(previous * columns, (previous + 1) * columns);
      let dot = 0;
      for (let column = 0; column < columns; column++) dot += current[column]! * basis[column]!;
      for (let column = 0; column < columns; column++) current[column]! -= dot * basis[column]!;
    }
    const norm = Math.hypot(...current);
    for (let column = 0; column < columns; column++) current[column]! /= norm;
  }
  return matrix;
}

/** Checks the arguments of an LSTM pooling; returns the geometry and the checked weights. */
function checkLstmPool(
  op: string,
  input: Tensor,
  weights: LstmPoolWeights,
  options: PoolOptions,
): { geometry: LstmPoolGeometry; tensors: LstmTensors } {
  checkTensor(op, 'input', input);
  const checked = checkOptions(op, options, true);
  const pool = poolGeometry(op, input.shape, 2, checked);
  if (weights === null || typeof weights !== 'object')
    fail(op, 'weights', 'must be { kernel, recurrentKernel, bias }', weights);
  const bias = checkTensor(op, 'weights.bias', weights.bias);
  if (bias.rank !== 1 || bias.size % 4 !== 0 || bias.size === 0)
    fail(op, 'weights.bias', 'must have shape [4·hidden]', `shape [${bias.shape.join(', ')}]`);
  const hidden = bias.size / 4;
  checkParameterShape(op, 'weights.kernel', weights.kernel, [[pool.channels, 4 * hidden]]);
  checkParameterShape(op, 'weights.recurrentKernel', weights.recurrentKernel, [[hidden, 4 * hidden]]);
  const outSpatial = pool.outputShape.slice(pool.channelsLast ? 1 : 2, pool.channelsLast ? 3 : 4);
  const outputShape = pool.channelsLast ? [pool.batch, ...outSpatial, hidden] : [pool.batch, hidden, ...outSpatial];
  return {
    geometry: { pool, hidden, outputShape },
    tensors: { kernel: weights.kernel, recurrentKernel: weights.recurrentKernel, bias },
  };
}

/** Copies between the output layout and window-major rows [windows, hidden] (a transpose when channelsFirst). */
function copyRows(rows: Float32Array, output: Float32Array, geometry: LstmPoolGeometry, toOutput: boolean): void {
  const { pool, hidden } = geometry;
  const outCells = pool.outDepth * pool.outHeight * pool.outWidth;
  const strides = stridesOf(pool.channelsLast, hidden, outCells);
  for (let windowIndex = 0; windowIndex < pool.batch * outCells; windowIndex++) {
    const base = Math.floor(windowIndex / outCells) * strides.batch + (windowIndex % outCells) * strides.spatial;
    for (let unit = 0; unit < hidden; unit++) {
      if (toOutput) output[base + unit * strides.channel] = rows[windowIndex * hidden + unit]!;
      else rows[windowIndex * hidden + unit] = output[base + unit * strides.channel]!;
    }
  }
}

/**
 * LSTM pooling over [batch, height, width, channels] (or NCHW with channelsFirst): the in-bounds
 * cells of each window, in row-major order, are a sequence x_1 … x_T of channel vectors; with
 * h_0 = c_0 = 0, z = x_t·W + h_{t−1}·U + b, i, f, o = σ(z_i, z_f, z_o), g = tanh(z_c),
 * c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t) (Keras's LSTM), and the window's output is h_T. The
 * output has `hidden` channels. Gradients reach the input and W, U, b (back-propagation through time).
 * @example lstmPool2d(x, initLstmPoolWeights(channels, 8, 1), { kernelSize: 2 })
 */
export function lstmPool2d(input: Tensor, weights: LstmPoolWeights, options: PoolOptions): Tensor {
  const op = 'lstmPool2d';
  const { geometry, tensors } = checkLstmPool(op, input, weights, options);
  const sequence = lstmSequenceForward(input, tensors, geometry);
  const output = Tensor.allocate(geometry.outputShape);
  const last = sequence.hiddens.values.subarray(sequence.taps * sequence.windows * geometry.hidden);
  copyRows(last, output.values, geometry, true);
  recordGrad(
    op,
    output,
    [input, tensors.kernel, tensors.recurrentKernel, tensors.bias],
    (gradOutput) => {
      const gradients = {
        input: zeroTensor(input.shape),
        kernel: zeroTensor(tensors.kernel.shape),
        recurrentKernel: zeroTensor(tensors.recurrentKernel.shape),
        bias: zeroTensor(tensors.bias.shape),
      };
      const gradHidden = Tensor.allocate([sequence.windows, geometry.hidden]);
      copyRows(gradHidden.values, gradOutput.values, geometry, false);
      lstmSequenceBackward(input, tensors, geometry, sequence, gradHidden, gradients);
      gradHidden.dispose();
      return [gradients.input, gradients.kernel, gradients.recurrentKernel, gradients.bias];
    },
    [sequence.inputs, sequence.gates, sequence.cells, sequence.hiddens],
  );
  if (!output.requiresGrad) disposeSequence(sequence);
  return output;
}

/**
 * lstmPool2d computed window by window by the reference kernels (lstm-pool.ts): the specification
 * the step-by-step path of lstmPool2d is tested against. Same arguments and numbers, much slower.
 */
export function lstmPool2dReference(input: Tensor, weights: LstmPoolWeights, options: PoolOptions): Tensor {
  const op = 'lstmPool2d';
  const { geometry, tensors } = checkLstmPool(op, input, weights, options);
  const view = (kernel: Tensor, recurrentKernel: Tensor, bias: Tensor): LstmWeights => ({
    inputSize: geometry.pool.channels,
    hidden: geometry.hidden,
    kernel: kernel.values,
    recurrentKernel: recurrentKernel.values,
    bias: bias.values,
  });
  const output = Tensor.allocate(geometry.outputShape);
  extraKernel('lstmPoolForward')(
    input.values,
    view(tensors.kernel, tensors.recurrentKernel, tensors.bias),
    output.values,
    geometry,
  );
  recordGrad(op, output, [input, tensors.kernel, tensors.recurrentKernel, tensors.bias], (gradOutput) => {
    const gradients = [
      zeroTensor(input.shape),
      zeroTensor(tensors.kernel.shape),
      zeroTensor(tensors.recurrentKernel.shape),
      zeroTensor(tensors.bias.shape),
    ] as const;
    const [gradInput, gradKernel, gradRecurrent, gradBias] = gradients;
    extraKernel('lstmPoolBackward')(
      input.values,
      view(tensors.kernel, tensors.recurrentKernel, tensors.bias),
      gradOutput.values,
      gradInput.values,
      view(gradKernel, gradRecurrent, gradBias),
      geometry,
    );
    return gradients;
  });
  return output;
}
