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
import { checkOptions, checkTensor } from '../checks.js';
import { sumRows } from './matmul.js';
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
}

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
  checkTensor('conv2d', 'input', input);
  checkTensor('conv2d', 'filter', filter);
  if (bias !== null) checkTensor('conv2d', 'bias', bias);
  const checked = checkOptions('conv2d', options, false);
  if (checkDataFormat('conv2d', checked.dataFormat) === 'channelsFirst') {
    if (input.rank !== 4)
      fail('conv2d', 'input', 'must have rank 4 [batch, channels, height, width]', input.toString());
    const nhwc = transpose(input, [0, 2, 3, 1]);
    return transpose(conv2d(nhwc, filter, bias, { ...checked, dataFormat: 'channelsLast' }), [0, 3, 1, 2]);
  }
  const geometry = convGeometry('conv2d', input.shape, filter.shape, checked);
  if (bias !== null && (bias.rank !== 1 || bias.size !== geometry.outChannels)) {
    fail('conv2d', 'bias', `must have shape [${geometry.outChannels}]`, `shape [${bias.shape.join(', ')}]`);
  }
  const output = Tensor.allocate(geometry.outputShape);
  kernel('conv2dForward')(input.data, filter.data, bias?.data ?? null, output.data, geometry);
  const inputs = bias === null ? [input, filter] : [input, filter, bias];
  recordGrad('conv2d', output, inputs, (gradOutput) => {
    const grads = [
      input.requiresGrad ? convGradInput(gradOutput, filter, input.shape, geometry) : null,
      filter.requiresGrad ? convGradFilter(input, gradOutput, filter.shape, geometry) : null,
    ];
    if (bias === null) return grads;
    const rows = gradOutput.size / geometry.outChannels;
    return [...grads, bias.requiresGrad ? sumRows(gradOutput, rows, geometry.outChannels) : null];
  });
  return output;
}

function convGradInput(gradOutput: Tensor, filter: Tensor, shape: Shape, geometry: ConvGeometry): Tensor {
  const gradInput = Tensor.allocate(shape);
  gradInput.data.fill(0);
  kernel('conv2dBackwardInput')(gradOutput.data, filter.data, gradInput.data, geometry);
  return gradInput;
}

function convGradFilter(input: Tensor, gradOutput: Tensor, shape: Shape, geometry: ConvGeometry): Tensor {
  const gradFilter = Tensor.allocate(shape);
  gradFilter.data.fill(0);
  kernel('conv2dBackwardFilter')(input.data, gradOutput.data, gradFilter.data, geometry);
  return gradFilter;
}
