// Sequential: a stack of layers, Keras's simplest model. It builds the layers in order (seeded),
// names them uniquely and runs them forward; compile, fit, evaluate, predict and the weights come
// from LayersModel (layers-model.ts), shared with the functional Model.
import { fail } from '../errors.js';
import { checkKnownOptions, optionKeys } from '../ops/checks.js';
import type { Optimizer, OptimizerName } from '../optim/index.js';
import { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { endsInActivation } from './activation-names.js';
import { type CallOptions, type Layer, type LayerShape, type SerializedLayer } from './layer.js';
import { LayersModel, type ForwardOptions } from './layers-model.js';
import type { LossFunction, LossSpelling } from './losses.js';
import type { MetricName } from './metrics.js';
import { LayerNames } from './model-plan.js';
import { runLayers } from './forward.js';
import { formatSummary } from './summary.js';

export interface SequentialConfig {
  layers?: readonly Layer[];
  /** Default 'sequential'. */
  name?: string;
  /** Seed of the weight initialisers (default 0): the same seed gives the same initial weights. */
  seed?: number;
}

export interface CompileOptions {
  /**
   * An optimizer, a name ('adam', 'sgd', 'rmsprop', 'adagrad') for one with Keras's defaults, or an
   * optimizer's JSON {className, config} (what a saved model keeps).
   */
  optimizer: Optimizer | OptimizerName | { readonly className: string; readonly config?: Record<string, unknown> };
  /** A loss name (tfjs-layers' camelCase or Keras's snake_case), or (predictions, targets) → scalar. */
  loss: LossSpelling | LossFunction;
  /** Metrics to log, e.g. ['accuracy'] (sparse, categorical or binary, from the loss), 'mae', 'mse', 'binaryAccuracy'. */
  metrics?: readonly MetricName[];
}

const SEQUENTIAL_KEYS = optionKeys<SequentialConfig>({ layers: true, name: true, seed: true });

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
  private readonly names = new LayerNames();
  /** The seeded Random of the last build, whose next fork goes to the next layer added. */
  private buildRandom: Random | null = null;

  constructor(config: SequentialConfig = {}) {
    super(config.name ?? 'sequential', config.seed ?? 0, 'sequential');
    checkKnownOptions('sequential', config, SEQUENTIAL_KEYS);
    for (const layer of config.layers ?? []) this.append(layer);
    this.buildNewLayers();
  }

  /** Appends a layer; builds it as soon as the first layer's inputShape is known. */
  add(layer: Layer): void {
    this.checkLive('Sequential.add');
    this.append(layer);
    this.buildNewLayers();
  }

  /** Builds every layer for an input shape (batch null), each from its own fork of the seeded Random. */
  build(inputShape?: LayerShape): void {
    this.checkLive('Sequential.build');
    const first = this.layers[0];
    if (first === undefined) fail('Sequential.build', 'layers', 'must not be empty', []);
    const shape = inputShape ?? (first.config.inputShape ? [null, ...first.config.inputShape] : undefined);
    if (shape === undefined)
      fail('Sequential.build', 'inputShape', 'must be given, or set on the first layer', undefined);
    this.buildRandom = new Random(this.seed);
    this.shapes = [];
    this.buildFrom(shape);
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
    this.checkLive('Sequential.call');
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
      last.activation === this.loss!.logitsActivation
    );
  }

  /** Keras's summary table; printed with `print` (default console.log) and returned. */
  summary(print: ((line: string) => void) | null = console.log): string {
    this.checkLive('summary');
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

  /** Names and appends a layer, in constant time (a model of many layers must build in linear time). */
  private append(layer: Layer): void {
    if (layer.hasExplicitName && this.names.has(layer.name) && this.layers.includes(layer))
      fail('Sequential.add', 'layer', 'is already in the model', layer.name);
    this.names.claim(layer, 'Sequential.add');
    this.layers.push(layer);
  }

  /** Builds the layers not built yet, continuing the last build's Random: the same forks as one full build. */
  private buildNewLayers(): void {
    const first = this.layers[0]?.config.inputShape;
    if (first === undefined) return;
    if (this.buildRandom === null || this.shapes.length === 0) this.build([null, ...first]);
    else this.buildFrom(this.shapes[this.shapes.length - 1]!);
  }

  /** Builds layers from index shapes.length on; after a failure the next build starts afresh. */
  private buildFrom(shape: LayerShape): void {
    let current = shape;
    try {
      for (const layer of this.layers.slice(this.shapes.length)) {
        layer.build(current, this.buildRandom!.fork());
        current = layer.computeOutputShape(current);
        this.shapes.push(current);
      }
    } catch (error) {
      this.buildRandom = null;
      throw error;
    }
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
