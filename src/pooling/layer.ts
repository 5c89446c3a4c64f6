// The one pooling layer class: a kind, a rank (given, or taken from the first input) and a config
// in the kind's option schema. Its class name, shape inference, weights, call and config all come
// from the kind, so every kind of the registry is a layer without a class of its own.
import { fail } from '../errors.js';
import { checkKnownOptions } from '../ops/checks.js';
import { checkDataFormat, type SpatialDims } from '../geometry/layout.js';
import {
  checkLayerInputRank,
  Layer,
  type CallOptions,
  type ConfigObject,
  type ConfigValue,
  type LayerConfig,
  type LayerParameter,
  type LayerShape,
  type ParameterShape,
} from '../nn/layer.js';
import type { Random } from '../tensor/random.js';
import { checkShape, type Tensor } from '../tensor/tensor.js';
import {
  outputOf,
  withRank,
  type CallArguments,
  type CellSelection,
  type LayerCall,
  type LayerContext,
  type LayerSpec,
  type OpOptions,
  type PoolingKind,
} from './kind.js';
import { configKeys, configNameOf, configToOptions, opKeys, optionsToConfig } from './options.js';

/** A pooling layer's config: the options every layer takes, and its kind's options by config name. */
export interface PoolingConfig extends LayerConfig {
  readonly [option: string]: ConfigValue | undefined;
}

const AXES: Record<SpatialDims, string> = { 1: 'width', 2: 'height, width', 3: 'depth, height, width' };

/** The class name of a kind's layer at a rank ('MaxPooling2D'); rank null: the N-d name ('MaxPooling'). */
export function poolingClassName(spec: LayerSpec, rank: SpatialDims | null): string {
  return withRank(spec.className, rank);
}

/** The factory name pattern of a kind's layer (see LayerSpec.factory). */
export function factoryPattern(spec: LayerSpec): string {
  return spec.factory ?? spec.className.charAt(0).toLowerCase() + spec.className.slice(1).replace('{rank}D', '{rank}d');
}

/** Whether a kind's layer names its rank in its class name (MaxPooling2D) or has one fixed rank. */
export function namesRank(spec: LayerSpec): boolean {
  return spec.className.includes('{rank}');
}

export class Pooling extends Layer<PoolingConfig> {
  readonly kind: PoolingKind;
  private rank: SpatialDims | null;

  constructor(kind: PoolingKind, rank: SpatialDims | null, config: PoolingConfig = {}) {
    super(config);
    if (kind.layer === null) throw new Error(`pooling kind '${kind.name}' has no layer`);
    this.kind = kind;
    this.rank = rank ?? (namesRank(kind.layer) ? null : kind.ranks[0]!);
    checkKnownOptions(this.className, config, configKeys(kind.options));
    for (const spec of kind.options) {
      const key = configNameOf(spec);
      if (spec.required === 'always' && key !== null && config[key] === undefined)
        fail(this.className, key, 'is required', undefined);
    }
  }

  get className(): string {
    return poolingClassName(this.spec, this.rank);
  }

  get spatialDims(): SpatialDims | null {
    return this.rank;
  }

  override build(inputShape: LayerShape, random?: Random): void {
    if (!this.built) this.rank ??= this.rankOf(this.inputsOf(inputShape).first);
    super.build(inputShape, random);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const { first, second } = this.inputsOf(inputShape);
    const context = this.context(first, this.rank ?? this.rankOf(first), second);
    if (this.spec.outputShape) return this.spec.outputShape(context);
    const concrete = first.map((extent) => extent ?? 1);
    const shape = this.kind.outputShape(this.className, concrete, context.options, context.rank);
    return [first[0]!, ...shape.slice(1)];
  }

  call(inputs: Tensor, options: CallOptions): Tensor {
    const { input, rank, tensors, opOptions, temporary } = this.opArguments(inputs, options);
    try {
      return outputOf(this.kind.apply(input, tensors, opOptions, rank));
    } finally {
      temporary?.dispose();
    }
  }

  /**
   * What this layer's call on `input` selects (PoolingKind.cellSelection), where it picks one cell per
   * window and needs nothing beyond its input and options; else null, with nothing drawn.
   */
  cellSelection(input: Tensor, options: CallOptions, afterRelu: boolean): CellSelection | null {
    if (this.kind.selectCells === undefined || this.parameters.length > 0) return null;
    const { rank, tensors, opOptions, temporary } = this.opArguments(input, options);
    if (temporary) return (temporary.dispose(), null);
    return this.kind.cellSelection(input, tensors, opOptions, rank, afterRelu);
  }

