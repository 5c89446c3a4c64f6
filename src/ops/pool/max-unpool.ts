// maxUnpool1d/2d/3d: the partial inverse of max pooling (PyTorch's MaxUnpoolNd). Every value goes
// to the position its index names in a zero-filled output; the rest stays 0.
//
// Semantics, on every backend (PyTorch 1.13's rules):
// - output size per axis defaults to (in - 1)·stride - 2·padding + kernelSize; an explicit
//   outputSize must lie strictly between that default minus stride and plus stride (what
//   F.max_unpool accepts, so the sizes a max pool with ceil mode or SAME padding came from fit);
// - indices are int32 flat spatial positions within each (batch, channel) plane of the output, as
//   maxPool's returnIndices gives them; one outside [0, output plane size) is an error, checked
//   before anything is written; where two values share an index the later one (row-major) wins;
// - backward gathers: the gradient of each input value is the output gradient at its index (as
//   PyTorch; where indices repeat, every sharer receives it).
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { checkDataFormat, checkInputRank, perDimension, spatialSizes } from '../../geometry/layout.js';
import type { DataFormat, SpatialDims } from '../../geometry/layout.js';
import { kernel } from '../../kernels/backend.js';
import type { ArgmaxPlanes } from '../../kernels/types.js';
import { Tensor, sizeOf, type Shape } from '../../tensor/tensor.js';
import { checkIndices, checkOptions, checkTensor } from '../checks.js';

export interface MaxUnpoolOptions {
  /** The max pool's window: one number, or one per axis. */
  kernelSize: number | readonly number[];
  /** The max pool's stride; defaults to kernelSize. */
  stride?: number | readonly number[];
  /** The max pool's padding per side (symmetric, as PyTorch's); defaults to 0. */
  padding?: number | readonly number[];
  /** Output spatial sizes, to undo a pooling whose input size the default does not recover. */
  outputSize?: number | readonly number[];
  /** 'channelsLast' (the default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
}

/** Output spatial sizes: PyTorch's default, or an explicit outputSize checked against its range. */
function unpoolSizes(op: string, inSizes: number[], options: MaxUnpoolOptions, spatialDims: SpatialDims): number[] {
  const kernelSize = perDimension(op, 'kernelSize', options.kernelSize, spatialDims, 1);
  const stride = perDimension(op, 'stride', options.stride ?? options.kernelSize, spatialDims, 1);
  const padding = perDimension(op, 'padding', options.padding ?? 0, spatialDims, 0);
  const defaults = inSizes.map((inSize, axis) => (inSize - 1) * stride[axis]! - 2 * padding[axis]! + kernelSize[axis]!);
  if (options.outputSize === undefined) {
    defaults.forEach((size, axis) => {
      const rule = `leaves an output size of ${size} along spatial axis ${axis}; it must be at least 1`;
      if (size < 1) fail(op, 'padding', rule, options.padding);
    });
    return defaults;
  }
  const requested = perDimension(op, 'outputSize', options.outputSize, spatialDims, 1);
  requested.forEach((size, axis) => {
    const [low, high] = [defaults[axis]! - stride[axis]!, defaults[axis]! + stride[axis]!];
    const rule = `must lie strictly between ${low} and ${high} along spatial axis ${axis} (default ± stride, as PyTorch)`;
    if (size <= low || size >= high) fail(op, 'outputSize', rule, options.outputSize);
  });
  return requested;
}

/** Throws unless every index names a cell of the output plane: nothing is written out of place. */
function checkIndexRange(op: string, indices: Int32Array, planeSize: number): void {
  for (let index = 0; index < indices.length; index++) {
    const target = indices[index]!;
    if (target < 0 || target >= planeSize) {
      const rule = `must each lie in [0, ${planeSize}) (the output plane); element ${index} does not`;
      fail(op, 'indices', rule, target);
    }
  }
}

/** The output shape, and the planes of the scatter: the unpool's output is the large side. */
function unpoolLayout(
  inputShape: Shape,
  format: DataFormat,
  inSizes: number[],
  outSizes: number[],
): { outputShape: Shape; planes: ArgmaxPlanes } {
  const channelsLast = format === 'channelsLast';
  const batch = inputShape[0]!;
  const channels = channelsLast ? inputShape[inputShape.length - 1]! : inputShape[1]!;
  const outputShape = channelsLast ? [batch, ...outSizes, channels] : [batch, channels, ...outSizes];
  const planes = { channelsLast, batch, channels, largeSpatial: sizeOf(outSizes), smallSpatial: sizeOf(inSizes) };
  return { outputShape, planes };
}

function maxUnpool(
  op: string,
  spatialDims: SpatialDims,
  input: Tensor,
  indices: Tensor,
  options: MaxUnpoolOptions,
): Tensor {
  checkTensor(op, 'input', input);
  checkIndices(op, 'indices', indices);
  const checked = checkOptions(op, options, true);
  const format = checkDataFormat(op, checked.dataFormat);
  checkInputRank(op, input.shape, spatialDims, format);
  if (indices.shape.join() !== input.shape.join()) {
    fail(
      op,
      'indices',
      `must have the input's shape [${input.shape.join(', ')}]`,
      `shape [${indices.shape.join(', ')}]`,
    );
  }
  const inSizes = spatialSizes(input.shape, spatialDims, format);
  const { outputShape, planes } = unpoolLayout(
    input.shape,
    format,
    inSizes,
    unpoolSizes(op, inSizes, checked, spatialDims),
  );
  checkIndexRange(op, indices.intValues, planes.largeSpatial);
  const output = Tensor.allocate(outputShape);
  output.values.fill(0);
  kernel('argmaxScatter')(input.values, indices.intValues, output.values, planes);
  recordGrad(
    op,
    output,
    [input],
    (gradOutput) => {
      const gradInput = Tensor.allocate(input.shape);
      kernel('argmaxGather')(gradOutput.values, indices.intValues, gradInput.values, planes);
      return [gradInput];
    },
    [indices],
  );
  return output;
}

/**
 * 1D max unpooling of [batch, width, channels] (or [batch, channels, width]).
 * @example maxUnpool1d(pooled.output, pooled.indices, { kernelSize: 2 })
 */
export function maxUnpool1d(input: Tensor, indices: Tensor, options: MaxUnpoolOptions): Tensor {
  return maxUnpool('maxUnpool1d', 1, input, indices, options);
}

/**
 * 2D max unpooling of [batch, height, width, channels] (or NCHW with channelsFirst).
 * @example maxUnpool2d(pooled.output, pooled.indices, { kernelSize: 2, outputSize: [5, 5] })
 */
export function maxUnpool2d(input: Tensor, indices: Tensor, options: MaxUnpoolOptions): Tensor {
  return maxUnpool('maxUnpool2d', 2, input, indices, options);
}

/**
 * 3D max unpooling of [batch, depth, height, width, channels] (or NCDHW with channelsFirst).
 * @example maxUnpool3d(pooled.output, pooled.indices, { kernelSize: [1, 2, 2] })
 */
export function maxUnpool3d(input: Tensor, indices: Tensor, options: MaxUnpoolOptions): Tensor {
  return maxUnpool('maxUnpool3d', 3, input, indices, options);
}
