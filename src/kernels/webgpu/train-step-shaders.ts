// The WGSL of a training step's bookkeeping (reference/step-kernels.ts): the argmax-compare count
// (one invocation per row, then one adding the rows in order), the row gather, the bias add, the
// column sum, softmax rows and an elementwise add. Comparisons and NaN are decided on float bits,
// since WGSL lets a GPU assume finite floats.
import { lossWgsl, rowScaleWgsl, rowsWgsl } from './loss-shaders.js';
import { header, reads, storageBindings, writes } from './shader-common.js';
import { TrainParam } from './train-params.js';

/** Integer words after the sizes: the gather's first row and whether it has an order. */
const stepWgsl = /* wgsl */ `
fn word(index: u32) -> u32 { return pu(${TrainParam.constants}u + index); }
fn columns() -> u32 { return pu(${TrainParam.columns}u); }
`;

/** Per row: 1 where argmaxOfRow (first largest by '>'; NaN never wins, nor is beaten in column 0) is the label. */
const argmaxCompareRows = `${header(
  lossWgsl + storageBindings([reads('predictions', 'u32'), reads('labels', 'u32'), writes('rowCorrect', 'u32')]),
)}
  let start = element * classes();
  var best = predictions[start];
  var bestIndex = 0u;
  for (var column = 1u; column < classes(); column++) {
    let bits = predictions[start + column];
    if (!isNanBits(bits) && !isNanBits(best) && orderKey(bits) > orderKey(best)) {
      best = bits;
      bestIndex = column;
    }
  }
  rowCorrect[element] = select(0u, 1u, bestIndex == labelOf(element));
}`;

/** One invocation: the rows' count in order, and the running count after previous[1]. */
const argmaxCompareCount = `${header(
  rowsWgsl + storageBindings([reads('rowCorrect', 'u32'), reads('previous', 'i32'), writes('counts', 'i32')]),
)}
  var total = 0;
  for (var row = 0u; row < rows(); row++) { total = total + i32(rowCorrect[row]); }
  counts[0] = total;
  counts[1] = previous[1] + total;
}`;

/** Per output element: the bits of row order[start + row] (start + row without an order). */
const gatherRows = `${header(
  stepWgsl + storageBindings([reads('source', 'u32'), reads('order', 'i32'), writes('output', 'u32')]),
)}
  let row = element / columns();
  var sourceRow = word(0u) + row;
  if (word(1u) != 0u) { sourceRow = u32(order[sourceRow]); }
  output[element] = source[sourceRow * columns() + element % columns()];
}`;

/** NaN bits where either addend is NaN, else the float32 sum. */
const sumWgsl = /* wgsl */ `
fn addBits(left: u32, right: u32) -> u32 {
  if (isNanBits(left) || isNanBits(right)) { return 0x7fc00000u; }
  return bitcast<u32>(bitcast<f32>(left) + bitcast<f32>(right));
}
`;

const biasAdd = `${header(stepWgsl + sumWgsl + storageBindings([writes('values', 'u32'), reads('bias', 'u32')]))}
  values[element] = addBits(values[element], bias[element % columns()]);
}`;

/** Per column: Σ over rows in row order, in float32. */
const columnSum = `${header(stepWgsl + storageBindings([reads('matrix', 'f32'), writes('sums', 'f32')]))}
  var total = 0.0;
  for (var row = 0u; row < pu(${TrainParam.rows}u); row++) { total = total + matrix[row * columns() + element]; }
  sums[element] = total;
}`;

/** Per row: e^(x − max − log Σ) as softmaxRows; -Infinity cells 0, poisoned rows NaN. */
const softmaxForward = `${header(
  rowsWgsl + storageBindings([reads('logits', 'u32'), writes('output', 'u32')]) + rowScaleWgsl,
)}
  let start = element * classes();
  let scale = rowScale(start);
  for (var column = 0u; column < classes(); column++) {
    let bits = logits[start + column];
    var result = bitcast<u32>(exp(bitcast<f32>(bits) - scale.largest - scale.logTotal));
    if (bits == NEGATIVE_INFINITY) { result = 0u; }
    if (scale.poisoned) { result = NAN_BITS; }
    output[start + column] = result;
  }
}`;

/** Per row: Σ g·y in float32 in column order, then y · (g − Σ) per cell. */
const softmaxBackward = `${header(
  rowsWgsl + storageBindings([reads('output', 'f32'), reads('gradOutput', 'f32'), writes('gradInput', 'f32')]),
)}
  let start = element * classes();
  var total = 0.0;
  for (var column = 0u; column < classes(); column++) { total = total + gradOutput[start + column] * output[start + column]; }
  for (var column = 0u; column < classes(); column++) {
    gradInput[start + column] = output[start + column] * (gradOutput[start + column] - total);
  }
}`;

const addForward = `${header(
  sumWgsl + storageBindings([reads('left', 'u32'), reads('right', 'u32'), writes('sum', 'u32')]),
)}
  sum[element] = addBits(left[element], right[element]);
}`;

export const stepShaders: Readonly<Record<string, () => string>> = {
  argmaxCompareRows: () => argmaxCompareRows,
  argmaxCompareCount: () => argmaxCompareCount,
  gatherRows: () => gatherRows,
  biasAdd: () => biasAdd,
  columnSum: () => columnSum,
  softmaxForward: () => softmaxForward,
  softmaxBackward: () => softmaxBackward,
  addForward: () => addForward,
};
