// What a pooling kind is: everything specific to one kind of pooling in one object (names, option
// schema, window type, randomness, documentation, reference kernels, the op, and what its layer
// adds), from which the registry derives ops, layers, serialisation, the CLI's choices, the web
// explorer and the docs. One file per kind in src/pooling/kinds/ holds one of these.
import { fail } from '../errors.js';
import type { SpatialDims } from '../geometry/layout.js';
import type { ConfigValue, LayerParameter, LayerShape } from '../nn/layer.js';
import { checkOptions, checkTensor } from '../ops/checks.js';
import type { Random } from '../tensor/random.js';
import type { Shape, Tensor } from '../tensor/tensor.js';
import { checkKnownKeys, opKeys, type OptionSchema } from './options.js';

/** How a kind's windows are laid out (the explorer draws them; the docs group by it). */
export type WindowType = 'sliding' | 'adaptive' | 'global' | 'region' | 'sequence' | 'inverse';

export interface PoolWithIndices {
  output: Tensor;
  /** int32, shaped like output: the flat spatial index of each window's chosen cell in its plane. */
  indices: Tensor;
}

export type PoolResult = Tensor | PoolWithIndices;

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
}

/** A layer call: the training flag, the seeded Random of the fit, and a mask from an earlier layer. */
export interface LayerCall {
  readonly training: boolean;
  readonly random: Random;
  readonly mask?: Tensor | null;
}

/** What a layer passes its kind's op; `temporary` tensors made for the call are disposed after it. */
export interface CallArguments {
  readonly tensors: readonly Tensor[];
  readonly options: OpOptions;
  readonly temporary?: Tensor | null;
}

export interface LayerSpec {
  /** Class stem: 'MaxPooling' gives MaxPooling1D/2D/3D; without rankSuffix it is the class name. */
  readonly className: string;
  /** Factory stem: 'maxPooling' gives layers.maxPooling1d/2d/3d, and layers.maxPooling (rank from the input). */
  readonly factory: string;
  readonly rankSuffix: boolean;
  /** True where Keras (or tfjs-layers) has these class names; the others are poolkit's own. */
  readonly keras: boolean;
  /** The config that puts this kind in the seed CNN's pooling position; null: it cannot go there. */
  readonly seedConfig: Readonly<Record<string, ConfigValue>> | null;
  /** The learnable weights a layer makes (Keras's order and names); none when absent. */
  parameters?(context: LayerContext, random: Random): LayerParameter[];
  /** The op's tensors and options for one call, from the layer's options, weights and call. */
  callArguments?(context: LayerContext, input: Tensor, weights: readonly Tensor[], call: LayerCall): CallArguments;
  /** Output shape where the op's (with batch 1) is not the layer's (LSTM's units). */
  outputShape?(context: LayerContext): LayerShape;
}

export interface KindDefinition<Kernels extends object = object, Result extends PoolResult = PoolResult> {
  /** The canonical name, used everywhere (CLI, web, docs, registry look-ups): 'max', 'average', 'lp'. */
  readonly name: string;
  /** Other names accepted wherever a kind is named ('avg', 'l2'). */
  readonly aliases: readonly string[];
  readonly window: WindowType;
  /** Spatial ranks the kind defines. */
  readonly ranks: readonly SpatialDims[];
  /** The op's public name per rank; a kind whose one op takes every rank names it under each. */
  readonly opNames: Readonly<Partial<Record<SpatialDims, string>>>;
  /** The op's and the layer's options. */
  readonly options: OptionSchema;
  /** The op needs an options object (it has a required option such as kernelSize or outputSize). */
  readonly requiresOptions: boolean;
  /** True when the op draws random numbers in training (then it needs a seed or a Random). */
  readonly random: boolean;
  readonly docs: KindDocs;
  /** Reference kernels by kernel-table name: the specification that fast backends are tested against. */
  readonly kernels: Kernels;
  /** Output shape from the input shape and options alone (validates them as the op does). */
  outputShape(op: string, inputShape: Shape, options: OpOptions, rank: SpatialDims): Shape;
  /** The op's work, after the input and the option keys were checked. */
  compute(call: OpCall): Result;
  readonly layer: LayerSpec | null;
}

export interface PoolingKind<
  Kernels extends object = object,
  Result extends PoolResult = PoolResult,
> extends KindDefinition<Kernels, Result> {
  /** Runs the op: checks the input, the option keys and the rank, then computes. */
  apply(input: Tensor, tensors: readonly Tensor[], options: unknown, rank: SpatialDims): Result;
  /** The op's public name at this rank. */
  opName(rank: SpatialDims): string;
}

const KIND = Symbol('poolkit.poolingKind');

/** A kind as defined, with the entry points definePoolingKind adds; its literal names stay in its type. */
export type DefinedKind<Definition extends KindDefinition> = Definition &
  PoolingKind<Definition['kernels'], ReturnType<Definition['compute']>>;

/** Makes a kind from its definition: checks its names and adds the op entry point. */
export function definePoolingKind<const Definition extends KindDefinition>(
  definition: Definition,
): DefinedKind<Definition> {
  if (!/^[a-z][a-zA-Z0-9]*$/.test(definition.name))
    throw new Error(`pooling kind name '${definition.name}' must be camelCase`);
  type Result = ReturnType<Definition['compute']>;
  const opName = (rank: SpatialDims): string => {
    const name = definition.opNames[rank];
    if (name === undefined) throw new Error(`pooling kind '${definition.name}' has no op of rank ${rank}`);
    return name;
  };
  const apply = (input: Tensor, tensors: readonly Tensor[], options: unknown, rank: SpatialDims): Result => {
    const op = opName(rank);
    checkTensor(op, 'input', input);
    const checked = checkOptions<object>(op, options as object | undefined, definition.requiresOptions);
    checkKnownKeys(op, 'options', checked, opKeys(definition.options));
    return definition.compute({ op, input, tensors, options: checked as OpOptions, rank }) as Result;
  };
  return Object.freeze({ ...definition, apply, opName, [KIND]: true }) as unknown as DefinedKind<Definition>;
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
