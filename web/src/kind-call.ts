// Calls an explorer kind's op on a one-channel image, the same way for every kind: the form's values
// as the op's options, learnable weights as the kind's own layer initialises them, the indices
// where the op can return them, image rows as sequences for sequence kinds, and for inverse kinds
// a max pool with indices first. No kind is named here beyond the max pool an inverse undoes.
import {
  configNameOf,
  findPoolingKind,
  opKeys,
  Pooling,
  Random,
  reshape,
  Tensor,
  type PoolingConfig,
  type PoolingKind,
  type PoolResult,
  type Shape,
} from '../../src/index.js';
import type { ExplorerKind, OptionValues } from './pool-kinds.js';

/** What an inverse kind ('inverse' windows) puts back: the argmax indices of this kind's op. */
const inverseSource = 'max';

/** Seed of the initial weights when the form has no seed field (a learnable kind's layer draws them). */
const weightSeed = 1;

export interface KindRun {
  readonly output: Tensor;
  /** int32 flat input indices of each output's chosen cell, when the op returns them. */
  readonly indices: Tensor | null;
}

/** The values the kind's op takes (layer-only settings left out), with its indices asked for. */
export function opOptionsOf(kind: PoolingKind, values: OptionValues): Record<string, unknown> {
  const keys = new Set(opKeys(kind.options));
  const options: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) if (keys.has(name) && value !== undefined) options[name] = value;
  if (keys.has('returnIndices')) options.returnIndices = true;
  return options;
}

/** The values as the kind's layer config: config names, layer-only settings in, the op's own out. */
function layerConfigOf(kind: PoolingKind, values: OptionValues): PoolingConfig {
  const config: Record<string, unknown> = {};
  for (const spec of kind.options) {
    const key = configNameOf(spec);
    if (key !== null && values[spec.name] !== undefined) config[key] = values[spec.name];
  }
  return config as PoolingConfig;
}

/**
 * The op's tensor arguments: the weights the kind's layer makes for this input and these values
 * (mixed's alpha, gated's gate weights, LSTM's kernels), copied so they live in the caller's tidy.
 */
function initialWeights(explorer: ExplorerKind, inputShape: Shape, values: OptionValues): Tensor[] {
  if (explorer.kind.layer?.weights === undefined) return [];
  const layer = new Pooling(explorer.kind, explorer.rank, layerConfigOf(explorer.kind, values));
  try {
    const seed = Number.isInteger(values.seed) ? (values.seed as number) : weightSeed;
    layer.build([null, ...inputShape.slice(1)], new Random(seed));
    return layer.parameters.map((parameter) => parameter.tensor.clone());
  } finally {
    layer.dispose();
  }
}

function split(result: PoolResult): KindRun {
  return result instanceof Tensor
    ? { output: result, indices: null }
    : { output: result.output, indices: result.indices };
}

/** Sequence kinds: the image [1, rows, columns, 1] as `rows` sequences of `columns` steps, each with the form's length. */
function sequenceCall(explorer: ExplorerKind, image: Tensor, values: OptionValues): KindRun {
  const [, rows = 1, columns = 1] = image.shape;
  const sequences = reshape(image, [rows, columns, 1]);
  const options = { ...opOptionsOf(explorer.kind, values), lengths: Array<unknown>(rows).fill(values.lengths) };
  const weights = initialWeights(explorer, sequences.shape, values);
  return split(explorer.kind.apply(sequences, weights, options, explorer.rank));
}

/** Inverse kinds: max-pools the image with indices, then the kind puts the values back, at the image's size. */
function inverseCall(explorer: ExplorerKind, image: Tensor, values: OptionValues): KindRun {
  const source = findPoolingKind(inverseSource)!;
  const pooled = split(source.apply(image, [], opOptionsOf(source, values), explorer.rank));
  const options = opOptionsOf(explorer.kind, values);
  if (opKeys(explorer.kind.options).includes('outputSize')) options.outputSize ??= image.shape.slice(1, -1);
  return split(explorer.kind.apply(pooled.output, [pooled.indices!], options, explorer.rank));
}

/** Runs the kind on the image [1, rows, columns, 1]; bad values throw the library's PoolkitArgumentError. */
export function runKind(explorer: ExplorerKind, image: Tensor, values: OptionValues): KindRun {
  if (explorer.window === 'sequence') return sequenceCall(explorer, image, values);
  if (explorer.window === 'inverse') return inverseCall(explorer, image, values);
  const weights = initialWeights(explorer, image.shape, values);
  return split(explorer.kind.apply(image, weights, opOptionsOf(explorer.kind, values), explorer.rank));
}

export interface OutputGrid {
  readonly rows: number;
  readonly columns: number;
  /** Values per spatial cell, side by side along a row (1 without spatial axes). */
  readonly channels: number;
}

/**
 * How the output's numbers lie as a grid: its spatial axes (rows × columns, a cell's channels side
 * by side), or batch × features when it has none (a row vector for the image's one example).
 */
export function outputGrid(output: Tensor): OutputGrid {
  const shape = output.shape;
  if (shape.length <= 2) return { rows: shape[0] ?? 1, columns: shape[1] ?? 1, channels: 1 };
  const channels = shape[shape.length - 1]!;
  const columns = shape[shape.length - 2]! * channels;
  return { rows: output.size / Math.max(columns, 1), columns, channels };
}
