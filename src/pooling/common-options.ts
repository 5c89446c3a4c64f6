// Option specs that several kinds share: the sliding window (kernel, stride, padding, dilation,
// ceil mode), the data format, indices, and the draws of random kinds.
import { checkDataFormat, perDimension, type SpatialDims } from '../geometry/layout.js';
import { poolGeometry, type PoolGeometry, type PoolOptions } from '../geometry/pool-geometry.js';
import type { OpCall } from './kind.js';
import type { Shape } from '../tensor/tensor.js';
import type { ConfigValue } from '../nn/layer.js';
import type { OptionSpec } from './options.js';

const perAxis =
  (configName: string, fallback: (config: Readonly<Record<string, unknown>>) => unknown) =>
  (owner: string, value: unknown, rank: number, config: Readonly<Record<string, unknown>>): ConfigValue =>
    perDimension(owner, configName, value ?? fallback(config), rank as 1 | 2 | 3, 1);

export const dataFormatOption: OptionSpec = {
  name: 'dataFormat',
  default: 'channelsLast',
  inConfig: 'always',
  normalize: (owner, value) => checkDataFormat(owner, value),
  doc: "'channelsLast' (NHWC, TensorFlow's and Keras's default) or 'channelsFirst' (NCHW, PyTorch's).",
};

/** The sliding window of max, average, Lp and the kinds that pool the same windows. */
export const windowOptions: readonly OptionSpec[] = [
  {
    name: 'kernelSize',
    configName: 'poolSize',
    required: 'op',
    layerDefault: 2,
    inConfig: 'always',
    normalize: perAxis('poolSize', () => 2),
    doc: 'Window size: one number for every spatial axis, or one per axis (layers: poolSize, default 2).',
    field: { type: 'pair', min: 1, demo: [2, 2] },
  },
  {
    name: 'stride',
    configName: 'strides',
    inConfig: 'always',
    normalize: perAxis('strides', (config) => config.poolSize ?? 2),
    doc: 'Step between windows; defaults to the window size (layers: strides).',
    field: { type: 'pair', min: 1, demo: [2, 2] },
  },
  {
    name: 'padding',
    default: 'valid',
    inConfig: 'always',
    doc: "'valid' (none), 'same' (TensorFlow's rule), or explicit amounts per side (PyTorch's rule).",
    field: { type: 'padding', demo: 'valid' },
  },
  {
    name: 'dilation',
    default: 1,
    doc: 'Gap between window taps; 1 is a dense window.',
    field: { type: 'pair', min: 1, demo: [1, 1] },
  },
  {
    name: 'ceilMode',
    default: false,
    doc: "PyTorch's ceil mode: round the output size up, dropping a last window that starts in the padding.",
    field: { type: 'checkbox', demo: false },
  },
  dataFormatOption,
];

export const returnIndicesOption: OptionSpec = {
  name: 'returnIndices',
  configName: null,
  default: false,
  doc: "Also return each window's argmax as int32 flat spatial indices (PyTorch's return_indices).",
};

/** A random kind's draws: the op's own options; a layer passes its call's training flag and Random. */
export const randomOptions: readonly OptionSpec[] = [
  {
    name: 'training',
    configName: null,
    default: false,
    doc: 'true: draw (the training forward pass); false: the deterministic inference output.',
    field: { type: 'checkbox', demo: true },
  },
  {
    name: 'seed',
    configName: null,
    doc: 'Seed of a fresh Random for this call, when drawing; give `random` instead to continue one sequence.',
    field: { type: 'number', min: 0, step: 1, demo: 1 },
  },
  { name: 'random', configName: null, doc: 'The Random to draw from (advanced by the call).' },
];

/** Options as a window geometry reads them: poolGeometry checks every field itself. */
export function asPoolOptions(options: Readonly<Record<string, unknown>>): PoolOptions {
  return options as unknown as PoolOptions;
}

/** The window geometry of a sliding-window kind's op call. */
export function windowGeometry(call: OpCall): PoolGeometry {
  return poolGeometry(call.op, call.input.shape, call.rank, asPoolOptions(call.options));
}

/** The output shape of a sliding-window kind: poolGeometry's, which checks the window options. */
export function windowOutputShape(
  op: string,
  shape: Shape,
  options: Readonly<Record<string, unknown>>,
  rank: SpatialDims,
): Shape {
  return poolGeometry(op, shape, rank, asPoolOptions(options)).outputShape;
}

/** Adaptive pooling's options: the output size, and the data format. */
export const adaptiveOptions: readonly OptionSpec[] = [
  {
    name: 'outputSize',
    required: 'always',
    inConfig: 'always',
    doc: 'Output spatial size: one number for every axis, or one per axis where null keeps the input size.',
    field: { type: 'pair', min: 1, demo: [3, 3] },
  },
  dataFormatOption,
];

/** Global pooling's options: the data format, and whether the spatial axes stay as size 1. */
export const globalOptions: readonly OptionSpec[] = [
  dataFormatOption,
  {
    name: 'keepDims',
    default: false,
    inConfig: 'always',
    doc: "Keep the spatial axes as size 1 (Keras's keepdims) instead of returning [batch, channels].",
  },
];

/** Global max and average pooling's options: the common ones, and a mask over steps for 1D input. */
export const maskableGlobalOptions: readonly OptionSpec[] = [
  ...globalOptions,
  {
    name: 'mask',
    configName: null,
    doc: "1D input only: [batch, steps] of 1 (a real step) and 0 (padding); padded steps never count (Keras's masks; a layer takes the mask an Embedding or Masking layer made).",
  },
];
