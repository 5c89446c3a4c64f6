// lstmPool2d: LSTM pooling as seed article 000 describes it (each pooling region is run through an
// LSTM and the result is the region's output), with Keras's LSTM cell and a seeded initialiser.
import { fail } from '../../errors.js';
import { checkExtent, checkOutputShape, stridesOf } from '../../geometry/layout.js';
import { poolGeometry, type PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import {
  lstmCellBackward,
  lstmCellForward,
  lstmGatherStep,
  lstmScatterStep,
  lstmWindowTable,
} from '../../kernels/reference/extra/lstm-batched.js';
import { windowCapacity } from '../../kernels/reference/window-walk.js';
import { lstmPoolBackward, lstmPoolForward, type LstmPoolGeometry } from '../../kernels/reference/extra/lstm-pool.js';
import type { LstmWeights } from '../../kernels/reference/extra/lstm-step.js';
import { checkTensor } from '../../ops/checks.js';
import { Random } from '../../tensor/random.js';
import { Tensor, type Shape } from '../../tensor/tensor.js';
import { checkParameterShape, layerChannels } from '../arguments.js';
import { asPoolOptions, windowOptions } from '../common-options.js';
import { runPoolSteps } from '../compute.js';
import { type LayerContext, type LayerWeights, type OpCall, type OpOptions } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import {
  lstmSequenceBackward,
  lstmSequenceForward,
  sequenceTensors,
  type LstmSequence,
  type LstmTensors,
} from './lstm-sequence.js';
import { exportLstmPool } from './lstm-onnx.js';

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
  checkExtent(op, 'channels', channels, 1);
  checkExtent(op, 'hidden', hidden, 1);
  checkOutputShape(op, 'channels', [channels, 4 * hidden], channels, 'a weight');
  checkOutputShape(op, 'hidden', [hidden, 4 * hidden], hidden, 'a weight');
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

/** Copies between the output layout and window-major rows [windows, hidden] (a transpose when channelsFirst). */
function copyRows(rows: Float32Array, output: Float32Array, geometry: LstmPoolGeometry, toOutput: boolean): void {
  const { pool, hidden } = geometry;
  const outCells = pool.outDepth * pool.outHeight * pool.outWidth;
  if (pool.channelsLast) {
    // the output layout is window-major already
    if (toOutput) output.set(rows.subarray(0, output.length));
    else rows.set(output.subarray(0, rows.length));
    return;
  }
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
/** The weights object of lstmPool2d as the op's tensor list [kernel, recurrentKernel, bias]. */
function weightList(op: string, weights: unknown): Tensor[] {
  if (weights === null || typeof weights !== 'object')
    fail(op, 'weights', 'must be { kernel, recurrentKernel, bias }', weights);
  const { kernel, recurrentKernel, bias } = weights as Partial<LstmPoolWeights>;
  return [kernel!, recurrentKernel!, bias!];
}

/** Checks the weights against the pooling; returns the geometry and the checked weights. */
function checkLstmPool(op: string, inputShape: Shape, tensors: readonly Tensor[], options: OpOptions) {
  const pool = poolGeometry(op, inputShape, 2, asPoolOptions(options));
  const [kernelWeights, recurrentKernel, biasWeights] = tensors;
  const bias = checkTensor(op, 'weights.bias', biasWeights);
  if (bias.rank !== 1 || bias.size % 4 !== 0 || bias.size === 0)
    fail(op, 'weights.bias', 'must have shape [4·hidden]', `shape [${bias.shape.join(', ')}]`);
  const hidden = bias.size / 4;
  checkParameterShape(op, 'weights.kernel', kernelWeights, [[pool.channels, 4 * hidden]]);
  checkParameterShape(op, 'weights.recurrentKernel', recurrentKernel, [[hidden, 4 * hidden]]);
  // The batched forward saves every step of every window: [steps + 1, windows, 4·hidden or channels].
  const windows = pool.batch * pool.outDepth * pool.outHeight * pool.outWidth;
  const saved = [windowCapacity(pool) + 1, windows, Math.max(pool.channels, 4 * hidden)];
  checkOutputShape(op, 'kernelSize', saved, options.kernelSize, 'LSTM steps to save');
  const geometry: LstmPoolGeometry = { pool, hidden, outputShape: lstmOutputShape(pool, hidden) };
  const weights: LstmTensors = { kernel: kernelWeights!, recurrentKernel: recurrentKernel!, bias };
  return { geometry, weights };
}

function lstmOutputShape(pool: LstmPoolGeometry['pool'], hidden: number): Shape {
  const outSpatial = pool.outputShape.slice(pool.channelsLast ? 1 : 2, pool.channelsLast ? 3 : 4);
  return pool.channelsLast ? [pool.batch, ...outSpatial, hidden] : [pool.batch, hidden, ...outSpatial];
}

function computeLstmPool({ op, input, tensors, options }: OpCall): Tensor {
  const { geometry, weights } = checkLstmPool(op, input.shape, tensors, options);
  let sequence: LstmSequence | null = null;
  return runPoolSteps(op, [input, weights.kernel, weights.recurrentKernel, weights.bias], geometry.outputShape, {
    zeroGradients: true,
    forward: ({ output }) => {
      const run = lstmSequenceForward(input, weights, geometry);
      sequence = run;
      copyRows(run.hiddens.values.subarray(run.taps * run.windows * geometry.hidden), output.values, geometry, true);
      return sequenceTensors(run);
    },
    backward: ({ gradOutput, gradInputs: [gradInput, gradKernel, gradRecurrent, gradBias] }) => {
      const run = sequence!;
      const gradHidden = Tensor.allocate([run.windows, geometry.hidden]);
      copyRows(gradHidden.values, gradOutput.values, geometry, false);
      const gradients = { input: gradInput!, kernel: gradKernel!, recurrentKernel: gradRecurrent!, bias: gradBias! };
      lstmSequenceBackward(input, weights, geometry, run, gradHidden, gradients);
      gradHidden.dispose();
    },
  }).output;
}

/** The layer's weights 'kernel', 'recurrent_kernel', 'bias' as Keras's LSTM names and initialises them. */
const lstmWeights: LayerWeights = {
  shapes: (context) => {
    const [channels, units] = [layerChannels(context), unitsOf(context)];
    checkOutputShape(context.owner, 'units', [channels, 4 * units], units, 'a weight');
    return [
      { name: 'kernel', shape: [channels, 4 * units] },
      { name: 'recurrent_kernel', shape: [units, 4 * units] },
      { name: 'bias', shape: [4 * units] },
    ];
  },
  initialize: (context, random) => {
    const weights = initLstmPoolWeights(layerChannels(context), unitsOf(context), random.integer(0x7fffffff));
    return [weights.kernel, weights.recurrentKernel, weights.bias];
  },
};

function unitsOf(context: LayerContext): number {
  const units = checkExtent(context.owner, 'units', context.options.units ?? 8, 1);
  checkOutputShape(context.owner, 'units', [units, 4 * units], units, 'a weight');
  return units;
}

export const lstmKind = slidingWindowKind({
  names: ['lstm'],
  ranks: [2],
  op: 'lstmPool{rank}d',
  tensorArguments: ['weights.kernel', 'weights.recurrentKernel', 'weights.bias', 'weights'],
  tolerance: { relative: 1e-5, absolute: 1e-6 },
  options: [
    ...windowOptions,
    {
      name: 'units',
      layerOnly: true,
      default: 8,
      inConfig: 'always',
      doc: 'Hidden size of the LSTM, which is the output channel count.',
      field: { type: 'number', min: 1, step: 1, demo: 1 },
    },
  ],
  docs: {
    label: 'LSTM pooling',
    summary: "Each window's cells, row by row, run through an LSTM; its last hidden state is the output.",
    formula: 'y = h_T of an LSTM (Keras cell, gates i, f, c, o) over the window cells x_1 … x_T',
    gradient: 'Back-propagation through time to the cells and to W, U and b.',
    source: 'Seed article 000 (LSTM pooling); Keras’s LSTM cell and initialisers',
  },
  kernels: {
    lstmPoolForward,
    lstmPoolBackward,
    lstmWindowTable,
    lstmGatherStep,
    lstmScatterStep,
    lstmCellForward,
    lstmCellBackward,
  },
  outputShape: (op, shape, options) => {
    const pool = poolGeometry(op, shape, 2, asPoolOptions(options));
    return lstmOutputShape(pool, pool.channels);
  },
  compute: computeLstmPool,
  layer: {
    className: 'LSTMPooling{rank}D',
    factory: 'lstmPooling{rank}d',
    seedConfig: { poolSize: 2, units: 32 },
    weights: lstmWeights,
    outputShape: (context) => {
      const concrete = context.inputShape.map((extent) => extent ?? 1);
      const pool = poolGeometry(context.owner, concrete, 2, asPoolOptions(context.options));
      return [context.inputShape[0]!, ...lstmOutputShape(pool, unitsOf(context)).slice(1)];
    },
  },
  onnx: { export: exportLstmPool },
});

/**
 * LSTM pooling over [batch, height, width, channels] (or NCHW with channelsFirst): the in-bounds
 * cells of each window, in row-major order, are a sequence x_1 … x_T of channel vectors; with
 * h_0 = c_0 = 0, z = x_t·W + h_{t−1}·U + b, i, f, o = σ(z_i, z_f, z_o), g = tanh(z_c),
 * c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t) (Keras's LSTM), and the window's output is h_T. The
 * output has `hidden` channels. Gradients reach the input and W, U, b (back-propagation through time).
 * All windows run at once (lstm-sequence.ts).
 * @example lstmPool2d(x, initLstmPoolWeights(channels, 8, 1), { kernelSize: 2 })
 */
export function lstmPool2d(input: Tensor, weights: LstmPoolWeights, options: PoolOptions): Tensor {
  return lstmKind.apply(input, weightList('lstmPool2d', weights), options, 2);
}

/** lstmPool2d through the per-window reference kernels (lstm-pool.ts): the specification of the batched path. */
export function lstmPool2dReference(input: Tensor, weights: LstmPoolWeights, options: PoolOptions): Tensor {
  const op = 'lstmPool2d';
  checkTensor(op, 'input', input);
  const { geometry, weights: checked } = checkLstmPool(op, input.shape, weightList(op, weights), { ...options });
  const view = (kernelWeights: Tensor, recurrent: Tensor, bias: Tensor): LstmWeights => ({
    inputSize: geometry.pool.channels,
    hidden: geometry.hidden,
    kernel: kernelWeights.values,
    recurrentKernel: recurrent.values,
    bias: bias.values,
  });
  return runPoolSteps(op, [input, checked.kernel, checked.recurrentKernel, checked.bias], geometry.outputShape, {
    zeroGradients: true,
    forward: ({ inputs: [x, w, u, b], output }) =>
      kernel('lstmPoolForward')(x!.values, view(w!, u!, b!), output.values, geometry),
    backward: ({ inputs: [x, w, u, b], gradOutput, gradInputs: [gx, gw, gu, gb] }) =>
      kernel('lstmPoolBackward')(
        x!.values,
        view(w!, u!, b!),
        gradOutput.values,
        gx!.values,
        view(gw!, gu!, gb!),
        geometry,
      ),
  }).output;
}