  /** The kind's op arguments for a call of this layer, from its options, weights and the call. */
  private opArguments(inputs: Tensor, options: CallOptions) {
    const { first: input, second } = this.inputsOf(inputs);
    const shapeOf = (tensor: Tensor): LayerShape => [null, ...tensor.shape.slice(1)];
    const built = this.builtInputShape === null ? null : this.inputsOf(this.builtInputShape).first;
    const context = this.context(built ?? shapeOf(input), this.rank!, second && shapeOf(second));
    const weights = this.parameters.map((parameter) => parameter.tensor);
    const call: LayerCall = { training: options.training, random: options.random, mask: maskOf(options), second };
    const {
      tensors,
      options: opOptions,
      temporary,
    } = this.spec.callArguments
      ? this.spec.callArguments(context, input, weights, call)
      : this.defaultArguments(weights, call);
    return { input, rank: context.rank, tensors, opOptions, temporary };
  }

  /** The options this layer passes to its kind's op (op names; layer defaults filled in). */
  poolOptions(): OpOptions {
    const known = new Set(opKeys(this.kind.options));
    const options = configToOptions(this.kind.options, this.config);
    return Object.fromEntries(Object.entries(options).filter(([key]) => known.has(key)));
  }

  getConfig(): ConfigObject {
    const own =
      this.rank === null
        ? (Object.fromEntries(
            Object.entries(this.config).filter(([key]) => !['name', 'inputShape', 'trainable'].includes(key)),
          ) as ConfigObject)
        : optionsToConfig(this.className, this.kind.options, this.config, this.rank);
    return { ...this.baseConfig(), ...own };
  }

  /** The weights' names and shapes for this input, each checked to fit the heap before anything is made. */
  override parameterShapes(inputShape: LayerShape): ParameterShape[] {
    const { first } = this.inputsOf(inputShape);
    const shapes = this.spec.weights?.shapes(this.context(first, this.rank ?? this.rankOf(first))) ?? [];
    for (const { name, shape } of shapes) checkShape(this.className, shape, name);
    return shapes;
  }

  protected override createParameters(inputShape: LayerShape, random: Random): LayerParameter[] {
    const weights = this.spec.weights;
    if (weights === undefined) return [];
    const context = this.context(this.inputsOf(inputShape).first, this.rank!);
    const names = this.parameterShapes(inputShape).map((shape) => shape.name);
    return weights
      .initialize(context, random)
      .map((tensor, index) => ({ name: names[index]!, tensor, trainable: true }));
  }

  private get spec(): LayerSpec {
    return this.kind.layer!;
  }

  private context(inputShape: LayerShape, rank: SpatialDims, secondShape: LayerShape | null = null): LayerContext {
    const options = configToOptions(this.kind.options, this.config);
    const format = checkDataFormat(this.className, options.dataFormat);
    const layout = format === 'channelsLast' ? `[batch, ${AXES[rank]}, channels]` : `[batch, channels, ${AXES[rank]}]`;
    checkLayerInputRank(this.className, inputShape, rank + 2, layout);
    return { owner: this.className, inputShape, rank, options, secondShape };
  }

  override get regionInput(): string | undefined {
    return this.spec.secondInput;
  }

  /**
   * The input (a tensor or a shape), and the second one where the layer was called on a list
   * [input, second]: only a kind whose layer names a second input (LayerSpec.secondInput) takes one.
   */
  private inputsOf<Item extends Tensor | LayerShape>(input: Item): { first: Item; second: Item | null } {
    const isList =
      Array.isArray(input) && input.length > 0 && input.every((item) => typeof item === 'object' && item !== null);
    if (!isList) return { first: input, second: null };
    const list = input as unknown as readonly Item[];
    const name = this.spec.secondInput;
    if (name === undefined)
      fail(
        this.className,
        'inputs',
        'must be one tensor: this layer takes no second input',
        `a list of ${list.length}`,
      );
    if (list.length !== 2)
      fail(this.className, 'inputs', `must be [input, ${name}]: two tensors`, `a list of ${list.length}`);
    return { first: list[0]!, second: list[1]! };
  }

  /** The op's options from the config; a random kind draws from the call's Random when training. */
  private defaultArguments(weights: readonly Tensor[], call: LayerCall): CallArguments {
    const options = this.poolOptions();
    const draws = this.kind.random && call.training ? { training: true, random: call.random } : {};
    return { tensors: weights, options: { ...options, ...draws } };
  }

  private rankOf(inputShape: LayerShape): SpatialDims {
    const rank = inputShape.length - 2;
    if (!(this.kind.ranks as readonly number[]).includes(rank)) {
      const ranks = this.kind.ranks.map((spatial) => spatial + 2).join(', ');
      checkLayerInputRank(
        this.className,
        inputShape,
        this.kind.ranks[0]! + 2,
        `(one of ${ranks}: batch, spatial axes, channels)`,
      );
    }
    return rank as SpatialDims;
  }
}

function maskOf(options: CallOptions): Tensor | null {
  return (options as CallOptions & { mask?: Tensor | null }).mask ?? null;
}
