// LayersModel: what Sequential and the functional Model share (Keras's Model, tfjs's LayersModel):
// compile's optimizer and loss, fit, evaluate, predict and trainOnBatch (in training.ts), the
// weights and dispose. A subclass says how its layers connect (forward), lists, sums up and
// serialises them. Inputs and outputs are lists inside; `Output` is a Tensor or a list of them.
import { fail, PoolkitArgumentError } from '../errors.js';
import { checkKnownOptions, optionKeys } from '../ops/checks.js';
import { optimizerFromConfig } from '../optim/index.js';
import { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import type { CallOptions, Layer, LayerShape } from './layer.js';
import { resolveLoss, type ResolvedLoss } from './losses.js';
import { resolveMetrics, type ResolvedMetric } from './metrics.js';
import type { CompileOptions, ModelParameter } from './sequential.js';
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
import { Optimizer } from '../optim/optimizer.js';

const COMPILE_KEYS = optionKeys<CompileOptions>({ optimizer: true, loss: true, metrics: true });

/** One tensor, or a list of them (a model of several inputs or outputs). */
export type ModelTensors = Tensor | readonly Tensor[];

/** Any model, of one output or several: what functions that only read or save a model take. */
export type AnyLayersModel = LayersModel<Tensor | Tensor[]>;

/** Options of the forward pass; `logits` leaves out a final softmax that the loss fuses. */
export type ForwardOptions = CallOptions & { readonly logits?: boolean };

/**
 * The default `Output` is one tensor, what every Sequential and single-output model returns; a
 * model made with a list of outputs is a LayersModel<Tensor[]> (cast a loaded one to it).
 */
export abstract class LayersModel<Output extends Tensor | Tensor[] = Tensor> {
  abstract readonly className: string;
  readonly name: string;
  readonly seed: number;
  /** Set true from a callback to end fit() after the current batch (Keras's stop_training). */
  stopTraining = false;
  optimizer: Optimizer | null = null;
  /** Whether compile made the optimizer from a name or its JSON, so dispose() frees it. */
  private ownsOptimizer = false;
  loss: ResolvedLoss | null = null;
  metrics: readonly ResolvedMetric[] = [];
  private disposed = false;

  constructor(name: string, seed: number, op: string) {
    this.name = name;
    this.seed = seed;
    if (!Number.isInteger(this.seed)) fail(op, 'seed', 'must be an integer', this.seed);
  }

  /** Every layer once, in the order their weights are listed (Keras's model.layers). */
  abstract get layers(): readonly Layer[];
  abstract get built(): boolean;
  /** Input and output shapes (batch null), one per input and output; null until built. */
  abstract get inputShapes(): readonly LayerShape[] | null;
  abstract get outputShapes(): readonly LayerShape[] | null;
  /** Whether a final softmax is left out in training and fused into a cross-entropy loss. */
  abstract get trainsFromLogits(): boolean;
  /** The positions of the inputs whose rows are regions (Layer.regionInput), not samples. */
  get regionInputs(): readonly number[] {
    return [];
  }
  /** Internal: builds the model, if not yet built, for data of these inputs' shapes. */
  abstract buildFor(inputs: readonly Tensor[]): void;
  /** Internal: the forward pass from a list of inputs to a list of outputs (records gradients unless in noGrad). */
  abstract forward(inputs: readonly Tensor[], options: ForwardOptions): Tensor[];
  /** Keras's summary table; printed with `print` (default console.log) and returned. */
  abstract summary(print?: ((line: string) => void) | null): string;
  /** Keras's model JSON: { className, config }; modelFromJSON rebuilds the model from it. */
  abstract toJSON(): { readonly className: string; readonly config: object };
  /** Whether predict returns a list (a model made with a list of outputs). */
  protected abstract get outputIsList(): boolean;

  /** Every weight in Keras's order, named 'layer/weight'. */
  get parameters(): ModelParameter[] {
    this.checkLive(`${this.className}.parameters`);
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

  compile(options: CompileOptions): void {
    this.checkLive('compile');
    if (options === null || typeof options !== 'object') fail('compile', 'options', 'must be an object', options);
    checkKnownOptions('compile', options, COMPILE_KEYS);
    // A name or an optimizer's JSON ({className, config}, as saved models keep it) makes one the model owns.
    const given = options.optimizer;
    const serialized =
      typeof given === 'string' || (typeof given === 'object' && given !== null && !(given instanceof Optimizer));
    const optimizer = serialized ? optimizerFromConfig(given as string | { className: string }) : (given as Optimizer);
    if (optimizer === undefined || typeof optimizer?.applyGradients !== 'function') {
      const rule = "must be an Optimizer, a name ('adam', 'sgd', 'rmsprop', 'adagrad') or {className, config}";
      fail('compile', 'optimizer', rule, options.optimizer);
    }
    if (this.ownsOptimizer && this.optimizer !== optimizer) this.optimizer?.dispose();
    this.optimizer = optimizer;
    this.ownsOptimizer = serialized;
    this.loss = resolveLoss(options.loss);
    this.metrics = resolveMetrics(options.metrics, this.loss);
  }

  /** Trains; see FitOptions. Resolves to the per-epoch history once every epoch is done. */
  fit(x: ModelTensors, y: ModelTensors, options: FitOptions = {}): Promise<History> {
    return this.disposed ? Promise.reject(this.disposedError('fit')) : fitModel(this, x, y, options);
  }

  /** One training step on one batch: { loss } and each compiled metric ({ accuracy, mae, ... }). */
  trainOnBatch(x: ModelTensors, y: ModelTensors): MetricResults {
    this.checkLive('trainOnBatch');
    return trainOnBatch(this, x, y, new Random(this.seed + this.optimizerSteps()));
  }

  /** Mean loss and compiled metrics over a dataset, in inference mode. */
  evaluate(x: ModelTensors, y: ModelTensors, options: EvaluateOptions = {}): MetricResults {
    this.checkLive('evaluate');
    return evaluateModel(this, x, y, options);
  }

  /** The model's outputs for every row of x, computed in batches, in inference mode (the caller owns them). */
  predict(x: ModelTensors, options: EvaluateOptions = {}): Output {
    this.checkLive('predict');
    const outputs = predictModel(this, x, options);
    return (this.outputIsList ? outputs : outputs[0]!) as Output;
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

  /** Throws the disposed-model error for `op` after dispose(). */
  protected checkLive(op: string): void {
    if (this.disposed) throw this.disposedError(op);
  }

  private disposedError(op: string): PoolkitArgumentError {
    const rule = 'must not be disposed: dispose() freed its weights (build a new model, or load a saved one)';
    return new PoolkitArgumentError(op, 'model', rule, this.name);
  }

  private optimizerSteps(): number {
    return this.optimizer?.iterations ?? 0;
  }
}
