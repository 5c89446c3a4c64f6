// THE pooling geometry: (input shape, options) → output shape and pads, for 1, 2 and 3 spatial
// dimensions. Every op, layer and kernel (reference and WebAssembly) takes its sizes from here.
import { fail } from '../errors.js';
import { MAX_EXTENT, type Shape } from '../tensor/tensor.js';
import {
  checkDataFormat,
  checkInputRank,
  checkOutputShape,
  perDimension,
  spatialSizes,
  type DataFormat,
  type PoolingSizes,
  type SpatialDims,
} from './layout.js';

/** Explicit padding: one number (all sides), one per dimension, or [before, after] per dimension. */
export type ExplicitPadding = number | readonly (number | readonly [number, number])[];
export type Padding = 'valid' | 'same' | ExplicitPadding;

export interface PoolOptions {
  /** Window size: one number for every dimension, or one per dimension. */
  kernelSize: number | readonly number[];
  /** Step between windows; defaults to kernelSize (as in PyTorch and Keras). */
  stride?: number | readonly number[] | null;
  /** 'valid' (no padding, default), 'same' (TensorFlow's rule), or explicit amounts (PyTorch's rule). */
  padding?: Padding;
  /** Gap between window taps; 1 is a dense window. */
  dilation?: number | readonly number[];
  /** PyTorch's ceil mode: round the output size up, dropping a last window that starts in the padding. */
  ceilMode?: boolean;
  /** 'channelsLast' (NHWC, the default as in TensorFlow and Keras) or 'channelsFirst' (NCHW). */
  dataFormat?: DataFormat;
}

/**
 * Sizes of one pooling, normalised to three spatial dimensions (depth, height, width): 2D pooling
 * has depth 1, 1D pooling has depth and height 1. Frozen; kernels read it and never change it.
 */
export interface PoolGeometry extends PoolingSizes {
  readonly kernelDepth: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly strideDepth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationDepth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly padFront: number;
  readonly padBack: number;
  readonly padTop: number;
  readonly padBottom: number;
  readonly padLeft: number;
  readonly padRight: number;
}

interface AxisGeometry {
  inSize: number;
  outSize: number;
  kernel: number;
  stride: number;
  dilation: number;
  padBefore: number;
  padAfter: number;
}

/** Computes and checks the geometry of a pooling; `op` names the caller in error messages. */
export function poolGeometry(
  op: string,
  inputShape: Shape,
  spatialDims: SpatialDims,
  options: PoolOptions,
): PoolGeometry {
  const dataFormat = checkDataFormat(op, options.dataFormat);
  checkInputRank(op, inputShape, spatialDims, dataFormat);
  const kernel = perDimension(op, 'kernelSize', options.kernelSize, spatialDims, 1);
  const stride = perDimension(op, 'stride', options.stride ?? options.kernelSize, spatialDims, 1);
  const dilation = perDimension(op, 'dilation', options.dilation ?? 1, spatialDims, 1);
  checkWindowVolume(op, kernel, options.kernelSize);
  const padding = options.padding ?? 'valid';
  const ceilMode = options.ceilMode ?? false;
  if (typeof ceilMode !== 'boolean') fail(op, 'ceilMode', 'must be a boolean', ceilMode);
  if (ceilMode && padding === 'same') {
    fail(op, 'ceilMode', "cannot be combined with padding 'same' (TensorFlow's SAME already rounds up)", ceilMode);
  }
  const inSizes = spatialSizes(inputShape, spatialDims, dataFormat);
  const pads = resolvePadding(op, padding, inSizes, kernel, stride, dilation);
  const axes = inSizes.map((inSize, axis) => {
    const geometry = {
      inSize,
      kernel: kernel[axis]!,
      stride: stride[axis]!,
      dilation: dilation[axis]!,
      padBefore: pads[axis]![0],
      padAfter: pads[axis]![1],
    };
    checkAxisSpan(op, axis, geometry, padding);
    return { ...geometry, outSize: outputSize(op, axis, geometry, ceilMode) };
  });
  const result = assemble(inputShape, spatialDims, dataFormat, axes);
  checkOutputShape(op, 'input', result.outputShape, `shape [${inputShape.join(', ')}]`);
  return result;
}

/** A window holds at most 2^31 - 1 taps: tap counts and average divisors are int32 in WebAssembly. */
function checkWindowVolume(op: string, kernel: readonly number[], given: unknown): void {
  const taps = kernel.reduce((product, size) => product * size, 1);
  if (taps > MAX_EXTENT) {
    fail(op, 'kernelSize', `must hold at most ${MAX_EXTENT} (2^31 - 1) taps in all (the product of its sizes)`, given);
  }
}

/**
 * The dilated window and the padded input must each span at most 2^31 - 1 cells along an axis:
 * every window start, tap coordinate and count of a valid geometry then fits an int32 (which the
 * WebAssembly kernels compute in), and no output size is computed from inexact numbers.
 */
