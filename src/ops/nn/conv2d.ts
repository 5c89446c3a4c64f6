// conv2d: 2D convolution (cross-correlation, as TensorFlow and PyTorch compute it) with filters in
// Keras's HWIO layout, an optional bias, strides, padding and dilation. The window geometry comes
// from poolGeometry, so output sizes and SAME pads are computed in one place for pooling and conv.
// channelsFirst input is transposed to NHWC and back: the kernels only know NHWC.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { checkDataFormat, type DataFormat } from '../../geometry/layout.js';
import { poolGeometry, type Padding } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import type { ConvGeometry } from '../../kernels/types.js';
import type { Shape } from '../../tensor/tensor.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkConvolutionTensors, checkKnownOptions, checkOptions, describeShape, optionKeys } from '../checks.js';
import { transpose } from './shape.js';

export interface Conv2dOptions {
  /** Step between windows, one number or [height, width]; default 1. */
  stride?: number | readonly number[];
  /** 'valid' (default), 'same' (TensorFlow's rule) or explicit amounts per side. */
  padding?: Padding;
  /** Gap between filter taps, one number or [height, width]; default 1. */
  dilation?: number | readonly number[];
  /** 'channelsLast' (NHWC, default) or 'channelsFirst' (NCHW); filters are HWIO either way. */
  dataFormat?: DataFormat;
  /**
   * 'relu' returns relu(conv) as one op, the same numbers as relu(conv2d(...)): the kernels apply it
   * while the output is in registers and mask the gradient inside the filter-gradient pass. Default 'linear'.
   */
  activation?: 'linear' | 'relu';
}

export const CONV2D_OPTION_KEYS = optionKeys<Conv2dOptions>({
  stride: true,
  padding: true,
  dilation: true,
  dataFormat: true,
  activation: true,
});

/** The convolution's geometry for an NHWC input and an HWIO filter: poolGeometry plus outChannels. */
export function convGeometry(op: string, inputShape: Shape, filterShape: Shape, options: Conv2dOptions): ConvGeometry {
  if (filterShape.length !== 4) {
    fail(
      op,
      'filter',
      'must have rank 4 [kernelHeight, kernelWidth, inChannels, outChannels]',
      `shape [${filterShape.join(', ')}]`,
    );
  }
  const [kernelHeight, kernelWidth, inChannels, outChannels] = filterShape as [number, number, number, number];
  const pool = poolGeometry(op, inputShape, 2, {
    kernelSize: [kernelHeight, kernelWidth],
    stride: options.stride ?? 1,
    padding: options.padding ?? 'valid',
    dilation: options.dilation ?? 1,
  });
  if (pool.channels !== inChannels) {
    fail(
      op,
      'filter',
      `must have ${pool.channels} input channels (axis 2) to match the input`,
      `shape [${filterShape.join(', ')}]`,
    );
  }
  const outputShape = Object.freeze([pool.batch, pool.outHeight, pool.outWidth, outChannels]);
  return Object.freeze({ ...pool, outChannels, outputShape });
}

/**
 * 2D convolution: input NHWC [batch, height, width, inChannels] (or NCHW with channelsFirst),
 * filter HWIO [kernelHeight, kernelWidth, inChannels, outChannels], bias [outChannels] or null.
 * @example conv2d(x, filter, bias)                                  // VALID, stride 1
 * @example conv2d(x, filter, null, { stride: 2, padding: 'same' })  // TensorFlow's SAME
 */
