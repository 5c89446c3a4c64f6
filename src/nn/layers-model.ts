// LayersModel: what Sequential and the functional Model share (Keras's Model, tfjs's LayersModel):
// compile's optimizer and loss, fit, evaluate, predict and trainOnBatch (in training.ts), the
// weights and dispose. A subclass says how its layers connect (forward), lists, sums up and
// serialises them. Inputs and outputs are lists inside; `Output` is a Tensor or a list of them.
import { fail } from '../errors.js';
import { optimizerFromConfig } from '../optim/index.js';
import { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import type { CallOptions, Layer, LayerShape } from './layer.js';
import { resolveLoss, type ResolvedLoss } from './losses.js';
import type { CompileOptions, ModelParameter } from './sequential.js';
import {
  evaluateModel,
  fitModel,
  predictModel,
  trainOnBatch,
  type EvaluateOptions,
  type FitOptions,
  type History,
} from './training.js';
import type { Optimizer } from '../optim/optimizer.js';

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
  /** Whether compile made the optimizer from a name, so dispose() frees it. */
  private ownsOptimizer = false;
  loss: ResolvedLoss | null = null;
  metrics: readonly 'accuracy'[] = [];

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
    if (options === null || typeof options !== 'object') fail('compile', 'options', 'must be an object', options);
    const optimizer =
      typeof options.optimizer === 'string' ? optimizerFromConfig(options.optimizer) : options.optimizer;
    if (optimizer === undefined || typeof optimizer?.applyGradients !== 'function') {
      fail('compile', 'optimizer', "must be an Optimizer, 'adam' or 'sgd'", options.optimizer);
    }
    if (this.ownsOptimizer && this.optimizer !== optimizer) this.optimizer?.dispose();
    this.optimizer = optimizer;
    this.ownsOptimizer = typeof options.optimizer === 'string';
    this.loss = resolveLoss(options.loss);
    const metrics = options.metrics ?? [];
    if (!Array.isArray(metrics) || metrics.some((metric) => metric !== 'accuracy' && metric !== 'acc')) {
      fail('compile', 'metrics', "must be a list of 'accuracy'", metrics);
    }
    this.metrics = metrics.length > 0 ? ['accuracy'] : [];
  }

  /** Trains; see FitOptions. Resolves to the per-epoch history once every epoch is done. */
  fit(x: ModelTensors, y: ModelTensors, options: FitOptions = {}): Promise<History> {
    return fitModel(this, x, y, options);
  }

  /** One training step on one batch: { loss, accuracy }. */
  trainOnBatch(x: ModelTensors, y: ModelTensors): { loss: number; accuracy: number } {
    return trainOnBatch(this, x, y, new Random(this.seed + this.optimizerSteps()));
  }

  /** Mean loss (and accuracy when compiled with it) over a dataset, in inference mode. */
  evaluate(x: ModelTensors, y: ModelTensors, options: EvaluateOptions = {}): { loss: number; accuracy?: number } {
    return evaluateModel(this, x, y, options);
  }

  /** The model's outputs for every row of x, computed in batches, in inference mode (the caller owns them). */
  predict(x: ModelTensors, options: EvaluateOptions = {}): Output {
    const outputs = predictModel(this, x, options);
    return (this.outputIsList ? outputs : outputs[0]!) as Output;
  }

  /** Copies of every weight in Keras's order (the caller owns them). */
  getWeights(): Tensor[] {
    return this.parameters.map((parameter) => parameter.tensor.clone());
  }

  /** Copies values into the weights, in getWeights() order; shapes must match. */
  setWeights(weights: readonly Tensor[]): void {
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
          weight?.toString(),
        );
      }
      parameter.tensor.values.set(weight.values);
    });
  }

  countParams(): number {
    return this.layers.reduce((total, layer) => total + layer.countParams(), 0);
  }

  /** Frees the weights, and the optimizer if compile made it from a name (as tfjs-layers); a passed one stays the caller's. */
  dispose(): void {
    for (const layer of this.layers) layer.dispose();
    if (this.ownsOptimizer) this.optimizer?.dispose();
  }

  private optimizerSteps(): number {
    return this.optimizer?.iterations ?? 0;
  }
}
