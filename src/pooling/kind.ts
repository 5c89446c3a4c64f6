// What a pooling kind is: everything specific to one kind of pooling in one object (names, option
// schema, window type, randomness, documentation, reference kernels, the op, and what its layer
// adds), from which the registry derives ops, layers, serialisation, the CLI's choices, the web
// explorer and the docs. One file per kind in src/pooling/kinds/ holds one of these.
import { fail } from '../errors.js';
import type { SpatialDims } from '../geometry/layout.js';
import type { PoolGeometry } from '../geometry/pool-geometry.js';
import type { KindOnnx } from '../formats/onnx/kind-hook.js';
import type { ConfigValue, LayerShape, ParameterShape } from '../nn/layer.js';
import { checkKnownOptions, checkOptions, checkTensor } from '../ops/checks.js';
import type { Random } from '../tensor/random.js';
import type { Shape, Tensor } from '../tensor/tensor.js';
import { opKeys, type OptionSchema } from './options.js';
import { computeInLayout } from './channels-first.js';

/**
 * How a kind's windows are laid out (the explorer draws them; the docs group by it). 'sliding': poolGeometry's
 * windows; 'adaptive': adaptiveGeometry's bins; 'filter': a filter or transform of the whole plane (blurs, wavelets).
 */
export type WindowType = 'sliding' | 'adaptive' | 'filter' | 'global' | 'region' | 'sequence' | 'inverse';

export interface PoolWithIndices {
  output: Tensor;
  /** int32, shaped like output: the flat spatial index of each window's chosen cell in its plane. */
  indices: Tensor;
}

export type PoolResult = Tensor | PoolWithIndices;

/**
 * A call's forward where each output is one in-bounds cell of its window and the whole gradient goes
 * to that cell (KindDefinition.selectCells): it writes the output and each window's chosen cell as a
 * flat spatial index, the layout of max pooling's argmax.
 */
export interface CellSelection {
  /** The windows over the call's input. */
  readonly geometry: PoolGeometry;
  /** Writes `output` (float32, geometry.outputShape) and `chosen` (int32, the same shape) from the call's input. */
  forward(output: Tensor, chosen: Tensor): void;
}

/** The op of a kind that selects cells (max, min, median): the indices too when `returnIndices` is true. */
export interface SelectingOp<Options> {
  (input: Tensor, options: Options & { returnIndices: true }): PoolWithIndices;
  (input: Tensor, options: Options): Tensor;
}

/** A kind's options as its op reads them (op names, not yet checked beyond being known keys). */
export type OpOptions = Readonly<Record<string, unknown>>;

/** What a kind's op is given: its name for error messages, the input, further tensors, options. */
export interface OpCall {
  /** The op's public name ('maxPool2d'): every error message starts with it. */
  readonly op: string;
  readonly input: Tensor;
  /** Tensor arguments after the input (learnable weights, a max pool's indices), in the op's order. */
  readonly tensors: readonly Tensor[];
  readonly options: OpOptions;
  readonly rank: SpatialDims;
}

export interface KindDocs {
  /** 'Max pooling'. */
  readonly label: string;
  /** One sentence: what an output is. */
  readonly summary: string;
  /** The forward formula. */
  readonly formula: string;
  /** The backward rule in one sentence (ties, NaN, padding). */
  readonly gradient: string;
  /** The paper or framework it follows. */
  readonly source: string;
}

/** What a layer of a kind needs besides the op: shapes, weights, and how its config becomes a call. */
export interface LayerContext {
  /** The layer's class name, for error messages. */
  readonly owner: string;
  /** Input shape with the batch axis (null when unknown). */
  readonly inputShape: LayerShape;
  readonly rank: SpatialDims;
  /** The layer's config turned into op options (configToOptions), layer-only settings included. */
  readonly options: OpOptions;
  /** The second input's shape where the layer was called on [input, second] (LayerSpec.secondInput); else null. */
  readonly secondShape?: LayerShape | null;
}

/** A layer call: the training flag, the seeded Random of the fit, and a mask from an earlier layer. */
export interface LayerCall {
  readonly training: boolean;
  readonly random: Random;
  readonly mask?: Tensor | null;
  /** The second input where the layer was called on [input, second] (LayerSpec.secondInput). */
  readonly second?: Tensor | null;
}

/** The op's arguments in an example call: an input of the op's rank, tensors after it, options. */
export interface ExampleCall {
  readonly input: Tensor;
  readonly tensors: readonly Tensor[];
  readonly options: OpOptions;
  readonly rank: SpatialDims;
}

/** A layer's learnable weights: planned from shapes alone (a loader checks them before allocating), then made. */
export interface LayerWeights {
  /** Names and shapes in Keras's order (they are the saved weights' names within the layer). */
  shapes(context: LayerContext): ParameterShape[];
  /** The initial tensors, in the same order and shapes. */
  initialize(context: LayerContext, random: Random): Tensor[];
}

