// conv2dSelectPool2d: a 2D convolution (then relu, when asked) followed by a pooling kind's call
// that picks one cell per window and sends that window's whole gradient to it (min, median, random
// in training, stochastic in training on relu's output: KindDefinition.selectCells), as one op with
// the numbers of the two ops in turn. Max pooling's fused op (conv2d-max-pool.ts) showed where the
// time of such a pair goes: its backward runs as the same conv2dMaxPoolBackwardFilter kernel pair,
// which routes the pooled gradient through the chosen cells inside the filter-gradient pass, so
// neither the kind's backward nor a full-size convolution gradient runs, and the full-size
// convolution output is not kept for a backward either. Sequential models use it (nn/forward.ts).
import { fail } from '../../errors.js';
import { kernel } from '../../kernels/backend.js';
import type { CellSelection } from '../../pooling/kind.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Conv2dOptions } from './conv2d.js';
import { checkedConvolution, recordRoutedGradient } from './conv2d-max-pool.js';

const OP = 'conv2dSelectPool2d';

/**
 * The selection of a pooling call on `convOutput` (the convolution's output, not yet computed when
 * asked), or null where that call does not pick one cell per window; `afterRelu`: the convolution
 * ends in relu.
 */
export type CellSelector = (convOutput: Tensor, afterRelu: boolean) => CellSelection | null;

/**
 * The pooling call that `select` makes of the NHWC convolution conv2d(input, filter, bias, conv)
 * (relu'd with `conv.activation: 'relu'`), as one op; null, with nothing computed, where `select`
 * returns null. The selection's windows must be 2D and channelsLast.
 */
export function conv2dSelectPool2d(
  input: Tensor,
  filter: Tensor,
  bias: Tensor | null,
  conv: Conv2dOptions | undefined,
  select: CellSelector,
): Tensor | null {
  const { convShape, relu } = checkedConvolution(OP, input, filter, bias, conv);
  const convOutput = Tensor.allocate(convShape.outputShape, 'float32', [input, filter, bias]);
  try {
    const selection = select(convOutput, relu);
    if (selection === null) return null;
    const pool = selection.geometry;
    if (pool.spatialDims !== 2 || !pool.channelsLast) {
      fail(OP, 'pool', 'must have 2D channelsLast windows', `${pool.spatialDims}D, channelsLast ${pool.channelsLast}`);
    }
    const [x, f, b] = [input.kernelValues, filter.kernelValues, bias?.kernelValues ?? null];
    kernel('conv2dForward')(x, f, b, convOutput.kernelValues, convShape, relu);
    const output = Tensor.allocate(pool.outputShape, 'float32', [convOutput]);
    const chosen = Tensor.allocate(pool.outputShape, 'int32', [convOutput]);
    selection.forward(output, chosen);
    return recordRoutedGradient(OP, { input, filter, bias, output, chosen }, convShape, pool, relu);
  } finally {
    convOutput.dispose();
  }
}
