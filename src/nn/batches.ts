// Cutting batches out of a dataset: copies rows (in a given order) into a fresh tensor (on the GPU
// for a dataset there), and yields to the event loop now and then so pages stay responsive.
import { fail } from '../errors.js';
import { kernel } from '../kernels/backend.js';
import { referenceStepKernels } from '../kernels/reference/step-kernels.js';
import { inheritTrust } from '../ops/nn/labels.js';
import { Tensor } from '../tensor/tensor.js';
import type { LayersModel } from './layers-model.js';

/**
 * Rows order[start .. start+count) of `source` (batch axis first) in a new tensor of the same dtype,
 * by the gatherRows kernel: beside `source` on the GPU when it lives there (the order too, then), so
 * that a resident dataset's batches are cut there. Labels trusted on the GPU stay trusted.
 */
export function takeRows(source: Tensor, order: Int32Array | Tensor | null, start: number, count: number): Tensor {
  const rowSize = source.shape[0] === 0 ? 0 : source.size / source.shape[0]!;
  const batch = Tensor.allocate([count, ...source.shape.slice(1)], source.dtype, [source]);
  if (batch.size === 0) return batch;
  const orderValues = order instanceof Tensor ? order.kernelIntValues : order;
  // A heap source is cut in the heap: the GPU kernel would upload all of it for one batch.
  const gather = source.home === 'webgpu' ? kernel('gatherRows') : referenceStepKernels.gatherRows;
  gather(kernelArray(source), orderValues, kernelArray(batch), { start, count, rowSize });
  inheritTrust(source, batch);
  return batch;
}

const kernelArray = (tensor: Tensor): Float32Array | Int32Array =>
  tensor.dtype === 'int32' ? tensor.kernelIntValues : tensor.kernelValues;

/** Throws unless x and y are tensors with the same number of rows. */
export function checkDataset(op: string, x: unknown, y: unknown): number {
  if (!(x instanceof Tensor) || x.isDisposed || x.rank < 1) fail(op, 'x', 'must be a live Tensor with a batch axis', x);
  if (!(y instanceof Tensor) || y.isDisposed || y.rank < 1) fail(op, 'y', 'must be a live Tensor with a batch axis', y);
  if (x.shape[0] !== y.shape[0])
    fail(op, 'y', `must have as many rows as x (${x.shape[0]})`, `shape [${y.shape.join(', ')}]`);
  return x.shape[0]!;
}

/** How fit, evaluate or predict would cut a dataset into batches. */
export interface Batching {
  rows: number;
  batchSize: number;
  shuffle: boolean;
  validationSplit?: number;
}

/**
 * Throws where a model with region inputs (RoI rows, whose batch indices point into the whole
 * x[0]) would get its rows cut, reordered or split off: a batch of the image rows would no longer
 * be what the region rows' indices name, and the answer would be silently wrong.
 */
export function checkRegionBatching(op: string, model: Pick<LayersModel, 'regionInputs'>, batching: Batching): void {
  const regions = model.regionInputs;
  if (regions.length === 0) return;
  const input = `x[${regions[0]}]`;
  const why = `when ${input} holds regions whose batch indices point into the whole x[0]`;
  if (batching.shuffle === true) fail(op, 'shuffle', `must be false ${why}`, batching.shuffle);
  if (batching.batchSize < batching.rows)
    fail(op, 'batchSize', `must hold all ${batching.rows} rows in one batch ${why}`, batching.batchSize);
  if ((batching.validationSplit ?? 0) !== 0)
    fail(op, 'validationSplit', `must be 0 ${why} (give validationData)`, batching.validationSplit);
}

let lastYield = 0;

/** Lets timers and I/O run if 50 ms have passed since the last yield (cheap otherwise). */
export async function yieldNow(): Promise<void> {
  const now = Date.now();
  if (now - lastYield < 50) return;
  lastYield = now;
  await new Promise<void>((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}
