// Integer class labels, as the sparse losses and the accuracy metric read them: checked on the CPU
// (labelValues), or, for labels fit checked once and moved to the GPU, trusted and bound in place by
// the GPU kernels, so that a step neither reads them back nor uploads them.
import { fail } from '../../errors.js';
import { residentBufferOf } from '../../tensor/device.js';
import { Tensor } from '../../tensor/tensor.js';

/** Integer class labels from a float32 or int32 tensor of shape [batch]; throws on any outside [0, classes). */
export function labelValues(op: string, labels: unknown, rows: number, classes: number): Float32Array | Int32Array {
  if (!(labels instanceof Tensor) || labels.isDisposed) fail(op, 'labels', 'must be a live Tensor', labels);
  if (labels.rank !== 1 || labels.size !== rows) {
    fail(op, 'labels', `must have shape [${rows}] (one class index per row)`, `shape [${labels.shape.join(', ')}]`);
  }
  const values = labels.dtype === 'int32' ? labels.intValues : labels.values;
  for (let row = 0; row < rows; row++) {
    const label = values[row]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      fail(op, 'labels', `must hold integers in [0, ${classes})`, `${label} at row ${row}`);
    }
  }
  return values;
}

/** Labels on the GPU known to hold integers in [0, classes): the buffer that was checked. */
const trusted = new WeakMap<Tensor, { classes: number; buffer: number }>();

const kernelArray = (tensor: Tensor): Float32Array | Int32Array =>
  tensor.dtype === 'int32' ? tensor.kernelIntValues : tensor.kernelValues;

/** The GPU buffer holding a resident tensor now, else undefined. */
const bufferOf = (tensor: Tensor): number | undefined =>
  tensor.home === 'webgpu' ? residentBufferOf(kernelArray(tensor)) : undefined;

/** True when `labels` was checked for at most `classes` classes and its values have not moved since. */
function isTrusted(labels: Tensor, classes: number): boolean {
  const mark = trusted.get(labels);
  return mark !== undefined && mark.classes <= classes && bufferOf(labels) === mark.buffer;
}

/**
 * Checks all of `labels` once (labelValues, with `op`'s errors) and returns a copy on the GPU
 * marked as valid for `classes`: the loss and accuracy kernels bind it without checking or copying.
 */
export function trustedCopy(op: string, labels: Tensor, classes: number): Tensor {
  labelValues(op, labels, labels.shape[0] ?? 0, classes);
  const copy = labels.copyToGpu();
  const buffer = bufferOf(copy);
  if (buffer !== undefined) trusted.set(copy, { classes, buffer });
  return copy;
}

/** A batch gathered on the GPU from trusted labels (takeRows) is trusted for as many classes. */
export function inheritTrust(source: Tensor, batch: Tensor): void {
  const mark = trusted.get(source);
  const buffer = bufferOf(batch);
  if (mark !== undefined && buffer !== undefined && isTrusted(source, mark.classes))
    trusted.set(batch, { classes: mark.classes, buffer });
}

/** The labels as a kernel takes them: bound in place where trusted, else checked on the CPU (labelValues). */
export function kernelLabels(op: string, labels: unknown, rows: number, classes: number): Float32Array | Int32Array {
  if (labels instanceof Tensor && !labels.isDisposed && labels.rank === 1 && labels.size === rows)
    if (isTrusted(labels, classes)) return kernelArray(labels);
  return labelValues(op, labels, rows, classes);
}
