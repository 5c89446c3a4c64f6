// fit, evaluate and predict for Sequential. Each training step runs inside tidy(): forward with
// the tape, loss, backward, optimizer update in place, so memory in use is the same after every step.
import { backward, noGrad } from '../autograd/tape.js';
import { fail } from '../errors.js';
import { Random } from '../tensor/random.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { applyActivation } from './activations.js';
import { checkDataset, takeRows, yieldNow } from './batches.js';
import { batchMetricSums, metricLogs } from './metrics.js';
import { checkEvaluateOptions, checkFitOptions } from './training-options.js';
import type { Sequential } from './sequential.js';

/** Logs after each batch: running means over the epoch so far, and the batch's own numbers. */
export interface BatchLogs {
  readonly batch: number;
  /** Rows in this batch. */
  readonly size: number;
  /** Mean loss over the epoch so far (what Keras's progress bar shows). */
  readonly loss: number;
  /** Accuracy over the epoch so far, when compiled with metrics ['accuracy']. */
  readonly accuracy?: number;
  readonly batchLoss: number;
  readonly batchAccuracy?: number;
  /** Training rows seen so far in this epoch, and in all. */
  readonly samplesSeen: number;
  readonly samplesPerEpoch: number;
  /** Every compiled metric's running mean (`mae`) and the batch's own (`batchMae`). */
  readonly [metric: string]: number | undefined;
}

export interface EpochLogs {
  readonly loss: number;
  readonly accuracy?: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  /** Wall time of the epoch's training (validation excluded). */
  readonly seconds: number;
  /** Every compiled metric (`mae`) and its validation value (`valMae`). */
  readonly [metric: string]: number | undefined;
}

/** Callbacks may return a Promise; fit awaits it. */
export interface FitCallbacks {
  onTrainBegin?: () => void | Promise<void>;
  onTrainEnd?: (history: History) => void | Promise<void>;
  onEpochBegin?: (epoch: number) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs: BatchLogs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
}

export interface FitOptions {
  /** Default 1. */
  epochs?: number;
  /** Default 32 (Keras's). */
  batchSize?: number;
  /** Hold out this last fraction of the rows (before shuffling) for validation, as Keras. */
  validationSplit?: number;
  /** [x, y] to validate on after each epoch; wins over validationSplit. */
  validationData?: readonly [Tensor, Tensor];
  /** Shuffle the training rows every epoch (default true). */
  shuffle?: boolean;
  /** Seed of shuffles and dropout masks (default: the model's seed). */
  seed?: number;
  /** Start counting epochs here (resuming). */
  initialEpoch?: number;
  callbacks?: FitCallbacks;
}

export interface EvaluateOptions {
  /** Default 32 (Keras's). */
  batchSize?: number;
}

export interface History {
  readonly epoch: number[];
  readonly history: {
    loss: number[];
    accuracy?: number[];
    valLoss?: number[];
    valAccuracy?: number[];
    /** Every other compiled metric, and its validation values. */
    [metric: string]: number[] | undefined;
  };
}

/** What trainOnBatch and evaluate return: the loss and each compiled metric by its log name. */
export interface MetricResults {
  readonly loss: number;
  readonly accuracy?: number;
  readonly [metric: string]: number | undefined;
}

function compiled(model: Sequential, op: string) {
  if (model.optimizer === null || model.loss === null)
    fail(op, 'model', 'must be compiled first (model.compile({optimizer, loss}))', model.name);
  return { optimizer: model.optimizer, loss: model.loss };
}

/** Loss of a batch (fused from logits when the model allows) and each metric's sum over its rows. */
function batchLoss(
  model: Sequential,
  x: Tensor,
  y: Tensor,
  training: boolean,
  random: Random,
): { loss: Tensor; metricSums: number[] } {
  const { loss } = compiled(model, 'fit');
  const fromLogits = model.trainsFromLogits;
  const output = model.call(x, { training, random, logits: fromLogits });
  const value = fromLogits ? loss.fromLogits!(output, y) : loss.fromOutput(output, y);
  if (model.metrics.length === 0) return { loss: value, metricSums: [] };
  // Metrics read the model's output, so a fused activation is applied for them (no gradient needed).
  const predictions = fromLogits ? noGrad(() => applyActivation(loss.logitsActivation, output)) : output;
  return { loss: value, metricSums: batchMetricSums(model.metrics, predictions, y) };
}

