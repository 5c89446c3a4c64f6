// The Layer every nn layer extends: config and parameters, shape inference, and a call() built
// from differentiable ops (src/ops), so the tape gives every layer its backward pass for free.
//
// How to add a layer (say `Foo`):
//  1. Write `src/nn/layers/foo.ts` with `class Foo extends Layer<FooConfig>`: set `className = 'Foo'`
//     (the Keras class name), implement `computeOutputShape`, `call` and `getConfig`; a layer with
//     weights overrides `parameterShapes` (their names and shapes, in Keras's weight order) and
//     `createParameters` (the weights themselves, from that list).
//  2. Export a factory `foo(config)` beside it (Keras/tfjs-layers style: `tf.layers.foo({...})`).
//  3. Add one line `Foo: (config) => new Foo(config as FooConfig)` to `src/nn/layer-table.ts`, so
//     saved models can rebuild it from `{className: 'Foo', config}`; nothing registers by import.
//  4. Add a gradcheck test in test/nn/ (test/helpers/gradcheck.ts) and re-export from src/nn/index.ts.
//
// Shapes: a layer shape includes the batch axis first, written as null (Keras's None) because it
// is unknown until data arrives: `[null, 28, 28, 1]`. The `inputShape` option excludes it (Keras).
import { fail } from '../errors.js';
import { Random } from '../tensor/random.js';
import { keep } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { applySymbolic, isSymbolicInput, shapeOfInput, type SymbolicTensor } from './symbolic.js';

/** A shape with the batch axis first as null: `[null, 26, 26, 32]`. */
export type LayerShape = readonly (number | null)[];

/** What a call needs besides its input. */
export interface CallOptions {
  /** Training behaviour (dropout active, batch statistics) or inference behaviour. */
  readonly training: boolean;
  /** The seeded source of every random choice a call makes (dropout masks). */
  readonly random: Random;
  /**
   * Keras's mask of the input: 1 for a real time step, 0 for padding, shaped like the input
   * without its feature axis ([batch, time]); made by Embedding (maskZero) or Masking and passed
   * on by the layers that support masking. Absent or null when there is none.
   */
  readonly mask?: Tensor | null;
}

/** One weight of a layer: Keras's weight name inside the layer ('kernel', 'bias', 'gamma', ...). */
export interface LayerParameter {
  readonly name: string;
  /** Kept out of every tidy() scope; requires a gradient when trainable. Updated in place. */
  readonly tensor: Tensor;
  /** False for state that training updates without gradients (batch norm's moving statistics). */
  readonly trainable: boolean;
}

/** A weight build() will make, before it is made: its name and shape. */
export interface ParameterShape {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Options every layer accepts. */
export interface LayerConfig {
  /** Unique within a model; defaults to the snake_case class name ('conv2d', 'max_pooling2d'). */
  name?: string;
  /** The input shape without the batch axis, on the first layer of a model: `[28, 28, 1]`. */
  inputShape?: readonly number[];
  /** Whether the optimizer updates this layer's weights (default true). */
  trainable?: boolean;
}

/** A JSON-serialisable config: numbers, strings, booleans, null, arrays and plain objects of them. */
export type ConfigValue = number | string | boolean | null | readonly ConfigValue[] | { [key: string]: ConfigValue };
export type ConfigObject = { [key: string]: ConfigValue };

/** A layer as Keras's model JSON lists it; `layerFromConfig` (layer-table.ts) turns it back into a layer. */
export interface SerializedLayer {
  readonly className: string;
  readonly config: ConfigObject;
}

export abstract class Layer<Config extends LayerConfig = LayerConfig> {
  /** Keras's class name: 'Conv2D', 'MaxPooling2D', 'Dense'. */
  abstract readonly className: string;
  readonly config: Readonly<Config>;
  readonly trainable: boolean;
  /** The input shape (with batch null) the layer was built for; null until built. */
  builtInputShape: LayerShape | null = null;
  /** Keras's supports_masking: the layer passes an incoming mask on unchanged; other layers drop it. */
  readonly supportsMasking: boolean = false;
  private layerName: string | null;
  private weights: LayerParameter[] = [];
  private disposed = false;

  constructor(config: Config) {
    if (config === null || typeof config !== 'object') fail('layer', 'config', 'must be an object', config);
    this.config = Object.freeze({ ...config });
    this.layerName = config.name ?? null;
    this.trainable = config.trainable ?? true;
    if (config.inputShape !== undefined) checkInputShape(config.inputShape);
  }

  get name(): string {
    return this.layerName ?? snakeCase(this.className);
  }

  /** True when the user chose the name (a model gives unnamed layers unique names). */
  get hasExplicitName(): boolean {
    return this.layerName !== null;
  }

  /** Internal: Sequential names unnamed layers 'dense', 'dense_1', ... as Keras does. */
  assignName(name: string): void {
    if (this.layerName === null) this.layerName = name;
  }

  get built(): boolean {
    return this.builtInputShape !== null;
  }

