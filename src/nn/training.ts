// fit, evaluate and predict for every model (Sequential and functional). Each training step runs
// inside tidy(): forward with the tape, loss, backward, optimizer update in place, so memory in use
// is the same after every step. Inputs and targets are lists inside (one per model input/output).
import { backward, noGrad } from '../autograd/tape.js';
import { fail } from '../errors.js';
import { getBackend } from '../kernels/backend.js';
import { add } from '../ops/nn/elementwise.js';
import { Random } from '../tensor/random.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { applyActivation } from './activation-names.js';
import { checkDataset, checkRegionBatching, takeRows, yieldNow } from './batches.js';
import { callbackList, runHook, type FitCallbacks } from './callbacks.js';
import type { LayerShape } from './layer.js';
import type { LayersModel, ModelTensors } from './layers-model.js';
import { batchMetricSums, metricLogs } from './metrics.js';
import { checkEvaluateOptions, checkFitOptions } from './training-options.js';

export type { FitCallbacks } from './callbacks.js';

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

type Model = LayersModel<Tensor | Tensor[]>;

/** A dataset as lists: one tensor per model input and per model output, all with the same rows. */
interface Dataset {
  readonly x: readonly Tensor[];
  readonly y: readonly Tensor[];
}

function compiled(model: Model, op: string) {
  if (model.optimizer === null || model.loss === null)
    fail(op, 'model', 'must be compiled first (model.compile({optimizer, loss}))', model.name);
  return { optimizer: model.optimizer, loss: model.loss };
}

/** One tensor or a list, as a list with `count` tensors (the model's inputs or outputs). */
function asList(op: string, name: string, value: unknown, count: number): readonly Tensor[] {
  const list = Array.isArray(value) ? (value as readonly Tensor[]) : [value as Tensor];
  if (list.length !== count)
    fail(op, name, `must be ${count === 1 ? 'one tensor' : `a list of ${count} tensors`}`, list.length);
  return list;
}

/** Checks x and y against the model (counts, rows) and returns them as lists with their row count. */
function dataset(op: string, model: Model, x: unknown, y: unknown): Dataset & { rows: number } {
  const inputs = asList(op, 'x', x, model.inputShapes?.length ?? 1);
  const targets = asList(op, 'y', y, model.outputShapes?.length ?? 1);
  const rows = checkDataset(op, inputs[0], targets[0]);
  for (const tensor of [...inputs, ...targets]) checkDataset(op, inputs[0], tensor);
  if (model.metrics.length > 0 && targets.length > 1)
    fail(op, 'model', 'must have one output to report metrics (give several outputs no metrics)', targets.length);
  return { x: inputs, y: targets, rows };
}

/** Rows order[start .. start + count) of every tensor of a dataset. */
function batchOf(data: Dataset, order: Int32Array | null, start: number, count: number): Dataset {
  return {
    x: data.x.map((tensor) => takeRows(tensor, order, start, count)),
    y: data.y.map((tensor) => takeRows(tensor, order, start, count)),
  };
}

/** Loss of a batch (the sum over outputs, each fused from logits when the model allows) and each metric's sum over its rows. */
function batchLoss(
  model: Model,
  batch: Dataset,
  training: boolean,
  random: Random,
): { loss: Tensor; metricSums: number[] } {
  const { loss } = compiled(model, 'fit');
  const fromLogits = model.trainsFromLogits;
  const outputs = model.forward(batch.x, { training, random, logits: fromLogits });
  const losses = outputs.map((output, index) =>
    fromLogits ? loss.fromLogits!(output, batch.y[index]!) : loss.fromOutput(output, batch.y[index]!),
  );
  const value = losses.slice(1).reduce((sum, term) => add(sum, term), losses[0]!);
  if (model.metrics.length === 0) return { loss: value, metricSums: [] };
  // Metrics read the model's output, so a fused activation is applied for them (no gradient needed).
  const output = outputs[0]!;
  const predictions = fromLogits ? noGrad(() => applyActivation(loss.logitsActivation, output)) : output;
  return { loss: value, metricSums: batchMetricSums(model.metrics, predictions, batch.y[0]!) };
}

