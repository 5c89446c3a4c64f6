// Metrics by the names Keras and tfjs-layers accept in compile, each a mean over rows of a per-row
// value, as Keras's MeanMetricWrapper: accuracy (sparse, categorical or binary, chosen from the
// loss), binaryAccuracy (threshold 0.5), categoricalAccuracy, sparseCategoricalAccuracy, and mae and
// mse (the mean over the last axis of |p − t| and (p − t)²). A batch gives each metric's sum over its
// rows; fit and evaluate add the sums up and divide by the rows seen.
import { fail } from '../errors.js';
import { describeShape, elementsOf, nearestKey } from '../ops/checks.js';
import { kernel } from '../kernels/backend.js';
import { argmaxOfRow } from '../kernels/reference/step-kernels.js';
import { kernelLabels } from '../ops/nn/labels.js';
import { Tensor } from '../tensor/tensor.js';
import type { AccuracyKind, ResolvedLoss } from './losses.js';

/** Every metric name compile accepts (camelCase as tfjs-layers, snake_case as Keras, short names). */
export type MetricName =
  | 'accuracy'
  | 'acc'
  | 'binaryAccuracy'
  | 'binary_accuracy'
  | 'categoricalAccuracy'
  | 'categorical_accuracy'
  | 'sparseCategoricalAccuracy'
  | 'sparse_categorical_accuracy'
  | 'mae'
  | 'MAE'
  | 'meanAbsoluteError'
  | 'mean_absolute_error'
  | 'mse'
  | 'MSE'
  | 'meanSquaredError'
  | 'mean_squared_error';

export interface ResolvedMetric {
  /** The key in logs and history: the name as given, camelCased ('binary_accuracy' → 'binaryAccuracy'). */
  readonly name: string;
  /** The sum over the batch's rows of the per-row value. */
  readonly batchSum: (predictions: Tensor, targets: Tensor) => number;
  /**
   * The sum kept on the GPU, for predictions that live there: a new int32 [batch sum, running sum
   * after `previous`] tensor beside them, or null where this metric has no GPU kernel.
   */
  readonly deviceSum?: (predictions: Tensor, targets: Tensor, previous: Tensor | null) => Tensor | null;
}

type BatchSum = ResolvedMetric['batchSum'];

const accuracyOf =
  (kind: AccuracyKind): BatchSum =>
  (predictions, targets) =>
    countCorrect(kind, predictions, targets);

/** The metric behind each spelling; 'accuracy' and 'acc' are resolved from the loss. */
const METRICS: Record<Exclude<MetricName, 'accuracy' | 'acc'>, BatchSum> = {
  binaryAccuracy: accuracyOf('binary'),
  binary_accuracy: accuracyOf('binary'),
  categoricalAccuracy: accuracyOf('categorical'),
  categorical_accuracy: accuracyOf('categorical'),
  sparseCategoricalAccuracy: accuracyOf('sparse'),
  sparse_categorical_accuracy: accuracyOf('sparse'),
  mae: (predictions, targets) => rowMeanSum('mae', predictions, targets, (difference) => Math.abs(difference)),
  mse: (predictions, targets) => rowMeanSum('mse', predictions, targets, (difference) => difference * difference),
  MAE: (predictions, targets) => METRICS.mae(predictions, targets),
  MSE: (predictions, targets) => METRICS.mse(predictions, targets),
  meanAbsoluteError: (predictions, targets) => METRICS.mae(predictions, targets),
  mean_absolute_error: (predictions, targets) => METRICS.mae(predictions, targets),
  meanSquaredError: (predictions, targets) => METRICS.mse(predictions, targets),
  mean_squared_error: (predictions, targets) => METRICS.mse(predictions, targets),
};