function checkAxisSpan(op: string, axis: number, geometry: Omit<AxisGeometry, 'outSize'>, padding: Padding): void {
  const { inSize, kernel, dilation, padBefore, padAfter } = geometry;
  const effectiveKernel = (kernel - 1) * dilation + 1;
  if (effectiveKernel > MAX_EXTENT) {
    const rule =
      `with dilation ${dilation} spans ${effectiveKernel} cells along spatial axis ${axis}; ` +
      `it may span at most ${MAX_EXTENT} (2^31 - 1)`;
    fail(op, 'kernelSize', rule, kernel);
  }
  const paddedSize = inSize + padBefore + padAfter;
  if (paddedSize > MAX_EXTENT) {
    const rule =
      `makes the padded input ${paddedSize} cells long along spatial axis ${axis}; ` +
      `it may be at most ${MAX_EXTENT} (2^31 - 1)`;
    if (padding === 'same') fail(op, 'kernelSize', `(${kernel}) with padding 'same' ${rule}`, kernel);
    fail(op, 'padding', rule, padding);
  }
}

/** Output length along one axis: floor, or PyTorch's ceil rule; at least 1 or an error. */
function outputSize(op: string, axis: number, geometry: Omit<AxisGeometry, 'outSize'>, ceilMode: boolean): number {
  const { inSize, kernel, stride, dilation, padBefore, padAfter } = geometry;
  const effectiveKernel = (kernel - 1) * dilation + 1;
  const span = inSize + padBefore + padAfter - effectiveKernel;
  let size = Math.floor((span + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  // PyTorch: in ceil mode the last window must start inside the input or the left padding.
  if (ceilMode && (size - 1) * stride >= inSize + padBefore) size--;
  // Without ceil mode a window must fit the padded input. In ceil mode PyTorch also accepts a window
  // that overhangs it, as long as one output results; the overhang never counts (as in any ceil window).
  if ((!ceilMode && span < 0) || size < 1) {
    fail(
      op,
      'kernelSize',
      `(effective size ${effectiveKernel} with dilation ${dilation}) must fit the padded input ` +
        `(${inSize} + ${padBefore + padAfter} padding) along spatial axis ${axis}`,
      kernel,
    );
  }
  return size;
}

/** [before, after] pads per axis: TensorFlow's SAME split, or explicit amounts checked as PyTorch does. */
function resolvePadding(
  op: string,
  padding: Padding,
  inSizes: readonly number[],
  kernel: readonly number[],
  stride: readonly number[],
  dilation: readonly number[],
): [number, number][] {
  if (padding === 'valid') return inSizes.map(() => [0, 0]);
  if (padding === 'same') {
    return inSizes.map((inSize, axis) => {
      const effectiveKernel = (kernel[axis]! - 1) * dilation[axis]! + 1;
      const outSize = Math.ceil(inSize / stride[axis]!);
      const total = Math.max(0, (outSize - 1) * stride[axis]! + effectiveKernel - inSize);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  }
  const pads = explicitPads(op, padding, inSizes.length);
  pads.forEach(([before, after], axis) => {
    const limit = Math.floor(kernel[axis]! / 2);
    if (before > limit || after > limit) {
      fail(op, 'padding', `must be at most half the kernel size (${limit}) on each side, as PyTorch requires`, padding);
    }
  });
  return pads;
}

function explicitPads(op: string, padding: Padding, spatialDims: number): [number, number][] {
  const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
  const rule = "must be 'valid', 'same', a non-negative integer, one per dimension, or [before, after] per dimension";
  if (isCount(padding)) return Array.from({ length: spatialDims }, () => [padding, padding]);
  if (!Array.isArray(padding) || padding.length !== spatialDims) fail(op, 'padding', rule, padding);
  return (padding as readonly unknown[]).map((item) => {
    if (isCount(item)) return [item, item];
    if (Array.isArray(item) && item.length === 2 && isCount(item[0]) && isCount(item[1])) return [item[0], item[1]];
    return fail(op, 'padding', rule, padding);
  });
}

/** Pads the per-axis numbers out to depth, height and width, and names them. */
function assemble(
  inputShape: Shape,
  spatialDims: SpatialDims,
  dataFormat: DataFormat,
  axes: AxisGeometry[],
): PoolGeometry {
  const unit: AxisGeometry = { inSize: 1, outSize: 1, kernel: 1, stride: 1, dilation: 1, padBefore: 0, padAfter: 0 };
  const [depth, height, width] = [...Array<AxisGeometry>(3 - spatialDims).fill(unit), ...axes] as [
    AxisGeometry,
    AxisGeometry,
    AxisGeometry,
  ];
  const channelsLast = dataFormat === 'channelsLast';
  const batch = inputShape[0]!;
  const channels = channelsLast ? inputShape[inputShape.length - 1]! : inputShape[1]!;
  const outSpatial = axes.map((axis) => axis.outSize);
  const outputShape = channelsLast ? [batch, ...outSpatial, channels] : [batch, channels, ...outSpatial];
  return Object.freeze({
    spatialDims,
    channelsLast,
    batch,
    channels,
    inDepth: depth.inSize,
    inHeight: height.inSize,
    inWidth: width.inSize,
    outDepth: depth.outSize,
    outHeight: height.outSize,
    outWidth: width.outSize,
    kernelDepth: depth.kernel,
    kernelHeight: height.kernel,
    kernelWidth: width.kernel,
    strideDepth: depth.stride,
    strideHeight: height.stride,
    strideWidth: width.stride,
    dilationDepth: depth.dilation,
    dilationHeight: height.dilation,
    dilationWidth: width.dilation,
    padFront: depth.padBefore,
    padBack: depth.padAfter,
    padTop: height.padBefore,
    padBottom: height.padAfter,
    padLeft: width.padBefore,
    padRight: width.padAfter,
    inputShape: Object.freeze([...inputShape]),
    outputShape: Object.freeze(outputShape),
  });
}
