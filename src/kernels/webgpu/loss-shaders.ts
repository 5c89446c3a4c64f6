// The WGSL of sparse softmax cross-entropy (reference/softmax-loss.ts): one invocation per row writes
// its log softmax and its loss term, one invocation adds the terms in row order, one invocation per
// element writes the gradient. Rows holding NaN or +Infinity, or only -Infinity, are NaN as in the
// reference; such values are tested on bits, since WGSL lets a GPU assume finite floats.
import { header, reads, storageBindings, writes } from './shader-common.js';
import { TrainParam } from './train-params.js';

/** The row shaders' sizes (rows, classes) and special bits. */
export const rowsWgsl = /* wgsl */ `
const NAN_BITS: u32 = 0x7fc00000u;
const NEGATIVE_INFINITY: u32 = 0xff800000u;
fn rows() -> u32 { return pu(${TrainParam.rows}u); }
fn classes() -> u32 { return pu(${TrainParam.columns}u); }
`;

/** rowsWgsl and the labels (int32 or float32 bits, binding 'labels'). */
export const lossWgsl = /* wgsl */ `${rowsWgsl}
/** Row 'row's class index: labels hold int32 or float32 bits. */
fn labelOf(row: u32) -> u32 {
  let bits = labels[row];
  return select(bits, u32(bitcast<f32>(bits)), p(${TrainParam.labelsFloat}u) != 0);
}
`;

/**
 * A row's shift (its max) and log Σ e^(x − max) in float32 over 'logits', and whether it is poisoned
 * (NaN or +Infinity in it, or only -Infinity: its log softmax is NaN). -Infinity cells add nothing.
 */
export const rowScaleWgsl = /* wgsl */ `
struct RowScale { largest: f32, logTotal: f32, poisoned: bool }
fn rowScale(start: u32) -> RowScale {
  var largest = NEGATIVE_INFINITY;
  var poisoned = false;
  for (var column = 0u; column < classes(); column++) {
    let bits = logits[start + column];
    poisoned = poisoned || isNanBits(bits) || bits == 0x7f800000u;
    if (bits != NEGATIVE_INFINITY && (largest == NEGATIVE_INFINITY || bitcast<f32>(bits) > bitcast<f32>(largest))) {
      largest = bits;
    }
  }
  poisoned = poisoned || largest == NEGATIVE_INFINITY;
  var total = 0.0;
  for (var column = 0u; column < classes(); column++) {
    let bits = logits[start + column];
    if (bits != NEGATIVE_INFINITY) { total = total + exp(bitcast<f32>(bits) - bitcast<f32>(largest)); }
  }
  return RowScale(bitcast<f32>(largest), log(total), poisoned);
}
`;

/** Per row: its scale (rowScale), log p per cell, −log p[label]. */
const rowsShader = `${header(
  lossWgsl +
    storageBindings([
      reads('logits', 'u32'),
      reads('labels', 'u32'),
      writes('logProbabilities', 'u32'),
      writes('rowLoss', 'f32'),
    ]) +
    rowScaleWgsl,
)}
  let row = element;
  let start = row * classes();
  let scale = rowScale(start);
  for (var column = 0u; column < classes(); column++) {
    let bits = logits[start + column];
    var result = bitcast<u32>(bitcast<f32>(bits) - scale.largest - scale.logTotal);
    if (bits == NEGATIVE_INFINITY) { result = NEGATIVE_INFINITY; }
    if (scale.poisoned) { result = NAN_BITS; }
    logProbabilities[start + column] = result;
  }
  rowLoss[row] = -bitcast<f32>(logProbabilities[start + labelOf(row)]);
}`;

/** The mean of the row terms, added in row order by one invocation. */
const meanShader = `${header(storageBindings([reads('rowLoss', 'f32'), writes('loss', 'f32')]))}
  var total = 0.0;
  for (var row = 0u; row < pu(${TrainParam.rows}u); row++) { total = total + rowLoss[row]; }
  loss[0] = total / f32(pu(${TrainParam.rows}u));
}`;

/** (e^logp − onehot) · scale per element; NaN and -Infinity log probabilities on bits. */
const gradientShader = `${header(
  lossWgsl + storageBindings([reads('logProbabilities', 'u32'), reads('labels', 'u32'), writes('gradLogits', 'u32')]),
)}
  let scale = bitcast<f32>(params[${TrainParam.constants}u]);
  let bits = logProbabilities[element];
  var result = select(exp(bitcast<f32>(bits)) * scale, 0.0, bits == NEGATIVE_INFINITY);
  if (labelOf(element / classes()) == element % classes()) { result = result - scale; }
  gradLogits[element] = select(bitcast<u32>(result), NAN_BITS, isNanBits(bits));
}`;

export const lossShaders: Readonly<Record<string, () => string>> = {
  softmaxCrossEntropyRows: () => rowsShader,
  softmaxCrossEntropyMean: () => meanShader,
  softmaxCrossEntropyGradient: () => gradientShader,
};