/** One step: forward, loss, backward, update. Everything made on the way is freed on return. */
export function trainOnBatch(model: Sequential, x: Tensor, y: Tensor, random: Random): MetricResults {
  const { optimizer } = compiled(model, 'trainOnBatch');
  const rows = checkDataset('trainOnBatch', x, y);
  const parameters = model.trainableParameters;
  // A .grad left by the caller's own backward() (perhaps freed since by its tidy) must not be added to.
  for (const parameter of parameters) parameter.tensor.grad = null;
  return tidy(() => {
    const { loss, metricSums } = batchLoss(model, x, y, true, random);
    const value = loss.values[0]!;
    if (loss.requiresGrad) backward(loss);
    optimizer.applyGradients(parameters);
    for (const parameter of parameters) parameter.tensor.grad = null;
    return { loss: value, ...metricLogs(model.metrics, metricSums, rows) };
  });
}

function checkCount(op: string, name: string, value: unknown, fallback: number, minimum: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || (resolved as number) < minimum)
    fail(op, name, `must be an integer of at least ${minimum}`, value);
  return resolved as number;
}

/** Training and validation sets for fit, following validationData or validationSplit. */
function splitData(x: Tensor, y: Tensor, options: FitOptions) {
  const rows = checkDataset('fit', x, y);
  if (options.validationData !== undefined) {
    const [validationX, validationY] = options.validationData;
    checkDataset('fit', validationX, validationY);
    return { trainRows: rows, validation: { x: validationX, y: validationY, owned: false } };
  }
  const split = options.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1))
    fail('fit', 'validationSplit', 'must be a number in [0, 1)', split);
  const trainRows = Math.floor(rows * (1 - split));
  if (split === 0 || trainRows === rows) return { trainRows: rows, validation: null };
  const count = rows - trainRows;
  return {
    trainRows,
    validation: { x: takeRows(x, null, trainRows, count), y: takeRows(y, null, trainRows, count), owned: true },
  };
}

/** Model.fit: epochs of shuffled mini-batches with logs and callbacks; see FitOptions. */
export async function fitModel(model: Sequential, x: Tensor, y: Tensor, options: FitOptions = {}): Promise<History> {
  compiled(model, 'fit');
  checkFitOptions(options);
  const epochs = checkCount('fit', 'epochs', options.epochs, 1, 0);
  const batchSize = checkCount('fit', 'batchSize', options.batchSize, 32, 1);
  const initialEpoch = checkCount('fit', 'initialEpoch', options.initialEpoch, 0, 0);
  const random = new Random(checkCount('fit', 'seed', options.seed, model.seed, -(2 ** 31)));
  const { trainRows, validation } = splitData(x, y, options);
  const callbacks = options.callbacks ?? {};
  const history: History = { epoch: [], history: { loss: [] } };
  if (!model.built) model.build([null, ...x.shape.slice(1)]);
  model.stopTraining = false;
  try {
    await callbacks.onTrainBegin?.();
    for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
      await callbacks.onEpochBegin?.(epoch);
      const started = performance.now();
      const order = options.shuffle === false ? null : random.permutation(trainRows);
      const train = await runEpoch(model, x, y, { order, trainRows, batchSize, random, callbacks });
      const logs: EpochLogs = {
        ...train,
        seconds: (performance.now() - started) / 1000,
        ...validate(model, validation, batchSize),
      };
      record(history, epoch, logs);
      await callbacks.onEpochEnd?.(epoch, logs);
    }
    await callbacks.onTrainEnd?.(history);
  } finally {
    if (validation?.owned) {
      validation.x.dispose();
      validation.y.dispose();
    }
  }
  return history;
}

interface EpochPlan {
  order: Int32Array | null;
  trainRows: number;
  batchSize: number;
  random: Random;
  callbacks: FitCallbacks;
}

