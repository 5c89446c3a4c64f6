// fit and trainOnBatch for every model (Sequential and functional; evaluate and predict: evaluation.ts).
// Each training step runs inside tidy(): forward with the tape, loss, backward, optimizer update in
// place, so memory in use is the same after every step. Inputs and targets are lists inside (one per model input/output).
import { backward } from '../autograd/tape.js';
import { Random } from '../tensor/random.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { checkRegionBatching, yieldNow } from './batches.js';
import { callbackList, runHook, type FitCallbacks } from './callbacks.js';
import { batchOf, checkCount, compiled, dataset, splitData, type Dataset, type Model } from './fit-data.js';
import { batchLoss, evaluateModel } from './evaluation.js';
import { startGpuFit } from './fit-gpu.js';
import type { ModelTensors } from './layers-model.js';
import { MetricTally } from './metric-tally.js';
import { metricLogs } from './metrics.js';
import { checkFitOptions } from './training-options.js';

export type { FitCallbacks } from './callbacks.js';
export { evaluateModel, predictModel } from './evaluation.js';

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

export interface FitOptions {
  /** Default 1. */
  epochs?: number;
  /** Default 32 (Keras's). */
  batchSize?: number;
  /** Hold out this last fraction of the rows (before shuffling) for validation, as Keras. */
  validationSplit?: number;
  /** [x, y] to validate on after each epoch (lists for several inputs or outputs); wins over validationSplit. */
  validationData?: readonly [ModelTensors, ModelTensors];
  /** Shuffle the training rows every epoch (default true). */
  shuffle?: boolean;
  /** Seed of shuffles and dropout masks (default: the model's seed). */
  seed?: number;
  /** Start counting epochs here (resuming). */
  initialEpoch?: number;
  /** One object of hooks, or a list of them run in order (earlyStopping(), modelCheckpoint(), your own). */
  callbacks?: FitCallbacks | readonly FitCallbacks[];
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

/** One step: forward, loss, backward, update; the loss read back (the step's one read-back on the GPU). */
function trainStep(model: Model, x: ModelTensors, y: ModelTensors, random: Random, previous: (Tensor | null)[] | null) {
  const { optimizer } = compiled(model, 'trainOnBatch');
  const batch = dataset('trainOnBatch', model, x, y);
  model.buildFor(batch.x);
  const parameters = model.trainableParameters;
  // A .grad left by the caller's own backward() (perhaps freed since by its tidy) must not be added to.
  for (const parameter of parameters) parameter.tensor.grad = null;
  return tidy(() => {
    const { loss, metricSums } = batchLoss(model, batch, true, random, previous);
    const value = loss.values[0]!;
    if (loss.requiresGrad) backward(loss);
    optimizer.applyGradients(parameters);
    for (const parameter of parameters) parameter.tensor.grad = null;
    return { loss: value, metricSums, rows: batch.rows };
  });
}

/** One step: forward, loss, backward, update. Everything made on the way is freed on return. */
export function trainOnBatch(model: Model, x: ModelTensors, y: ModelTensors, random: Random): MetricResults {
  const step = trainStep(model, x, y, random, null);
  return { loss: step.loss, ...metricLogs(model.metrics, step.metricSums as number[], step.rows) };
}

/** Model.fit: epochs of shuffled mini-batches with logs and callbacks; see FitOptions. */
export async function fitModel(
  model: Model,
  x: ModelTensors,
  y: ModelTensors,
  options: FitOptions = {},
): Promise<History> {
  compiled(model, 'fit');
  checkFitOptions(options);
  const epochs = checkCount('fit', 'epochs', options.epochs, 1, 0);
  const batchSize = checkCount('fit', 'batchSize', options.batchSize, 32, 1);
  const initialEpoch = checkCount('fit', 'initialEpoch', options.initialEpoch, 0, 0);
  const random = new Random(checkCount('fit', 'seed', options.seed, model.seed, -(2 ** 31)));
  const data = dataset('fit', model, x, y);
  const { validationSplit, shuffle } = options;
  checkRegionBatching('fit', model, { rows: data.rows, batchSize, shuffle: shuffle !== false, validationSplit });
  const { trainRows, validation } = splitData(model, data, options);
  if (validation !== null)
    checkRegionBatching('fit', model, { rows: validation.x[0]!.shape[0]!, batchSize, shuffle: false });
  const callbacks = callbackList(options.callbacks);
  const history: History = { epoch: [], history: { loss: [] } };
  model.buildFor(data.x);
  model.stopTraining = false;
  for (const callback of callbacks) callback.setModel?.(model);
  const gpu = startGpuFit(model, data);
  try {
    await runHook(callbacks, 'onTrainBegin');
    for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
      await runHook(callbacks, 'onEpochBegin', epoch);
      const started = performance.now();
      const order = options.shuffle === false ? null : random.permutation(trainRows);
      const gpuOrder = gpu?.order(order) ?? null;
      const plan = { order: gpuOrder ?? order, trainRows, batchSize, random, callbacks };
      const tally = new MetricTally(model.metrics);
      try {
        const train = await runEpoch(model, gpu?.data ?? data, plan, tally);
        const seconds = (performance.now() - started) / 1000;
        const logs: EpochLogs = { ...train, seconds, ...validate(model, validation, batchSize) };
        record(history, epoch, logs);
        await runHook(callbacks, 'onEpochEnd', epoch, logs);
      } finally {
        tally.release();
        gpuOrder?.dispose();
      }
    }
    await runHook(callbacks, 'onTrainEnd', history);
  } finally {
    gpu?.end();
    if (validation?.owned) for (const tensor of [...validation.x, ...validation.y]) tensor.dispose();
  }
  return history;
}

interface EpochPlan {
  /** The rows' order (on the GPU for a dataset there), or null for none. */
  order: Int32Array | Tensor | null;
  trainRows: number;
  batchSize: number;
  random: Random;
  callbacks: readonly FitCallbacks[];
}

async function runEpoch(
  model: Model,
  data: Dataset,
  plan: EpochPlan,
  tally: MetricTally,
): Promise<{ loss: number; [metric: string]: number }> {
  let [lossSum, seen] = [0, 0];
  for (let batch = 0, start = 0; start < plan.trainRows && !model.stopTraining; batch++, start += plan.batchSize) {
    const size = Math.min(plan.batchSize, plan.trainRows - start);
    await runHook(plan.callbacks, 'onBatchBegin', batch, { batch, size });
    const step = tidy(() => {
      const rows = batchOf(data, plan.order, start, size);
      return trainStep(model, rows.x, rows.y, plan.random, [...tally.previous]);
    });
    [lossSum, seen] = [lossSum + step.loss * size, seen + size];
    const metrics = tally.add(step.metricSums, size, seen);
    const logs = Object.defineProperties(
      { batch, size, loss: lossSum / seen, batchLoss: step.loss, samplesSeen: seen, samplesPerEpoch: plan.trainRows },
      Object.getOwnPropertyDescriptors(metrics),
    ) as BatchLogs;
    await runHook(plan.callbacks, 'onBatchEnd', batch, logs);
    await yieldNow();
  }
  return { loss: seen === 0 ? NaN : lossSum / seen, ...metricLogs(model.metrics, tally.totals(), seen) };
}

function validate(model: Model, validation: Dataset | null, batchSize: number): Partial<EpochLogs> {
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
