// Shapes and data formats: where batch, channels and the spatial axes sit in a tensor, and the
// argument checks every pooling op shares.
import { fail } from '../errors.js';
import { MAX_EXTENT, MAX_TENSOR_ELEMENTS, sizeOf, type Shape } from '../tensor/tensor.js';

export type DataFormat = 'channelsLast' | 'channelsFirst';
export type SpatialDims = 1 | 2 | 3;

const AXIS_NAMES: Record<SpatialDims, string> = {
  1: 'width',
  2: 'height, width',
  3: 'depth, height, width',
};

export function checkDataFormat(op: string, dataFormat: unknown): DataFormat {
  if (dataFormat === undefined) return 'channelsLast';
  if (dataFormat !== 'channelsLast' && dataFormat !== 'channelsFirst') {
    fail(op, 'dataFormat', "must be 'channelsLast' (NHWC) or 'channelsFirst' (NCHW)", dataFormat);
  }
  return dataFormat;
}

export function checkInputRank(op: string, shape: Shape, spatialDims: SpatialDims, dataFormat: DataFormat): void {
  const layout =
    dataFormat === 'channelsLast'
      ? `[batch, ${AXIS_NAMES[spatialDims]}, channels]`
      : `[batch, channels, ${AXIS_NAMES[spatialDims]}]`;
  if (shape.length !== spatialDims + 2) {
    fail(
      op,
      'input',
      `must have rank ${spatialDims + 2} ${layout} with dataFormat '${dataFormat}'`,
      `shape [${shape.join(', ')}]`,
    );
  }
  for (const size of spatialSizes(shape, spatialDims, dataFormat)) {
    if (size < 1) fail(op, 'input', 'must have spatial sizes of at least 1', `shape [${shape.join(', ')}]`);
  }
}

export function spatialSizes(shape: Shape, spatialDims: SpatialDims, dataFormat: DataFormat): number[] {
  return dataFormat === 'channelsLast' ? shape.slice(1, 1 + spatialDims) : shape.slice(2, 2 + spatialDims);
}

/** Whether `value` is a size poolkit takes: an integer from `minimum` to 2^31 - 1 (sizes cross into WebAssembly as int32). */
export function isExtent(value: unknown, minimum: number): value is number {
  return Number.isInteger(value) && (value as number) >= minimum && (value as number) <= MAX_EXTENT;
}

/** A count argument (units, filters, a level): an integer from `minimum` to 2^31 - 1, or an error naming it. */
export function checkExtent(op: string, name: string, value: unknown, minimum: number): number {
  if (isExtent(value, minimum)) return value;
  const range = minimum === 1 ? 'a positive integer of' : `an integer of at least ${minimum} and`;
  return fail(op, name, `must be ${range} at most ${MAX_EXTENT} (2^31 - 1)`, value);
}

/**
 * Expands a number or per-dimension list to one integer per dimension, each from `minimum` to
 * 2^31 - 1: every window size, stride, dilation, pad and output size is made here, so none reaches
 * an allocation or a WebAssembly kernel (which reads int32) unchecked.
 */
export function perDimension(
  op: string,
  name: string,
  value: unknown,
  spatialDims: SpatialDims,
  minimum: number,
): number[] {
  const rule = `must be an integer of at least ${minimum}, or ${spatialDims} such integers, each at most ${MAX_EXTENT} (2^31 - 1)`;
  const values = typeof value === 'number' ? Array<number>(spatialDims).fill(value) : value;
  if (!Array.isArray(values) || values.length !== spatialDims) fail(op, name, rule, value);
  for (const item of values as unknown[]) {
    if (!isExtent(item, minimum)) fail(op, name, rule, value);
  }
  return [...(values as number[])];
}

/**
 * Refuses a shape that no tensor can have (an extent over 2^31 - 1, or more elements than the heap
 * holds) before anything is allocated, naming the argument that made it so; `what` it is for the
 * message ('an output', 'a weight').
 */
export function checkOutputShape(op: string, name: string, shape: Shape, value: unknown, what = 'an output'): void {
  const count = sizeOf(shape);
  if (shape.every((extent) => extent <= MAX_EXTENT) && count <= MAX_TENSOR_ELEMENTS) return;
  const rule =
    `gives ${what} of shape [${shape.join(', ')}]; a tensor may have extents of at most ` +
    `${MAX_EXTENT} (2^31 - 1) and at most ${MAX_TENSOR_ELEMENTS} elements (4 GiB of float32, the heap's limit)`;
  fail(op, name, rule, value);
}

/**
 * The sizes every pooling geometry has: the layout, the batch and channels, and input and output
 * spatial sizes normalised to three axes (depth, height, width; unused leading axes are 1).
 */
export interface PoolingSizes {
  readonly spatialDims: SpatialDims;
  readonly channelsLast: boolean;
  readonly batch: number;
  readonly channels: number;
  readonly inDepth: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outDepth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly inputShape: Shape;
  readonly outputShape: Shape;
}

/** Index arithmetic for one tensor of a pooling: element index = batch·b + channel·c + spatial·s. */
export interface Strides {
  readonly batch: number;
  readonly channel: number;
  readonly spatial: number;
}

export function stridesOf(channelsLast: boolean, channels: number, spatialSize: number): Strides {
  return channelsLast
    ? { batch: spatialSize * channels, channel: 1, spatial: channels }
    : { batch: spatialSize * channels, channel: spatialSize, spatial: 1 };
}