/** The log key of a spelling: camelCase, 'acc' as 'accuracy', 'MAE' and 'MSE' in lower case. */
function logName(spelling: string): string {
  if (spelling === 'acc') return 'accuracy';
  if (spelling === 'MAE' || spelling === 'MSE') return spelling.toLowerCase();
  return spelling.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * compile's metrics list, resolved against the compiled loss.
 * @example resolveMetrics(['accuracy', 'mae'], resolveLoss('binaryCrossentropy'))
 */
export function resolveMetrics(metrics: unknown, loss: ResolvedLoss): ResolvedMetric[] {
  if (metrics === undefined) return [];
  if (!Array.isArray(metrics)) fail('compile', 'metrics', 'must be a list of metric names', metrics);
  const known = ['accuracy', 'acc', ...Object.keys(METRICS)];
  const resolved = metrics.map((metric: unknown): ResolvedMetric => {
    if (metric === 'accuracy' || metric === 'acc') {
      const deviceSum = loss.accuracy === 'sparse' ? { deviceSum: sparseDeviceCount } : {};
      return { name: 'accuracy', batchSum: accuracyOf(loss.accuracy), ...deviceSum };
    }
    if (typeof metric === 'string' && Object.hasOwn(METRICS, metric))
      return { name: logName(metric), batchSum: METRICS[metric as keyof typeof METRICS] };
    const nearest = typeof metric === 'string' ? nearestKey(metric, known) : null;
    const rule =
      nearest === null
        ? `must hold metric names: ${known.map((name) => `'${name}'`).join(', ')}`
        : `must hold metric names; did you mean '${nearest}'?`;
    return fail('compile', 'metrics', rule, metric);
  });
  const names = resolved.map((metric) => metric.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) fail('compile', 'metrics', 'must not name one metric twice', repeated);
  return resolved;
}

/** Each metric's sum over the batch's rows, in the order of `metrics`. */
export function batchMetricSums(metrics: readonly ResolvedMetric[], predictions: Tensor, targets: Tensor): number[] {
  return metrics.map((metric) => metric.batchSum(predictions, targets));
}

/**
 * The means over `rows` rows as log entries: { accuracy, mae } or, with a prefix, { valAccuracy, valMae }.
 * NaN for no rows.
 */
export function metricLogs(
  metrics: readonly ResolvedMetric[],
  sums: readonly number[],
  rows: number,
  prefix = '',
): Record<string, number> {
  const entries = metrics.map((metric, index) => [metricKey(metric, prefix), rows === 0 ? NaN : sums[index]! / rows]);
  return Object.fromEntries(entries);
}

/** A metric's log key: its name, or with a prefix `valAccuracy`, `batchMae`. */
export function metricKey(metric: ResolvedMetric, prefix = ''): string {
  return prefix === '' ? metric.name : prefix + metric.name[0]!.toUpperCase() + metric.name.slice(1);
}

/** Σ over rows of the row's mean of f(p − t) over its other axes: Σ f / (elements per row). */
function rowMeanSum(op: string, predictions: Tensor, targets: Tensor, f: (difference: number) => number): number {
  if (targets.size !== predictions.size)
    fail(
      op,
      'targets',
      `must have as many elements as the predictions (${describeShape(predictions)})`,
      describeShape(targets),
    );
  const rows = predictions.shape[0] ?? 1;
  const width = rows === 0 ? 0 : predictions.size / rows;
  const [values, wanted] = [predictions.values, elementsOf(targets)];
  let total = 0;
  for (let index = 0; index < values.length; index++) total += f(values[index]! - wanted[index]!);
  return width === 0 ? 0 : total / width;
}

/**
 * How many rows of a batch the prediction gets right, by the accuracy kind; for 'binary', the sum
 * over rows of the fraction of cells with (p > 0.5) equal to the target. No JS arrays per call.
 */
export function countCorrect(kind: AccuracyKind, predictions: Tensor, targets: Tensor): number {
  const rows = predictions.shape[0] ?? 0;
  const width = rows === 0 ? 0 : predictions.size / rows;
  if (kind === 'sparse') {
    const counts = new Int32Array(2);
    const labels = kernelLabels('accuracy', targets, rows, width);
    kernel('argmaxCompare')(predictions.kernelValues, labels, new Int32Array(2), counts, { rows, classes: width });
    return counts[0]!;
  }
  const values = predictions.values;
  if (kind === 'binary') {
    if (targets.size !== predictions.size)
      fail(
        'binaryAccuracy',
        'targets',
        `must have as many elements as the predictions (${describeShape(predictions)})`,
        describeShape(targets),
      );
    const wanted = elementsOf(targets);
    let correct = 0;
    for (let index = 0; index < values.length; index++) if ((values[index]! > 0.5 ? 1 : 0) === wanted[index]) correct++;
    return width === 0 ? 0 : correct / width;
  }
  const labels = targets.values;
  let correct = 0;
  for (let row = 0; row < rows; row++)
    if (argmaxOfRow(values, row * width, width) === argmaxOfRow(labels, row * width, width)) correct++;
  return correct;
}

/**
 * Sparse accuracy's count on the GPU (argmaxCompare) for resident predictions: int32 [rows right,
 * running count after `previous`] beside them, never read back here; null for predictions in the heap.
 */
function sparseDeviceCount(predictions: Tensor, targets: Tensor, previous: Tensor | null): Tensor | null {
  const rows = predictions.shape[0] ?? 0;
  if (predictions.home !== 'webgpu' || rows === 0) return null;
  const width = predictions.size / rows;
  const labels = kernelLabels('accuracy', targets, rows, width);
  const counts = Tensor.allocate([2], 'int32', [predictions]);
  const start = previous ?? Tensor.allocate([2], 'int32', [predictions]); // zero-filled on the GPU
  const shape = { rows, classes: width };
  kernel('argmaxCompare')(predictions.kernelValues, labels, start.kernelIntValues, counts.kernelIntValues, shape);
  if (previous === null) start.dispose();
  return counts;
}
