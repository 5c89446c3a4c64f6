// lpPool1d/2d/3d: the p-norm of each window, (Σ |x|^p)^(1/p), as ONNX LpPool defines it.
//
// Semantics, on every backend:
// - output size, SAME split and ceil mode: poolGeometry, as for every pooling;
// - out = (Σ |x|^p)^(1/p) over the window's in-bounds cells, for any real p >= 1; padding and
//   ceil-mode overhang contribute 0 (ONNX LpPool); p = 1 is the sum of |x|, p = 2 the Euclidean norm;
// - gradient: gradOutput · |x|^(p-1)·sign(x) / out^(p-1), and 0 for a window whose out is 0;
// - float32 arithmetic, as PyTorch's lp_pool: each |x|^p rounds (so it overflows to Infinity past
//   float32's range, |x| > 1.8e19 for p = 2), the sum rounds after each cell in window order, the
//   root rounds once; the backward rounds each factor and term (reference lp-pool.ts);
// - PyTorch's lp_pool1d/2d compute (avg_pool(x^p) · kernelVolume)^(1/p) instead: no absolute value
//   (negative inputs give NaN for fractional or odd p), windows overhanging in ceil mode scaled by
//   kernelVolume / inBounds, and no padding or dilation. The two agree, and poolkit matches PyTorch,
//   for p = 2 or non-negative input without ceil-mode overhang.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import type { SpatialDims } from '../../geometry/layout.js';
import { poolGeometry, type PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkOptions, checkTensor } from '../checks.js';

export interface LpPoolOptions extends PoolOptions {
  /** The power p: a finite number of at least 1. */
  p?: number;
  /** PyTorch's name for p; give one of the two. */
  normType?: number;
}

/** Resolves p from `p` or its alias `normType`, and checks it. */
function powerOf(op: string, options: LpPoolOptions): number {
  const { p, normType } = options;
  if (p !== undefined && normType !== undefined && p !== normType) {
    fail(op, 'p', `and its alias normType must agree when both are given (normType ${String(normType)})`, p);
  }
  const power = p ?? normType;
  const name = p === undefined && normType !== undefined ? 'normType' : 'p';
  if (typeof power !== 'number' || !Number.isFinite(power) || power < 1) {
    fail(op, name, 'must be a finite number of at least 1', power);
  }
  return power;
}

function lpPool(op: string, spatialDims: SpatialDims, input: Tensor, options: LpPoolOptions): Tensor {
  checkTensor(op, 'input', input);
  const checked = checkOptions(op, options, true);
  const power = powerOf(op, checked);
  const geometry = poolGeometry(op, input.shape, spatialDims, checked);
  const output = Tensor.allocate(geometry.outputShape);
  kernel('lpPoolForward')(input.values, output.values, geometry, power);
  recordGrad(op, output, [input], (gradOutput) => {
    const gradInput = Tensor.allocate(input.shape);
    kernel('lpPoolBackward')(input.values, output.values, gradOutput.values, gradInput.values, geometry, power);
    return [gradInput];
  });
  return output;
}

/**
 * 1D Lp pooling over [batch, width, channels] (or [batch, channels, width] with channelsFirst).
 * @example lpPool1d(x, { p: 2, kernelSize: 3, stride: 1 })
 */
export function lpPool1d(input: Tensor, options: LpPoolOptions): Tensor {
  return lpPool('lpPool1d', 1, input, options);
}

/**
 * 2D Lp pooling over [batch, height, width, channels] (or NCHW with channelsFirst).
 * @example lpPool2d(x, { p: 2, kernelSize: 2 })                   // root of the sum of squares
 * @example lpPool2d(x, { normType: 3, kernelSize: 3, padding: 'same' })
 */
export function lpPool2d(input: Tensor, options: LpPoolOptions): Tensor {
  return lpPool('lpPool2d', 2, input, options);
}

/**
 * 3D Lp pooling over [batch, depth, height, width, channels] (or NCDHW with channelsFirst).
 * @example lpPool3d(x, { p: 1.5, kernelSize: [1, 2, 2] })
 */
export function lpPool3d(input: Tensor, options: LpPoolOptions): Tensor {
  return lpPool('lpPool3d', 3, input, options);
}