async function runEpoch(
  model: Sequential,
  x: Tensor,
  y: Tensor,
  plan: EpochPlan,
): Promise<{ loss: number; [metric: string]: number }> {
  const metricSums = model.metrics.map(() => 0);
  let [lossSum, seen] = [0, 0];
  for (let batch = 0, start = 0; start < plan.trainRows && !model.stopTraining; batch++, start += plan.batchSize) {
    const size = Math.min(plan.batchSize, plan.trainRows - start);
    const step = tidy(() =>
      trainOnBatch(model, takeRows(x, plan.order, start, size), takeRows(y, plan.order, start, size), plan.random),
    );
    [lossSum, seen] = [lossSum + step.loss * size, seen + size];
    model.metrics.forEach((metric, index) => (metricSums[index]! += step[metric.name]! * size));
    const logs: BatchLogs = {
      batch,
      size,
      loss: lossSum / seen,
      batchLoss: step.loss,
      samplesSeen: seen,
      samplesPerEpoch: plan.trainRows,
      ...metricLogs(model.metrics, metricSums, seen),
      ...metricLogs(
        model.metrics,
        model.metrics.map((metric) => step[metric.name]!),
        1,
        'batch',
      ),
    };
    await plan.callbacks.onBatchEnd?.(batch, logs);
    await yieldNow();
  }
  return { loss: seen === 0 ? NaN : lossSum / seen, ...metricLogs(model.metrics, metricSums, seen) };
}

function validate(
  model: Sequential,
  validation: { x: Tensor; y: Tensor } | null,
  batchSize: number,
): Partial<EpochLogs> {
  if (validation === null) return {};
  const result = evaluateModel(model, validation.x, validation.y, { batchSize });
  const values = model.metrics.map((metric) => result[metric.name]!);
  return { valLoss: result.loss, ...metricLogs(model.metrics, values, 1, 'val') };
}

function record(history: History, epoch: number, logs: EpochLogs): void {
  history.epoch.push(epoch);
  const lists = history.history;
  for (const [key, value] of Object.entries(logs))
    if (key !== 'seconds' && value !== undefined) (lists[key] ??= []).push(value);
}

/** Model.evaluate: loss and accuracy over all rows (means weighted by batch size), inference mode. */
export function evaluateModel(model: Sequential, x: Tensor, y: Tensor, options: EvaluateOptions = {}): MetricResults {
  compiled(model, 'evaluate');
  checkEvaluateOptions('evaluate', options);
  const rows = checkDataset('evaluate', x, y);
  const batchSize = checkCount('evaluate', 'batchSize', options.batchSize, 32, 1);
  const random = new Random(model.seed);
  let lossSum = 0;
  const metricSums = model.metrics.map(() => 0);
  for (let start = 0; start < rows; start += batchSize) {
    const size = Math.min(batchSize, rows - start);
    const step = tidy(() =>
      noGrad(() => {
        const { loss, metricSums: sums } = batchLoss(
          model,
          takeRows(x, null, start, size),
          takeRows(y, null, start, size),
          false,
          random,
        );
        return { loss: loss.values[0]!, sums };
      }),
    );
    lossSum += step.loss * size;
    step.sums.forEach((sum, index) => (metricSums[index]! += sum));
  }
  return { loss: rows === 0 ? NaN : lossSum / rows, ...metricLogs(model.metrics, metricSums, rows) };
}

/** Model.predict: the outputs for every row of x in one tensor (the caller owns it). */
export function predictModel(model: Sequential, x: Tensor, options: EvaluateOptions = {}): Tensor {
  if (!(x instanceof Tensor) || x.isDisposed || x.rank < 1)
    fail('predict', 'x', 'must be a live Tensor with a batch axis', x);
  checkEvaluateOptions('predict', options);
  const rows = x.shape[0]!;
  const batchSize = checkCount('predict', 'batchSize', options.batchSize, 32, 1);
  if (!model.built) model.build([null, ...x.shape.slice(1)]);
  const outputShape = model.outputShape!;
  const result = Tensor.allocate([rows, ...outputShape.slice(1).map((extent) => extent ?? 1)]);
  const rowSize = rows === 0 ? 0 : result.size / rows;
  for (let start = 0; start < rows; start += batchSize) {
    const size = Math.min(batchSize, rows - start);
    tidy(() =>
      noGrad(() => {
        const output = model.call(takeRows(x, null, start, size), { training: false });
        result.values.set(output.values, start * rowSize);
      }),
    );
  }
  return result;
}