/** One step: forward, loss, backward, update. Everything made on the way is freed on return. */
export function trainOnBatch(model: Model, x: ModelTensors, y: ModelTensors, random: Random): MetricResults {
  const { optimizer } = compiled(model, 'trainOnBatch');
  const batch = dataset('trainOnBatch', model, x, y);
  model.buildFor(batch.x);
  const parameters = model.trainableParameters;
  // A .grad left by the caller's own backward() (perhaps freed since by its tidy) must not be added to.
  for (const parameter of parameters) parameter.tensor.grad = null;
  return tidy(() => {
    const { loss, metricSums } = batchLoss(model, batch, true, random);
    const value = loss.values[0]!;
    if (loss.requiresGrad) backward(loss);
    optimizer.applyGradients(parameters);
    for (const parameter of parameters) parameter.tensor.grad = null;
    return { loss: value, ...metricLogs(model.metrics, metricSums, batch.rows) };
  });
}

function checkCount(op: string, name: string, value: unknown, fallback: number, minimum: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || (resolved as number) < minimum)
    fail(op, name, `must be an integer of at least ${minimum}`, value);
  return resolved as number;
}

/** Training rows and the validation set, following validationData or validationSplit (the last rows, before shuffling). */
function splitData(model: Model, data: Dataset & { rows: number }, options: FitOptions) {
  if (options.validationData !== undefined) {
    if (!Array.isArray(options.validationData) || options.validationData.length !== 2)
      fail('fit', 'validationData', 'must be [x, y]', options.validationData);
    const [x, y] = options.validationData;
    const validation = dataset('fit', model, x, y);
    return { trainRows: data.rows, validation: { ...validation, owned: false } };
  }
  const split = options.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1))
    fail('fit', 'validationSplit', 'must be a number in [0, 1)', split);
  const trainRows = Math.floor(data.rows * (1 - split));
  if (split === 0 || trainRows === data.rows) return { trainRows: data.rows, validation: null };
  const validation = batchOf(data, null, trainRows, data.rows - trainRows);
  return { trainRows, validation: { ...validation, owned: true } };
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
  const bringHome = keepOnGpu(model);
  try {
    await runHook(callbacks, 'onTrainBegin');
    for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
      await runHook(callbacks, 'onEpochBegin', epoch);
      const started = performance.now();
      const order = options.shuffle === false ? null : random.permutation(trainRows);
      const plan = { order, trainRows, batchSize, random, callbacks, resident: bringHome !== null };
      const train = await runEpoch(model, data, plan);
      const seconds = (performance.now() - started) / 1000;
      const logs: EpochLogs = { ...train, seconds, ...validate(model, validation, batchSize) };
      record(history, epoch, logs);
      await runHook(callbacks, 'onEpochEnd', epoch, logs);
    }
    await runHook(callbacks, 'onTrainEnd', history);
  } finally {
    bringHome?.();
    if (validation?.owned) for (const tensor of [...validation.x, ...validation.y]) tensor.dispose();
  }
  return history;
}

/**
 * On webgpu, fit keeps the trainable weights and the optimizer's slots on the GPU (Tensor.to) and
 * each step's inputs go there once; the returned function brings them back to the heap when fit
 * ends. Null on the other backends.
 */
function keepOnGpu(model: Model): (() => void) | null {
  if (getBackend() !== 'webgpu') return null;
  const { optimizer } = compiled(model, 'fit');
  const weights = model.trainableParameters.map((parameter) => parameter.tensor);
  for (const weight of weights) weight.to('webgpu');
  optimizer.moveSlots('webgpu');
  return () => {
    for (const weight of weights) if (!weight.isDisposed) weight.to('heap');
    optimizer.moveSlots('heap');
  };
}

interface EpochPlan {
  order: Int32Array | null;
  trainRows: number;
  batchSize: number;
  random: Random;
  callbacks: readonly FitCallbacks[];
  /** The weights live on the GPU: each batch's inputs go there too. */
  resident: boolean;
}