/** What a layer passes its kind's op; `temporary` tensors made for the call are disposed after it. */
export interface CallArguments {
  readonly tensors: readonly Tensor[];
  readonly options: OpOptions;
  readonly temporary?: Tensor | null;
}

export interface LayerSpec {
  /**
   * Class name, '{rank}' standing for the spatial rank: 'MaxPooling{rank}D' gives MaxPooling1D/2D/3D
   * (and 'MaxPooling', rank from the input); without '{rank}' it is the one class name.
   */
  readonly className: string;
  /**
   * Factory name in `layers`, likewise; by default the class name with a lower-case first letter and
   * 'd' for 'D' ('maxPooling{rank}d' gives layers.maxPooling2d and layers.maxPooling). Give it where
   * the class name starts with an acronym ('LSTMPooling{rank}D' → 'lstmPooling{rank}d').
   */
  readonly factory?: string;
  /** True where Keras (or tfjs-layers) has these class names; the others are poolkit's own. */
  readonly keras: boolean;
  /** The config that puts this kind in the seed CNN's pooling position; null: it cannot go there. */
  readonly seedConfig: Readonly<Record<string, ConfigValue>> | null;
  /** The learnable weights a layer makes; none when absent. */
  readonly weights?: LayerWeights;
  /** The op's tensors and options for one call, from the layer's options, weights and call. */
  callArguments?(context: LayerContext, input: Tensor, weights: readonly Tensor[], call: LayerCall): CallArguments;
  /**
   * The name of a second input the layer may also be called with, as [input, second] (a functional
   * model's list): RoI layers' 'rois'. Its hooks read it as context.secondShape and call.second.
   * Absent: the layer takes one input.
   */
  readonly secondInput?: string;
  /** Output shape where the op's (with batch 1) is not the layer's (LSTM's units). */
  outputShape?(context: LayerContext): LayerShape;
}

export interface KindDefinition<Kernels extends object = object, Result extends PoolResult = PoolResult> {
  /**
   * The canonical name first, used everywhere (CLI, web, docs, registry look-ups): 'max', 'average',
   * 'lp'; then other names accepted wherever a kind is named ('avg', 'l2').
   */
  readonly names: readonly [string, ...string[]];
  readonly window: WindowType;
  /** Spatial ranks the kind defines. */
  readonly ranks: readonly SpatialDims[];
  /** The op's public name, '{rank}' standing for the rank ('maxPool{rank}d'); without it one op takes every rank. */
  readonly op: string;
  /** The op's and the layer's options; a `required` one makes the options object required, a `random` one makes the kind random. */
  readonly options: OptionSchema;
  /**
   * The names of the op's tensor arguments after the input, as its errors name them (a layer's
   * weights, in order, where the kind has a layer, or what its layer makes of a second input, as
   * the RoI layers' rois): 'alpha', 'indices', 'boxes'. None when absent.
   */
  readonly tensorArguments?: readonly string[];
  /**
   * How far backends may differ on this kind, where a fast kernel rounds in another order (matrix
   * products, powers): |a − b| ≤ relative·|b| + absolute. Absent: every backend agrees bit for bit.
   */
  readonly tolerance?: { readonly relative: number; readonly absolute: number };
  /** True where the numbers do not depend on the layout (no draw by element index) and the output keeps it: channels-first.ts. */
  readonly layoutFree?: boolean;
  readonly docs: KindDocs;
  /** Reference kernels by kernel-table name: the specification that fast backends are tested against. */
  readonly kernels: Kernels;
  /** Output shape from the input shape and options alone (validates them as the op does). */
  outputShape(op: string, inputShape: Shape, options: OpOptions, rank: SpatialDims): Shape;
  /** The op's work, after the input and the option keys were checked. */
  compute(call: OpCall): Result;
  /**
   * Where this call's output is one cell of each window and its whole gradient goes to that cell (min,
   * median; random and stochastic in training, stochastic on relu's output: `afterRelu`), the forward
   * that also names the cells: a Conv2D before the layer then trains through conv2dSelectPool2d. Null,
   * with nothing drawn, where the call does not select so (decided from the options alone).
   */
  selectCells?(call: OpCall, afterRelu: boolean): CellSelection | null;
  /**
   * A call of the op on an image [batch, height, width, channels] where the op needs more than
   * that image, its options and its layer's weights (max unpooling takes a max pool's indices, RoI
   * pooling takes boxes, masked pooling takes sequences): what demonstrations (the web explorer)
   * and the fuzzer call. Kinds that need no more leave it out.
   */
  example?(image: Tensor, options: OpOptions): ExampleCall;
  readonly layer: LayerSpec | null;
  /** How the kind's layer exports to ONNX (or why it cannot), and which ONNX operators import to it. */
  readonly onnx?: KindOnnx;
}

