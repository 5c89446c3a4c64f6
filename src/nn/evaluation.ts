// evaluate and predict for every model (Sequential and functional), and the loss and metric sums
// of one batch that fit's steps and evaluate share. Each batch runs inside tidy(), inference mode.
import { noGrad } from '../autograd/tape.js';
import { fail } from '../errors.js';
import { add } from '../ops/nn/elementwise.js';
import { Random } from '../tensor/random.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { applyActivation } from './activation-names.js';
import { checkRegionBatching, takeRows } from './batches.js';
import { asList, batchOf, checkCount, compiled, dataset, type Dataset, type Model } from './fit-data.js';
import type { LayerShape } from './layer.js';
import type { ModelTensors } from './layers-model.js';
import type { BatchSum } from './metric-tally.js';
import { metricLogs } from './metrics.js';
import { checkEvaluateOptions } from './training-options.js';
import type { EvaluateOptions, MetricResults } from './training.js';

/**
 * Loss of a batch (the sum over outputs, each fused from logits when the model allows) and each
 * metric's sum over its rows: with `previous` (fit on the GPU), a metric with a GPU count keeps it
 * there (MetricTally).
 */
export function batchLoss(
  model: Model,
  batch: Dataset,
  training: boolean,
  random: Random,
  previous: readonly (Tensor | null)[] | null = null,
): { loss: Tensor; metricSums: BatchSum[] } {
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
  const targets = batch.y[0]!;
  const metricSums = model.metrics.map((metric, index) => {
    const onDevice = previous === null ? null : (metric.deviceSum?.(predictions, targets, previous[index]!) ?? null);
    return onDevice ?? metric.batchSum(predictions, targets);
  });
  return { loss: value, metricSums };
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
    (step.sums as number[]).forEach((sum, index) => (metricSums[index]! += sum));
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
