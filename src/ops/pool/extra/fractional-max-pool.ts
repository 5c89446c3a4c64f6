// fractionalMaxPool2d/3d: Graham's fractional max pooling ("Fractional Max-Pooling", 2014), equal to
// PyTorch's FractionalMaxPool2d/3d (output, indices, gradient) when given a pool size and the same samples.
import { recordGrad } from '../../../autograd/tape.js';
import { fail } from '../../../errors.js';
import { checkDataFormat, checkInputRank, spatialSizes, type DataFormat } from '../../../geometry/layout.js';
import { kernel } from '../../../kernels/backend.js';
import { extraKernel, type FractionalGeometry } from '../../../kernels/reference/extra/index.js';
import type { Random } from '../../../tensor/random.js';
import { Tensor, type Shape } from '../../../tensor/tensor.js';
import { checkOptions, checkTensor } from '../../checks.js';
import { poolingPlanes } from '../argmax-planes.js';
import type { PoolWithIndices } from '../max-pool.js';
import { resolveRandom, zeroTensor } from './common.js';
import { planeRegions, UNIT_AXIS, type AxisPlan } from './fractional-geometry.js';
import { checkSamples, resolveSizes } from './fractional-options.js';

export interface FractionalMaxPoolOptions {
  /** Output size per spatial axis (one number for all), or give outputRatio. */
  outputSize?: number | readonly number[];
  /** Output size = floor(input size · ratio) per axis, ratio in (0, 1) (PyTorch's output_ratio). */
  outputRatio?: number | readonly number[];
  /** PyTorch's fixed pool size per axis; without it, Graham's boundary sequences are used. */
  kernelSize?: number | readonly number[];
  /** Graham's sequences (no kernelSize): 'pseudoRandom' (default, from u) or 'random' (shuffled increments). */
  sequence?: 'pseudoRandom' | 'random';
  /** Graham's sequences: regions [a_i, a_{i+1}] overlap by one cell (default false: disjoint). */
  overlapping?: boolean;
  /**
   * The u of every plane and axis, in [0, 1), shaped [batch, channels, spatialDims] in PyTorch's order
   * of `_random_samples` (2D: width then height; 3D: depth, height, width). Drawn from seed/random if absent.
   */
  samples?: Tensor | Float32Array | readonly number[];
  seed?: number;
  random?: Random;
  returnIndices?: boolean;
  dataFormat?: DataFormat;
}

/** Builds sizes and per-plane regions, drawing samples (or permutations) plane by plane. */
function fractionalGeometry(
  op: string,
  inputShape: Shape,
  spatialDims: 2 | 3,
  options: FractionalMaxPoolOptions,
): FractionalGeometry {
  const format = checkDataFormat(op, options.dataFormat);
  checkInputRank(op, inputShape, spatialDims, format);
  const inSizes = spatialSizes(inputShape, spatialDims, format);
  const plans = resolveSizes(op, inSizes, spatialDims, options);
  const channelsLast = format === 'channelsLast';
  const [batch, channels] = channelsLast
    ? [inputShape[0]!, inputShape[inputShape.length - 1]!]
    : [inputShape[0]!, inputShape[1]!];
  const planes = batch * channels;
  const given = checkSamples(op, options.samples, planes, spatialDims, plans);
  const random = given === null ? resolveRandom(op, options) : null;
  const padded: AxisPlan[] = spatialDims === 2 ? [UNIT_AXIS, ...plans] : plans;
  const regions = planeRegions(padded, planes, spatialDims, given, random);
  const outSizes = plans.map((plan) => plan.outSize);
  const [depth, height, width] = padded;
  return Object.freeze({
    spatialDims,
    channelsLast,
    batch,
    channels,
    inDepth: depth!.inSize,
    inHeight: height!.inSize,
    inWidth: width!.inSize,
    outDepth: depth!.outSize,
    outHeight: height!.outSize,
    outWidth: width!.outSize,
    depthStarts: regions[0]!.starts,
    depthEnds: regions[0]!.ends,
    heightStarts: regions[1]!.starts,
    heightEnds: regions[1]!.ends,
    widthStarts: regions[2]!.starts,
    widthEnds: regions[2]!.ends,
    inputShape: Object.freeze([...inputShape]),
    outputShape: Object.freeze(channelsLast ? [batch, ...outSizes, channels] : [batch, channels, ...outSizes]),
  });
}

function fractionalMaxPool(
  op: string,
  spatialDims: 2 | 3,
  input: Tensor,
  options: FractionalMaxPoolOptions,
): Tensor | PoolWithIndices {
  checkTensor(op, 'input', input);
  const checked = checkOptions(op, options, true);
  if (checked.returnIndices !== undefined && typeof checked.returnIndices !== 'boolean') {
    fail(op, 'returnIndices', 'must be a boolean', checked.returnIndices);
  }
  const geometry = fractionalGeometry(op, input.shape, spatialDims, checked);
  const output = Tensor.allocate(geometry.outputShape);
  const indices = Tensor.allocate(geometry.outputShape, 'int32');
  extraKernel('fractionalMaxPoolForward')(input.values, output.values, indices.intValues, geometry);
  recordGrad(
    op,
    output,
    [input],
    (gradOutput) => {
      const gradInput = zeroTensor(input.shape);
      kernel('argmaxScatterAdd')(gradOutput.values, indices.intValues, gradInput.values, poolingPlanes(geometry));
      return [gradInput];
    },
    [indices],
  );
  return checked.returnIndices === true ? { output, indices } : output;
}

/**
 * Fractional max pooling over [batch, height, width, channels] (or NCHW with channelsFirst): each
 * output cell is the max of a region whose size varies pseudo-randomly or randomly between
 * ⌊In/Out⌋ and ⌈In/Out⌉ (+1 when overlapping), so the size shrinks by a non-integer factor.
 * With kernelSize it is PyTorch's FractionalMaxPool2d: give `samples` (its `_random_samples`) for the
 * same numbers. Max: NaN propagates, first of ties gets the gradient; indices are flat h·W + w.
 * @example fractionalMaxPool2d(x, { outputRatio: 0.7, kernelSize: 2, seed: 1 })     // PyTorch's rule
 * @example fractionalMaxPool2d(x, { outputRatio: Math.SQRT1_2, sequence: 'random', seed: 1 }) // Graham's
 */
export function fractionalMaxPool2d(
  input: Tensor,
  options: FractionalMaxPoolOptions & { returnIndices: true },
): PoolWithIndices;
export function fractionalMaxPool2d(input: Tensor, options: FractionalMaxPoolOptions): Tensor;
export function fractionalMaxPool2d(input: Tensor, options: FractionalMaxPoolOptions): Tensor | PoolWithIndices {
  return fractionalMaxPool('fractionalMaxPool2d', 2, input, options);
}

/** Fractional max pooling over [batch, depth, height, width, channels]; PyTorch's FractionalMaxPool3d with kernelSize. */
export function fractionalMaxPool3d(
  input: Tensor,
  options: FractionalMaxPoolOptions & { returnIndices: true },
): PoolWithIndices;
export function fractionalMaxPool3d(input: Tensor, options: FractionalMaxPoolOptions): Tensor;
export function fractionalMaxPool3d(input: Tensor, options: FractionalMaxPoolOptions): Tensor | PoolWithIndices {
  return fractionalMaxPool('fractionalMaxPool3d', 3, input, options);
}