export interface PoolingKind<
  Kernels extends object = object,
  Result extends PoolResult = PoolResult,
> extends KindDefinition<Kernels, Result> {
  /** Runs the op: checks the input, the option keys and the rank, then computes. */
  apply(input: Tensor, tensors: readonly Tensor[], options: unknown, rank: SpatialDims): Result;
  /** The definition's selectCells after apply's checks; null where the kind has none or the call does not select. */
  cellSelection(
    input: Tensor,
    tensors: readonly Tensor[],
    options: unknown,
    rank: SpatialDims,
    afterRelu: boolean,
  ): CellSelection | null;
  /** The op's public name at this rank. */
  opName(rank: SpatialDims): string;
  /** True when the op draws random numbers in training (it takes a seed or a Random then). */
  readonly random: boolean;
  /** The canonical name: names[0]. */
  readonly name: string;
  /** The other names: names after the first. */
  readonly aliases: readonly string[];
}

/**
 * A name with '{rank}' filled in: 'MaxPooling{rank}D' → 'MaxPooling2D'. Rank null gives the N-d name,
 * the placeholder and a 'D' or 'd' right after it dropped: 'MaxPooling', 'maxPooling'.
 */
export function withRank(pattern: string, rank: SpatialDims | null): string {
  return rank === null ? pattern.replace(/\{rank\}[dD]?/, '') : pattern.replace('{rank}', String(rank));
}

const KIND = Symbol('poolkit.poolingKind');

/** A kind as defined, with the entry points definePoolingKind adds; its literal names stay in its type. */
export type DefinedKind<Definition extends KindDefinition> = Definition &
  PoolingKind<Definition['kernels'], ReturnType<Definition['compute']>>;

/** A kind's op function type at each of its ranks, in rank order: what rankedOps returns. */
export type RankedOps<Ranks extends readonly SpatialDims[], Op> = { readonly [Index in keyof Ranks]: Op };

/**
 * The kind's ops, one per rank in its rank order, typed as the kind file declares its op:
 * `export const [avgPool1d, avgPool2d, avgPool3d] = rankedOps(averageKind).as<AvgPoolOp>()`.
 * Each takes (input, ...tensors, options) and runs the kind at its rank.
 */
export function rankedOps<const Ranks extends readonly SpatialDims[]>(kind: {
  readonly ranks: Ranks;
  apply: PoolingKind['apply'];
}): { as<Op>(): RankedOps<Ranks, Op> } {
  const ops = kind.ranks.map((rank) => (input: Tensor, ...rest: unknown[]) => {
    const options = rest.pop();
    return kind.apply(input, rest as Tensor[], options, rank);
  });
  return { as: <Op>() => ops as unknown as RankedOps<Ranks, Op> };
}

/** Makes a kind from its definition: checks its names and adds the op entry point. */
export function definePoolingKind<const Definition extends KindDefinition>(
  definition: Definition,
): DefinedKind<Definition> {
  const [name, ...aliases] = definition.names;
  if (!/^[a-z][a-zA-Z0-9]*$/.test(name)) throw new Error(`pooling kind name '${name}' must be camelCase`);
  type Result = ReturnType<Definition['compute']>;
  const opName = (rank: SpatialDims): string => withRank(definition.op, rank);
  const requiresOptions = definition.options.some((spec) => spec.required !== undefined);
  const random = definition.options.some((spec) => spec.name === 'random');
  const checkedCall = (input: Tensor, tensors: readonly Tensor[], options: unknown, rank: SpatialDims): OpCall => {
    const op = opName(rank);
    checkTensor(op, 'input', input);
    const checked = checkOptions<object>(op, options as object | undefined, requiresOptions);
    checkKnownOptions(op, checked, opKeys(definition.options));
    return { op, input, tensors, options: checked as OpOptions, rank };
  };
  const apply = (input: Tensor, tensors: readonly Tensor[], options: unknown, rank: SpatialDims): Result =>
    computeInLayout(definition, checkedCall(input, tensors, options, rank)) as Result;
  const cellSelection: PoolingKind['cellSelection'] = (input, tensors, options, rank, afterRelu) => {
    const call = checkedCall(input, tensors, options, rank);
    return definition.selectCells?.(call, afterRelu) ?? null;
  };
  const kind = { ...definition, name, aliases, apply, cellSelection, opName, random, [KIND]: true };
  return Object.freeze(kind) as unknown as DefinedKind<Definition>;
}

export function isPoolingKind(value: unknown): value is PoolingKind {
  return typeof value === 'object' && value !== null && KIND in value;
}

/** The output of an op that may have returned indices too. */
export function outputOf(result: PoolResult): Tensor {
  return 'indices' in result && !('shape' in result) ? result.output : (result as Tensor);
}

/** Reads a boolean option, `fallback` when absent. */
export function booleanOption(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(op, name, 'must be a boolean', value);
  return value;
}
