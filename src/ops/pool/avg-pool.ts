// avgPool1d/2d/3d: the mean of each window, with PyTorch's count_include_pad and divisor_override.
//
// Semantics, on every backend:
// - output size, SAME split and ceil mode: poolGeometry (TensorFlow's SAME, PyTorch's ceil mode);
// - the sum runs over in-bounds cells; the divisor is `divisorOverride` when set, else with
//   `countIncludePad` the window's taps inside input plus padding (ceil-mode overhang never
//   counts), else its in-bounds taps: PyTorch's CPU avg_pool rule;
// - `countIncludePad` defaults to true for numeric padding (PyTorch's default) and to false for
//   padding 'same' (TensorFlow divides by the in-bounds count); an explicit value always wins;
// - a window with no in-bounds cell (only possible with dilation) outputs 0 and passes no gradient;
// - the gradient of each output spreads evenly, gradOutput / divisor, over its in-bounds cells;
// - float32 arithmetic, as PyTorch's CPU kernels and TensorFlow: the sum rounds after each cell in
//   window order, then divides once; each share rounds, and cells add shares in output order.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import type { SpatialDims } from '../../geometry/layout.js';
import { poolGeometry, type PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import type { AverageDivisor } from '../../kernels/types.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkOptions, checkTensor } from '../checks.js';

export interface AvgPoolOptions extends PoolOptions {
  /**
   * Count padded positions in the divisor (PyTorch's count_include_pad). Default: true for
   * numeric padding, false for 'same' (TensorFlow's rule).
   */
  countIncludePad?: boolean;
  /** Divide every window by this non-zero integer instead (PyTorch's divisor_override). */
  divisorOverride?: number | null;
}

/** Checks and resolves countIncludePad and divisorOverride. */
function averageDivisorOf(op: string, options: AvgPoolOptions): AverageDivisor {
  const countIncludePad = options.countIncludePad ?? options.padding !== 'same';
  if (typeof countIncludePad !== 'boolean') fail(op, 'countIncludePad', 'must be a boolean', countIncludePad);
  const divisorOverride = options.divisorOverride ?? null;
  if (divisorOverride !== null && (!Number.isSafeInteger(divisorOverride) || divisorOverride === 0)) {
    fail(op, 'divisorOverride', 'must be a non-zero integer (as in PyTorch), or null', divisorOverride);
  }
  return { countIncludePad, divisorOverride };
}

function avgPool(op: string, spatialDims: SpatialDims, input: Tensor, options: AvgPoolOptions): Tensor {
  checkTensor(op, 'input', input);
  const checked = checkOptions(op, options, true);
  const geometry = poolGeometry(op, input.shape, spatialDims, checked);
  const divisor = averageDivisorOf(op, checked);
  const output = Tensor.allocate(geometry.outputShape);
  kernel('avgPoolForward')(input.values, output.values, geometry, divisor);
  recordGrad(op, output, [input], (gradOutput) => {
    const gradInput = Tensor.allocate(input.shape);
    kernel('avgPoolBackward')(gradOutput.values, gradInput.values, geometry, divisor);
    return [gradInput];
  });
  return output;
}

/**
 * 1D average pooling over [batch, width, channels] (or [batch, channels, width] with channelsFirst).
 * @example avgPool1d(x, { kernelSize: 3, stride: 1, padding: 1 }) // divides by 3 at the edges too
 */
export function avgPool1d(input: Tensor, options: AvgPoolOptions): Tensor {
  return avgPool('avgPool1d', 1, input, options);
}

/**
 * 2D average pooling over [batch, height, width, channels] (or NCHW with channelsFirst).
 * @example avgPool2d(x, { kernelSize: 2 })                                  // 2x2, stride 2, VALID
 * @example avgPool2d(x, { kernelSize: 3, stride: 2, padding: 'same' })      // TensorFlow's AVG
 * @example avgPool2d(x, { kernelSize: 3, padding: 1, countIncludePad: false, ceilMode: true })
 */
export function avgPool2d(input: Tensor, options: AvgPoolOptions): Tensor {
  return avgPool('avgPool2d', 2, input, options);
}

/**
 * 3D average pooling over [batch, depth, height, width, channels] (or NCDHW with channelsFirst).
 * @example avgPool3d(x, { kernelSize: 2, divisorOverride: 4 })
 */
export function avgPool3d(input: Tensor, options: AvgPoolOptions): Tensor {
  return avgPool('avgPool3d', 3, input, options);
}