export function conv2d(input: Tensor, filter: Tensor, bias: Tensor | null = null, options?: Conv2dOptions): Tensor {
  checkConvolutionTensors('conv2d', input, filter, bias);
  const checked = checkOptions('conv2d', options, false);
  checkKnownOptions('conv2d', checked, CONV2D_OPTION_KEYS);
  const activation = checked.activation ?? 'linear';
  if (activation !== 'linear' && activation !== 'relu')
    fail('conv2d', 'activation', "must be 'linear' or 'relu'", checked.activation);
  if (checkDataFormat('conv2d', checked.dataFormat) === 'channelsFirst') {
    if (input.rank !== 4)
      fail('conv2d', 'input', 'must have rank 4 [batch, channels, height, width]', describeShape(input));
    const nhwc = transpose(input, [0, 2, 3, 1]);
    return transpose(conv2d(nhwc, filter, bias, { ...checked, dataFormat: 'channelsLast' }), [0, 3, 1, 2]);
  }
  const geometry = convGeometry('conv2d', input.shape, filter.shape, checked);
  if (bias !== null && (bias.rank !== 1 || bias.size !== geometry.outChannels)) {
    fail('conv2d', 'bias', `must have shape [${geometry.outChannels}]`, `shape [${bias.shape.join(', ')}]`);
  }
  // Every array through kernelValues: on webgpu the output goes beside a resident input or filter.
  const output = Tensor.allocate(geometry.outputShape, 'float32', [input, filter, bias]);
  const relu = activation === 'relu';
  kernel('conv2dForward')(
    input.kernelValues,
    filter.kernelValues,
    bias?.kernelValues ?? null,
    output.kernelValues,
    geometry,
    relu,
  );
  const inputs = bias === null ? [input, filter] : [input, filter, bias];
  recordGrad(relu ? 'conv2dRelu' : 'conv2d', output, inputs, (gradOutput) => {
    // The input gradient needs relu's mask applied first; the filter-gradient kernel masks in its own pass.
    const gradInput = input.requiresGrad
      ? convGradInput(relu ? reluMasked(output, gradOutput) : gradOutput, filter, input.shape, geometry, relu)
      : null;
    const gradBias = bias?.requiresGrad ? Tensor.allocate(bias.shape, 'float32', [bias, gradOutput]) : null;
    // The bias gradient comes out of the filter gradient's pass over gradOutput (a filter gradient made only for it is dropped).
    const gradFilter =
      filter.requiresGrad || gradBias !== null
        ? convGradFilter(input, gradOutput, filter.shape, geometry, gradBias, relu ? output : null)
        : null;
    if (!filter.requiresGrad) gradFilter?.dispose();
    const grads = [gradInput, filter.requiresGrad ? gradFilter : null];
    return bias === null ? grads : [...grads, gradBias];
  });
  return output;
}

/** reluBackward(output, gradOutput) in a new tensor. */
function reluMasked(output: Tensor, gradOutput: Tensor): Tensor {
  const masked = Tensor.allocate(output.shape, 'float32', [output, gradOutput]);
  kernel('reluBackward')(output.kernelValues, gradOutput.kernelValues, masked.kernelValues);
  return masked;
}

function convGradInput(
  gradOutput: Tensor,
  filter: Tensor,
  shape: Shape,
  geometry: ConvGeometry,
  disposeGradOutput: boolean,
): Tensor {
  const gradInput = zeros(shape, [gradOutput, filter]);
  kernel('conv2dBackwardInput')(gradOutput.kernelValues, filter.kernelValues, gradInput.kernelValues, geometry);
  if (disposeGradOutput) gradOutput.dispose();
  return gradInput;
}

function convGradFilter(
  input: Tensor,
  gradOutput: Tensor,
  shape: Shape,
  geometry: ConvGeometry,
  gradBias: Tensor | null,
  reluOutput: Tensor | null,
): Tensor {
  const gradFilter = zeros(shape, [input, gradOutput]);
  kernel('conv2dBackwardFilter')(
    input.kernelValues,
    gradOutput.kernelValues,
    gradFilter.kernelValues,
    geometry,
    gradBias?.kernelValues ?? null,
    reluOutput?.kernelValues ?? null,
  );
  return gradFilter;
}

/** A zero-filled tensor, beside a resident one on the GPU (zero-filled there already). */
function zeros(shape: Shape, beside: readonly Tensor[]): Tensor {
  const result = Tensor.allocate(shape, 'float32', beside);
  if (result.home === 'heap') result.values.fill(0);
  return result;
}
