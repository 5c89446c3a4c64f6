// conv3d: 3D convolution (cross-correlation) over NDHWC volumes with DHWIO filters (Keras's Conv3D
// layout), an optional bias, strides, padding and dilation. Sizes come from poolGeometry, as for
// conv2d and pooling; the kernels are plain TypeScript (conv3d-kernels.ts), the specification.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { checkDataFormat, type DataFormat } from '../../geometry/layout.js';
import { poolGeometry, type Padding } from '../../geometry/pool-geometry.js';
import { Tensor, type Shape } from '../../tensor/tensor.js';
import { checkConvolutionTensors, checkKnownOptions, checkOptions, optionKeys } from '../checks.js';
import {
  conv3dBackwardBias,
  conv3dBackwardFilter,
  conv3dBackwardInput,
  conv3dForward,
  type Conv3dGeometry,
} from './conv3d-kernels.js';
import { transpose } from './shape.js';

export interface Conv3dOptions {
  /** Step between windows, one number or [depth, height, width]; default 1. */
  stride?: number | readonly number[];
  /** 'valid' (default), 'same' (TensorFlow's rule) or explicit amounts per side. */
  padding?: Padding;
  /** Gap between filter taps, one number or [depth, height, width]; default 1. */
  dilation?: number | readonly number[];
  /** 'channelsLast' (NDHWC, default) or 'channelsFirst' (NCDHW); filters are DHWIO either way. */
  dataFormat?: DataFormat;
}

const CONV3D_OPTION_KEYS = optionKeys<Conv3dOptions>({ stride: true, padding: true, dilation: true, dataFormat: true });

/** The convolution's geometry for an NDHWC input and a DHWIO filter. */
export function conv3dGeometry(
  op: string,
  inputShape: Shape,
  filterShape: Shape,
  options: Conv3dOptions,
): Conv3dGeometry {
  if (filterShape.length !== 5) {
    const layout = '[kernelDepth, kernelHeight, kernelWidth, inChannels, outChannels]';
    fail(op, 'filter', `must have rank 5 ${layout}`, `shape [${filterShape.join(', ')}]`);
  }
  const pool = poolGeometry(op, inputShape, 3, {
    kernelSize: filterShape.slice(0, 3),
    stride: options.stride ?? 1,
    padding: options.padding ?? 'valid',
    dilation: options.dilation ?? 1,
  });
  if (pool.channels !== filterShape[3]) {
    const rule = `must have ${pool.channels} input channels (axis 3) to match the input`;
    fail(op, 'filter', rule, `shape [${filterShape.join(', ')}]`);
  }
  const outChannels = filterShape[4]!;
  const outputShape = Object.freeze([pool.batch, pool.outDepth, pool.outHeight, pool.outWidth, outChannels]);
  return Object.freeze({ ...pool, outChannels, outputShape });
}

/**
 * 3D convolution: input [batch, depth, height, width, inChannels] (or channels first), filter
 * [kernelDepth, kernelHeight, kernelWidth, inChannels, outChannels], bias [outChannels] or null.
 * @example conv3d(volume, filter, bias, { padding: 'same' })
 */
export function conv3d(input: Tensor, filter: Tensor, bias: Tensor | null = null, options?: Conv3dOptions): Tensor {
  checkConvolutionTensors('conv3d', input, filter, bias);
  const checked = checkOptions('conv3d', options, false);
  checkKnownOptions('conv3d', checked, CONV3D_OPTION_KEYS);
  if (checkDataFormat('conv3d', checked.dataFormat) === 'channelsFirst') {
    if (input.rank !== 5)
      fail('conv3d', 'input', 'must have rank 5 [batch, channels, depth, height, width]', input.toString());
    const last = transpose(input, [0, 2, 3, 4, 1]);
    return transpose(conv3d(last, filter, bias, { ...checked, dataFormat: 'channelsLast' }), [0, 4, 1, 2, 3]);
  }
  const geometry = conv3dGeometry('conv3d', input.shape, filter.shape, checked);
  if (bias !== null && (bias.rank !== 1 || bias.size !== geometry.outChannels))
    fail('conv3d', 'bias', `must have shape [${geometry.outChannels}]`, `shape [${bias.shape.join(', ')}]`);
  const output = Tensor.allocate(geometry.outputShape);
  conv3dForward(input.values, filter.values, bias?.values ?? null, output.values, geometry);
  const inputs = bias === null ? [input, filter] : [input, filter, bias];
  recordGrad('conv3d', output, inputs, (gradOutput) => {
    const grads = [
      input.requiresGrad
        ? zerosThen(input.shape, (grad) => conv3dBackwardInput(gradOutput.values, filter.values, grad, geometry))
        : null,
      filter.requiresGrad
        ? zerosThen(filter.shape, (grad) => conv3dBackwardFilter(input.values, gradOutput.values, grad, geometry))
        : null,
    ];
    if (bias === null) return grads;
    return [
      ...grads,
      bias.requiresGrad ? zerosThen(bias.shape, (grad) => conv3dBackwardBias(gradOutput.values, grad)) : null,
    ];
  });
  return output;
}

/** A new zero tensor filled in by an accumulating kernel. */
function zerosThen(shape: Shape, fill: (values: Float32Array) => void): Tensor {
  const result = Tensor.allocate(shape);
  result.values.fill(0);
  fill(result.values);
  return result;
}