  /**
   * The name of a second input whose rows are regions, not samples (the RoI layers' rois: each row
   * names its image by a batch index into the whole first input); undefined for other layers.
   */
  get regionInput(): string | undefined {
    return undefined;
  }

  /** Weights in Keras's order (kernel before bias; gamma, beta, moving mean, moving variance). */
  get parameters(): readonly LayerParameter[] {
    return this.weights;
  }

  /** Makes the weights for this input shape (batch null); later calls do nothing. */
  build(inputShape: LayerShape, random: Random = new Random(0)): void {
    if (this.built) return;
    this.computeOutputShape(inputShape); // validates the shape before weights exist
    this.weights = this.createParameters(inputShape, random).map((parameter) => {
      keep(parameter.tensor);
      parameter.tensor.requiresGrad = parameter.trainable && this.trainable;
      return parameter;
    });
    this.builtInputShape = Object.freeze([...inputShape]);
  }

  /**
   * The weights build() would make for this input shape, found without making them, so a saved
   * model's weights manifest is checked before any memory is spent on it. A layer that makes
   * weights overrides this (and builds from it); one that does not answers null: "only build tells".
   */
  parameterShapes(_inputShape: LayerShape): readonly ParameterShape[] | null {
    return this.createParameters === Layer.prototype.createParameters ? [] : null;
  }

  /** Output shape for an input shape; both have the batch axis first (null when unknown). */
  abstract computeOutputShape(inputShape: LayerShape): LayerShape;

  /** The forward pass on a built layer, from differentiable ops. */
  abstract call(input: Tensor, options: CallOptions): Tensor;

  /** Options that rebuild this layer through its constructor; always includes `name`. */
  abstract getConfig(): ConfigObject;

  /**
   * The mask of this layer's output, from its input and the input's mask (Keras's compute_mask):
   * the input's mask when the layer supports masking, else none. Embedding and Masking make one.
   */
  computeMask(_input: Tensor, mask: Tensor | null): Tensor | null {
    return this.supportsMasking ? mask : null;
  }

  /**
   * On tensors: builds on first use (from the input's shape), then calls; inference unless told
   * otherwise. On symbolic tensors (from `input()` or other layers): records the call for a
   * functional `model()` and returns the symbolic output. Merge layers take a list.
   */
  apply(input: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor;
  apply(input: Tensor | readonly Tensor[], options?: Partial<CallOptions>): Tensor;
  apply(
    input: Tensor | SymbolicTensor | readonly (Tensor | SymbolicTensor)[],
    options: Partial<CallOptions> = {},
  ): Tensor | SymbolicTensor {
    if (isSymbolicInput(input)) return applySymbolic(this, input);
    if (this.disposed) fail(this.name, 'layer', 'must not be disposed: dispose() freed its weights', this.name);
    const tensors = input as Tensor | readonly Tensor[];
    if (!this.built) this.build(shapeOfInput(tensors), options.random);
    const callOptions = { training: options.training ?? false, random: options.random ?? new Random(0) };
    return this.call(tensors as Tensor, { ...callOptions, mask: options.mask ?? null });
  }

  /** Number of scalar weights (trainable and not). */
  countParams(): number {
    return this.weights.reduce((total, parameter) => total + parameter.tensor.size, 0);
  }

  /** Frees the weights; the layer cannot be used afterwards. */
  dispose(): void {
    for (const parameter of this.weights) parameter.tensor.dispose();
    this.weights = [];
    this.disposed = true;
  }

  toJSON(): SerializedLayer {
    return { className: this.className, config: this.getConfig() };
  }

  /** Override to make weights; each tensor is kept by build(). */
  protected createParameters(_inputShape: LayerShape, _random: Random): LayerParameter[] {
    return [];
  }

  /** The options every layer shares, for getConfig() implementations to spread first. */
  protected baseConfig(): ConfigObject {
    const base: ConfigObject = { name: this.name, trainable: this.trainable };
    if (this.config.inputShape !== undefined) base.inputShape = [...this.config.inputShape];
    return base;
  }
}

/** 'MaxPooling2D' → 'max_pooling2d', 'Conv2D' → 'conv2d', as Keras names layers. */
export function snakeCase(className: string): string {
  const intermediate = className.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2');
  return intermediate.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

function checkInputShape(inputShape: unknown): void {
  const rule = 'must be an array of positive integers (the shape without the batch axis)';
  if (!Array.isArray(inputShape)) fail('layer', 'inputShape', rule, inputShape);
  for (const size of inputShape as unknown[]) {
    if (!Number.isInteger(size) || (size as number) < 1) fail('layer', 'inputShape', rule, inputShape);
  }
}

/** Throws unless the (batch-null) input shape has the rank a layer needs. */
export function checkLayerInputRank(layer: string, inputShape: LayerShape, rank: number, layout: string): void {
  if (inputShape.length !== rank) {
    fail(layer, 'input', `must have rank ${rank} ${layout}`, `shape [${inputShape.map(String).join(', ')}]`);
  }
}
