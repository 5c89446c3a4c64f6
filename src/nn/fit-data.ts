// The datasets fit, evaluate and trainOnBatch take: one tensor or a list per model input and output,
// checked against the model, cut into batches (takeRows) and split for validation.
import { fail } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkDataset, takeRows } from './batches.js';
import type { LayersModel } from './layers-model.js';
import type { FitOptions } from './training.js';

export type Model = LayersModel<Tensor | Tensor[]>;

/** A dataset as lists: one tensor per model input and per model output, all with the same rows. */
export interface Dataset {
  readonly x: readonly Tensor[];
  readonly y: readonly Tensor[];
}

export function compiled(model: Model, op: string) {
  if (model.optimizer === null || model.loss === null)
    fail(op, 'model', 'must be compiled first (model.compile({optimizer, loss}))', model.name);
  return { optimizer: model.optimizer, loss: model.loss };
}

/** One tensor or a list, as a list with `count` tensors (the model's inputs or outputs). */
export function asList(op: string, name: string, value: unknown, count: number): readonly Tensor[] {
  const list = Array.isArray(value) ? (value as readonly Tensor[]) : [value as Tensor];
  if (list.length !== count)
    fail(op, name, `must be ${count === 1 ? 'one tensor' : `a list of ${count} tensors`}`, list.length);
  return list;
}

/** Checks x and y against the model (counts, rows) and returns them as lists with their row count. */
export function dataset(op: string, model: Model, x: unknown, y: unknown): Dataset & { rows: number } {
  const inputs = asList(op, 'x', x, model.inputShapes?.length ?? 1);
  const targets = asList(op, 'y', y, model.outputShapes?.length ?? 1);
  const rows = checkDataset(op, inputs[0], targets[0]);
  for (const tensor of [...inputs, ...targets]) checkDataset(op, inputs[0], tensor);
  if (model.metrics.length > 0 && targets.length > 1)
    fail(op, 'model', 'must have one output to report metrics (give several outputs no metrics)', targets.length);
  return { x: inputs, y: targets, rows };
}

/** Rows order[start .. start + count) of every tensor of a dataset (the order on the GPU for a dataset there). */
export function batchOf(data: Dataset, order: Int32Array | Tensor | null, start: number, count: number): Dataset {
  return {
    x: data.x.map((tensor) => takeRows(tensor, order, start, count)),
    y: data.y.map((tensor) => takeRows(tensor, order, start, count)),
  };
}

export function checkCount(op: string, name: string, value: unknown, fallback: number, minimum: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || (resolved as number) < minimum)
    fail(op, name, `must be an integer of at least ${minimum}`, value);
  return resolved as number;
}

/** Training rows and the validation set, following validationData or validationSplit (the last rows, before shuffling). */
export function splitData(model: Model, data: Dataset & { rows: number }, options: FitOptions) {
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