async function runEpoch(
  model: Model,
  data: Dataset,
  plan: EpochPlan,
): Promise<{ loss: number; [metric: string]: number }> {
  const metricSums = model.metrics.map(() => 0);
  let [lossSum, seen] = [0, 0];
  for (let batch = 0, start = 0; start < plan.trainRows && !model.stopTraining; batch++, start += plan.batchSize) {
    const size = Math.min(plan.batchSize, plan.trainRows - start);
    await runHook(plan.callbacks, 'onBatchBegin', batch, { batch, size });
    const step = tidy(() => {
      const rows = batchOf(data, plan.order, start, size);
      if (plan.resident) for (const input of rows.x) input.to('webgpu');
      return trainOnBatch(model, rows.x, rows.y, plan.random);
    });
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
    await runHook(plan.callbacks, 'onBatchEnd', batch, logs);
    await yieldNow();
  }
  return { loss: seen === 0 ? NaN : lossSum / seen, ...metricLogs(model.metrics, metricSums, seen) };
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

/** Model.evaluate: loss and accuracy over all rows (means weighted by batch size), inference mode. */
export function evaluateModel(
  model: Model,
  x: ModelTensors,
  y: ModelTensors,
  options: EvaluateOptions = {},
): MetricResults {
  compiled(model, 'evaluate');
  checkEvaluateOptions('evaluate', options);
  const data = dataset('evaluate', model, x, y);
  const batchSize = checkCount('evaluate', 'batchSize', options.batchSize, 32, 1);
  checkRegionBatching('evaluate', model, { rows: data.rows, batchSize, shuffle: false });
  model.buildFor(data.x);
  const random = new Random(model.seed);
  let lossSum = 0;
  const metricSums = model.metrics.map(() => 0);
  for (let start = 0; start < data.rows; start += batchSize) {
    const size = Math.min(batchSize, data.rows - start);
    const step = tidy(() =>
      noGrad(() => {
        const { loss, metricSums: sums } = batchLoss(model, batchOf(data, null, start, size), false, random);
        return { loss: loss.values[0]!, sums };
      }),
    );
    lossSum += step.loss * size;
    step.sums.forEach((sum, index) => (metricSums[index]! += sum));
  }
  return { loss: data.rows === 0 ? NaN : lossSum / data.rows, ...metricLogs(model.metrics, metricSums, data.rows) };
}

/** Model.predict: every output for every row of x, one tensor per output (the caller owns them). */
export function predictModel(model: Model, x: ModelTensors, options: EvaluateOptions = {}): Tensor[] {
  const inputs = asList('predict', 'x', x, model.inputShapes?.length ?? 1);
  inputs.forEach((input, index) => {
    if (!(input instanceof Tensor) || input.isDisposed || input.rank < 1)
      fail('predict', inputs.length === 1 ? 'x' : `x[${index}]`, 'must be a live Tensor with a batch axis', input);
    if (input.shape[0] !== inputs[0]!.shape[0])
      fail('predict', `x[${index}]`, 'must have as many rows as x[0]', input.shape[0]);
  });
  checkEvaluateOptions('predict', options);
  const rows = inputs[0]!.shape[0]!;
  const batchSize = checkCount('predict', 'batchSize', options.batchSize, 32, 1);
  checkRegionBatching('predict', model, { rows, batchSize, shuffle: false });
  model.buildFor(inputs);
  // Outputs are allocated from the first batch's shapes (unknown extents, such as steps, are known then).
  const emptyShape = (shape: LayerShape) => [0, ...shape.slice(1).map((extent) => extent ?? 1)];
  const results: Tensor[] = rows === 0 ? model.outputShapes!.map((shape) => Tensor.allocate(emptyShape(shape))) : [];
  for (let start = 0; start < rows; start += batchSize) {
    const size = Math.min(batchSize, rows - start);
    const outputs = tidy(() =>
      noGrad(() => {
        const batch = inputs.map((input) => takeRows(input, null, start, size));
        return model.forward(batch, { training: false, random: new Random(model.seed) });
      }),
    );
    outputs.forEach((output, index) => {
      results[index] ??= Tensor.allocate([rows, ...output.shape.slice(1)]);
      results[index]!.values.set(output.values, start * (output.size / size));
      output.dispose();
    });
  }
  return results;
}
