// Cutting batches out of a dataset: copies rows (in a given order) into a fresh tensor, and
// yields to the event loop now and then so progress bars and pages stay responsive.
import { fail } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

/** Rows order[start .. start+count) of `source` (batch axis first) in a new tensor of the same dtype. */
export function takeRows(source: Tensor, order: Int32Array | null, start: number, count: number): Tensor {
  const rowSize = source.shape[0] === 0 ? 0 : source.size / source.shape[0]!;
  const batch = Tensor.allocate([count, ...source.shape.slice(1)], source.dtype);
  const [from, to] = source.dtype === 'int32' ? [source.intValues, batch.intValues] : [source.values, batch.values];
  if (order === null) {
    to.set(from.subarray(start * rowSize, (start + count) * rowSize));
    return batch;
  }
  // One native copy per row: a JS element loop cost ~0.5 ms per MNIST batch, several times more.
  for (let row = 0; row < count; row++) {
    const sourceStart = order[start + row]! * rowSize;
    to.set(from.subarray(sourceStart, sourceStart + rowSize), row * rowSize);
  }
  return batch;
}

/** Throws unless x and y are tensors with the same number of rows. */
export function checkDataset(op: string, x: unknown, y: unknown): number {
  if (!(x instanceof Tensor) || x.isDisposed || x.rank < 1) fail(op, 'x', 'must be a live Tensor with a batch axis', x);
  if (!(y instanceof Tensor) || y.isDisposed || y.rank < 1) fail(op, 'y', 'must be a live Tensor with a batch axis', y);
  if (x.shape[0] !== y.shape[0])
    fail(op, 'y', `must have as many rows as x (${x.shape[0]})`, `shape [${y.shape.join(', ')}]`);
  return x.shape[0]!;
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
