// Sequential: a stack of layers, Keras's simplest model. It builds the layers in order (seeded),
// names them uniquely and runs them forward; compile, fit, evaluate, predict and the weights come
// from LayersModel (layers-model.ts), shared with the functional Model.
import { fail } from '../errors.js';
import type { Optimizer } from '../optim/index.js';
import { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { endsInActivation } from './activations.js';
import { layerFromConfig } from './layer-table.js';
import {
  snakeCase,
  type CallOptions,
  type ConfigObject,
  type Layer,
  type LayerShape,
  type SerializedLayer,
} from './layer.js';
import { LayersModel, type ForwardOptions } from './layers-model.js';
import type { LossFunction, LossName } from './losses.js';
import { runLayers } from './forward.js';
import { formatSummary } from './summary.js';
import { functionalFromJSON } from './functional.js';
import { isFunctionalJSON } from './functional-json.js';

export interface SequentialConfig {
  layers?: readonly Layer[];
  /** Default 'sequential'. */
  name?: string;
  /** Seed of the weight initialisers (default 0): the same seed gives the same initial weights. */
  seed?: number;
}

export interface CompileOptions {
  /** An optimizer, or 'adam' / 'sgd' with Keras's defaults. */
  optimizer: Optimizer | 'adam' | 'sgd';
  loss:
    | LossName
    | 'sparse_categorical_crossentropy'
    | 'categorical_crossentropy'
    | 'mean_squared_error'
    | 'mse'
    | LossFunction;
  /** ['accuracy'] adds accuracy to the logs (sparse, categorical or binary, from the loss). */
  metrics?: readonly 'accuracy'[];
}

/** A model parameter: a layer's weight with its Keras name ('dense/kernel'). */
export interface ModelParameter {
  readonly name: string;
  readonly tensor: Tensor;
  readonly trainable: boolean;
}

/** A model as JSON: Keras's {className: 'Sequential', config: {name, layers}}. */
export interface SerializedModel {
  readonly className: 'Sequential';
  readonly config: { readonly name: string; readonly layers: readonly SerializedLayer[] };
}

export class Sequential extends LayersModel<Tensor> {
  readonly className = 'Sequential';
  readonly layers: Layer[] = [];
  private shapes: LayerShape[] = [];

  constructor(config: SequentialConfig = {}) {
    super(config.name ?? 'sequential', config.seed ?? 0, 'sequential');
    for (const layer of config.layers ?? []) this.add(layer);
  }

  /** Appends a layer; builds the model as soon as the first layer's inputShape is known. */
  add(layer: Layer): void {
    if (this.layers.includes(layer)) fail('Sequential.add', 'layer', 'is already in the model', layer.name);
    if (!layer.hasExplicitName) layer.assignName(this.uniqueName(snakeCase(layer.className)));
    if (this.layers.some((other) => other.name === layer.name))
      fail('Sequential.add', 'layer', 'name must be unique in the model', layer.name);
    this.layers.push(layer);
    const first = this.layers[0]!.config.inputShape;
    if (first !== undefined) this.build([null, ...first]);
  }

  /** Builds every layer for an input shape (batch null), each from its own fork of the seeded Random. */
  build(inputShape?: LayerShape): void {
    const first = this.layers[0];
    if (first === undefined) fail('Sequential.build', 'layers', 'must not be empty', []);
    const shape = inputShape ?? (first.config.inputShape ? [null, ...first.config.inputShape] : undefined);
    if (shape === undefined)
      fail('Sequential.build', 'inputShape', 'must be given, or set on the first layer', undefined);
    const random = new Random(this.seed);
    this.shapes = [];
    let current: LayerShape = shape;
    for (const layer of this.layers) {
      layer.build(current, random.fork());
      current = layer.computeOutputShape(current);
      this.shapes.push(current);
    }
  }

  get built(): boolean {
    return this.layers.length > 0 && this.shapes.length === this.layers.length;
  }

  get inputShape(): LayerShape | null {
    return this.layers[0]?.builtInputShape ?? null;
  }

  get outputShape(): LayerShape | null {
    return this.built ? this.shapes[this.shapes.length - 1]! : null;
  }

  get inputShapes(): LayerShape[] | null {
    return this.inputShape === null ? null : [this.inputShape];
  }

  get outputShapes(): LayerShape[] | null {
    return this.outputShape === null ? null : [this.outputShape];
  }

  protected get outputIsList(): boolean {
    return false;
  }

  buildFor(inputs: readonly Tensor[]): void {
    if (inputs.length !== 1)
      fail('Sequential', 'x', 'must be one tensor (a Sequential model has one input)', inputs.length);
    if (!this.built) this.build([null, ...inputs[0]!.shape.slice(1)]);
  }

  forward(inputs: readonly Tensor[], options: ForwardOptions): Tensor[] {
    return [this.call(inputs[0]!, options)];
  }

  /**
   * The forward pass on a batch (records gradients unless inside noGrad). With `logits`, a final
   * softmax is skipped: that is how fit trains a softmax output with the fused cross-entropy.
   */
  call(input: Tensor, options: Partial<CallOptions> & { logits?: boolean } = {}): Tensor {
    if (!(input instanceof Tensor)) fail('Sequential.call', 'input', 'must be a Tensor', input);
    if (!this.built) this.build([null, ...input.shape.slice(1)]);
    const callOptions: CallOptions = {
      training: options.training ?? false,
      random: options.random ?? new Random(this.seed),
    };
    return runLayers(this.layers, input, callOptions, options.logits ?? false);
  }

  /** Whether fit trains from logits (a softmax output with a cross-entropy loss), as Keras does. */
  get trainsFromLogits(): boolean {
    const last = this.layers[this.layers.length - 1];
    return (
      (this.loss?.fromLogits ?? null) !== null &&
      last !== undefined &&
      endsInActivation(last) &&
      last.activation === 'softmax'
    );
  }

  /** Keras's summary table; printed with `print` (default console.log) and returned. */
  summary(print: ((line: string) => void) | null = console.log): string {
    if (!this.built)
      fail('summary', 'model', 'must be built first (give the first layer an inputShape, or call build)', this.name);
    const rows = this.layers.map((layer, index) => ({
      name: layer.name,
      className: layer.className,
      outputShape: this.shapes[index]!,
      params: layer.countParams(),
    }));
    const trainable = this.trainableParameters.reduce((total, parameter) => total + parameter.tensor.size, 0);
    const text = formatSummary(this.name, rows, { trainable, nonTrainable: this.countParams() - trainable });
    if (print !== null) for (const line of text.split('\n')) print(line);
    return text;
  }

  toJSON(): SerializedModel {
    return { className: 'Sequential', config: { name: this.name, layers: this.layers.map((layer) => layer.toJSON()) } };
  }

  private uniqueName(base: string): string {
    const taken = new Set(this.layers.map((layer) => layer.name));
    if (!taken.has(base)) return base;
    let suffix = 1;
    while (taken.has(`${base}_${suffix}`)) suffix++;
    return `${base}_${suffix}`;
  }
}

/**
 * A Sequential model, from a list of layers (or tfjs's {layers, name, seed}).
 * @example sequential([conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }), ...])
 */
export function sequential(
  layers: readonly Layer[] | SequentialConfig = [],
  options: Omit<SequentialConfig, 'layers'> = {},
): Sequential {
  return Array.isArray(layers) ? new Sequential({ ...options, layers }) : new Sequential(layers as SequentialConfig);
}

/**
 * Rebuilds a model (new weights, seeded) from toJSON(): a Sequential, or a functional Model from
 * its 'Functional' (or Keras's older 'Model') JSON; restore weights with setWeights.
 */
export function modelFromJSON(json: SerializedModel, options?: { seed?: number }): Sequential;
export function modelFromJSON(
  json: { className: string; config: ConfigObject },
  options?: { seed?: number },
): LayersModel;
export function modelFromJSON(
  json: SerializedModel | { className: string; config: ConfigObject },
  options: { seed?: number } = {},
): LayersModel {
  // Typed as one output, like every loaded model: cast a model saved with a list of outputs.
  if (isFunctionalJSON(json)) return functionalFromJSON(json, options) as LayersModel<Tensor | Tensor[]> as LayersModel;
  if (json?.className !== 'Sequential')
    fail('modelFromJSON', 'className', "must be 'Sequential', 'Functional' or 'Model'", json?.className);
  const config = json.config as SerializedModel['config'];
  if (!Array.isArray(config?.layers))
    fail('modelFromJSON', 'config.layers', 'must be a list of {className, config}', config?.layers);
  return new Sequential({ name: config.name, seed: options.seed, layers: config.layers.map(layerFromConfig) });
}
