// Sequential: a stack of layers, Keras's simplest model. It builds the layers in order (seeded),
// names them uniquely, runs them forward, and holds compile's optimizer and loss; training,
// evaluation and prediction are in training.ts.
import { fail, PoolkitArgumentError } from '../errors.js';
import { checkKnownOptions, optionKeys } from '../ops/checks.js';
import { optimizerFromConfig, type Optimizer, type OptimizerName } from '../optim/index.js';
import { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { endsInActivation } from './activations.js';
import { LayerNames } from './model-plan.js';
import { type CallOptions, type Layer, type LayerShape, type SerializedLayer } from './layer.js';
import { resolveLoss, type LossFunction, type LossSpelling, type ResolvedLoss } from './losses.js';
import { resolveMetrics, type MetricName, type ResolvedMetric } from './metrics.js';
import { runLayers } from './forward.js';
import { formatSummary } from './summary.js';
import {
  evaluateModel,
  fitModel,
  predictModel,
  trainOnBatch,
  type EvaluateOptions,
  type FitOptions,
  type History,
  type MetricResults,
} from './training.js';

export interface SequentialConfig {
  layers?: readonly Layer[];
  /** Default 'sequential'. */
  name?: string;
  /** Seed of the weight initialisers (default 0): the same seed gives the same initial weights. */
  seed?: number;
}

export interface CompileOptions {
  /** An optimizer, or a name ('adam', 'sgd', 'rmsprop', 'adagrad') for one with Keras's defaults. */
  optimizer: Optimizer | OptimizerName;
  /** A loss name (tfjs-layers' camelCase or Keras's snake_case), or (predictions, targets) → scalar. */
  loss: LossSpelling | LossFunction;
  /** Metrics to log, e.g. ['accuracy'] (sparse, categorical or binary, from the loss), 'mae', 'mse', 'binaryAccuracy'. */
  metrics?: readonly MetricName[];
}

const COMPILE_KEYS = optionKeys<CompileOptions>({ optimizer: true, loss: true, metrics: true });
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

export class Sequential {
  readonly className = 'Sequential';
  readonly name: string;
  readonly seed: number;
  readonly layers: Layer[] = [];
  /** Set true from a callback to end fit() after the current batch (Keras's stop_training). */
  stopTraining = false;
  optimizer: Optimizer | null = null;
  /** Whether compile made the optimizer from a name, so dispose() frees it. */
  private ownsOptimizer = false;
  loss: ResolvedLoss | null = null;
  metrics: readonly ResolvedMetric[] = [];
  private shapes: LayerShape[] = [];
  private disposed = false;
  private readonly names = new LayerNames();
  /** The seeded Random of the last build, whose next fork goes to the next layer added. */
  private buildRandom: Random | null = null;

  constructor(config: SequentialConfig = {}) {
    checkKnownOptions('sequential', config, SEQUENTIAL_KEYS);
    this.name = config.name ?? 'sequential';
    this.seed = config.seed ?? 0;
    if (!Number.isInteger(this.seed)) fail('sequential', 'seed', 'must be an integer', this.seed);
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

  /** Every weight in Keras's order, named 'layer/weight'. */
  get parameters(): ModelParameter[] {
    this.checkLive('Sequential.parameters');
    return this.layers.flatMap((layer) =>
      layer.parameters.map((parameter) => ({
        name: `${layer.name}/${parameter.name}`,
        tensor: parameter.tensor,
        trainable: parameter.trainable && layer.trainable,
      })),
    );
  }

  get trainableParameters(): ModelParameter[] {
    return this.parameters.filter((parameter) => parameter.trainable);
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

  compile(options: CompileOptions): void {
    this.checkLive('compile');
    if (options === null || typeof options !== 'object') fail('compile', 'options', 'must be an object', options);
    checkKnownOptions('compile', options, COMPILE_KEYS);
    const optimizer =
      typeof options.optimizer === 'string' ? optimizerFromConfig(options.optimizer) : options.optimizer;
    if (optimizer === undefined || typeof optimizer?.applyGradients !== 'function') {
      fail(
        'compile',
        'optimizer',
        "must be an Optimizer or a name ('adam', 'sgd', 'rmsprop', 'adagrad')",
        options.optimizer,
      );
    }
    if (this.ownsOptimizer && this.optimizer !== optimizer) this.optimizer?.dispose();
    this.optimizer = optimizer;
    this.ownsOptimizer = typeof options.optimizer === 'string';
    this.loss = resolveLoss(options.loss);
    this.metrics = resolveMetrics(options.metrics, this.loss);
  }

  /** Trains; see FitOptions. Resolves to the per-epoch history once every epoch is done. */
  fit(x: Tensor, y: Tensor, options: FitOptions = {}): Promise<History> {
    return this.disposed ? Promise.reject(this.disposedError('fit')) : fitModel(this, x, y, options);
  }

  /** One training step on one batch: { loss } and each compiled metric ({ accuracy, mae, ... }). */
  trainOnBatch(x: Tensor, y: Tensor): MetricResults {
    this.checkLive('trainOnBatch');
    return trainOnBatch(this, x, y, new Random(this.seed + this.optimizerSteps()));
  }

  /** Mean loss and compiled metrics over a dataset, in inference mode. */
  evaluate(x: Tensor, y: Tensor, options: EvaluateOptions = {}): MetricResults {
    this.checkLive('evaluate');
    return evaluateModel(this, x, y, options);
  }

  /** The model's outputs for every row of x, computed in batches, in inference mode. */
  predict(x: Tensor, options: EvaluateOptions = {}): Tensor {
    this.checkLive('predict');
    return predictModel(this, x, options);
  }

  /** Copies of every weight in Keras's order (the caller owns them). */
  getWeights(): Tensor[] {
    this.checkLive('getWeights');
    return this.parameters.map((parameter) => parameter.tensor.clone());
  }

  /** Copies values into the weights, in getWeights() order; shapes must match. */
  setWeights(weights: readonly Tensor[]): void {
    this.checkLive('setWeights');
    const parameters = this.parameters;
    if (!Array.isArray(weights) || weights.length !== parameters.length) {
      fail(
        'setWeights',
        'weights',
        `must be a list of ${parameters.length} tensors`,
        Array.isArray(weights) ? weights.length : weights,
      );
    }
    parameters.forEach((parameter, index) => {
      const weight = weights[index]!;
      if (!(weight instanceof Tensor) || weight.shape.join() !== parameter.tensor.shape.join()) {
        fail(
          'setWeights',
          `weights[${index}]`,
          `must be a tensor of shape [${parameter.tensor.shape.join(', ')}] for '${parameter.name}'`,
          weight instanceof Tensor ? `shape [${weight.shape.join(', ')}]` : weight,
        );
      }
      parameter.tensor.values.set(weight.values);
    });
  }

  countParams(): number {
    this.checkLive('countParams');
    return this.layers.reduce((total, layer) => total + layer.countParams(), 0);
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

  /** Frees the weights, and the optimizer if compile made it from a name (as tfjs-layers); a passed one stays the caller's. */
  dispose(): void {
    for (const layer of this.layers) layer.dispose();
    if (this.ownsOptimizer) this.optimizer?.dispose();
    this.disposed = true;
  }

  /** Whether dispose() was called: the model's weights are freed, and every use throws. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  private checkLive(op: string): void {
    if (this.disposed) throw this.disposedError(op);
  }

  private disposedError(op: string): PoolkitArgumentError {
    const rule = 'must not be disposed: dispose() freed its weights (build a new model, or load a saved one)';
    return new PoolkitArgumentError(op, 'model', rule, this.name);
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

  private optimizerSteps(): number {
    return this.optimizer?.iterations ?? 0;
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
