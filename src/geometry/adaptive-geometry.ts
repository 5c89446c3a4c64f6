// Geometry of adaptive pooling (PyTorch's AdaptiveMaxPool/AdaptiveAvgPool): the output size is
// given, and output cell i of an axis pools input cells floor(i·In/Out) up to ceil((i+1)·In/Out).
import { fail } from '../errors.js';
import type { Shape } from '../tensor/tensor.js';
import { checkDataFormat, checkInputRank, checkOutputShape, isExtent, spatialSizes } from './layout.js';
import type { DataFormat, PoolingSizes, SpatialDims } from './layout.js';

/** Adaptive pooling needs no more than the sizes: the windows follow from them. */
export type AdaptiveGeometry = PoolingSizes;

/** One number for every axis, or one per axis where null keeps that axis's input size (as PyTorch's None). */
export type AdaptiveOutputSize = number | readonly (number | null)[];

export function adaptiveGeometry(
  op: string,
  inputShape: Shape,
  spatialDims: SpatialDims,
  outputSize: AdaptiveOutputSize,
  dataFormat?: DataFormat,
): AdaptiveGeometry {
  const format = checkDataFormat(op, dataFormat);
  checkInputRank(op, inputShape, spatialDims, format);
  const inSizes = spatialSizes(inputShape, spatialDims, format);
  const rule = `must be a positive integer, or ${spatialDims} positive integers or nulls, each at most 2147483647 (2^31 - 1)`;
  const requested = typeof outputSize === 'number' ? Array<number>(spatialDims).fill(outputSize) : outputSize;
  if (!Array.isArray(requested) || requested.length !== spatialDims) fail(op, 'outputSize', rule, outputSize);
  const outSizes = (requested as readonly (number | null)[]).map((size, axis) => {
    if (size === null) return inSizes[axis]!;
    if (!isExtent(size, 1)) fail(op, 'outputSize', rule, outputSize);
    return size;
  });
  const padded = (sizes: number[]): number[] => [...Array<number>(3 - spatialDims).fill(1), ...sizes];
  const [inDepth, inHeight, inWidth] = padded(inSizes) as [number, number, number];
  const [outDepth, outHeight, outWidth] = padded(outSizes) as [number, number, number];
  const channelsLast = format === 'channelsLast';
  const batch = inputShape[0]!;
  const channels = channelsLast ? inputShape[inputShape.length - 1]! : inputShape[1]!;
  const outputShape = channelsLast ? [batch, ...outSizes, channels] : [batch, channels, ...outSizes];
  checkOutputShape(op, 'outputSize', outputShape, outputSize);
  return Object.freeze({
    spatialDims,
    channelsLast,
    batch,
    channels,
    inDepth,
    inHeight,
    inWidth,
    outDepth,
    outHeight,
    outWidth,
    inputShape: Object.freeze([...inputShape]),
    outputShape: Object.freeze(outputShape),
  });
}

/** First input cell pooled by output cell `outIndex` (PyTorch's start_index). */
export function adaptiveStart(outIndex: number, outSize: number, inSize: number): number {
  return Math.floor((outIndex * inSize) / outSize);
}

/** One past the last input cell pooled by output cell `outIndex` (PyTorch's end_index). */
export function adaptiveEnd(outIndex: number, outSize: number, inSize: number): number {
  return Math.ceil(((outIndex + 1) * inSize) / outSize);
}
