// Calls an explorer kind's op on a one-channel image, the same way for every kind: the form's values
// as the op's options, learnable weights as the kind's own layer initialises them, the indices
// where the op can return them, and the kind's own example call where its op needs more than the
// image (max unpooling's indices, RoI boxes, masked pooling's sequences). No kind is named here.
import {
  configNameOf,
  opKeys,
  Pooling,
  Random,
  Tensor,
  type PoolingConfig,
  type PoolingKind,
  type PoolResult,
  type Shape,
} from '../../src/index.js';
import type { ExplorerKind, OptionValues } from './pool-kinds.js';

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

/** Runs the kind on the image [1, rows, columns, 1]; bad values throw the library's PoolkitArgumentError. */
export function runKind(explorer: ExplorerKind, image: Tensor, values: OptionValues): KindRun {
  const { kind } = explorer;
  const options = opOptionsOf(kind, values);
  const call = kind.example?.(image, options) ?? { input: image, tensors: [], options, rank: explorer.rank };
  const weights = initialWeights(explorer, call.input.shape, values);
  return split(kind.apply(call.input, [...weights, ...call.tensors], call.options, call.rank));
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
