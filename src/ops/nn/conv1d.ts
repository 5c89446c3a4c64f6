// conv1d: 1D convolution over [batch, steps, channels] with a [kernelSize, inChannels, filters]
// kernel (Keras's Conv1D layout), run as the conv2d op on a height-1 image so the same reference
// and WebAssembly kernels (and their gradients) do the work. 'causal' pads only the start.
import { fail } from '../../errors.js';
import { checkExtent, checkOutputShape } from '../../geometry/layout.js';
import type { ExplicitPadding } from '../../geometry/pool-geometry.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkKnownOptions, checkOptions, checkTensor, optionKeys } from '../checks.js';
import { concat } from './slice-concat.js';
import { conv2d, convGeometry } from './conv2d.js';
import { reshape } from './shape.js';

export interface Conv1dOptions {
  /** Step between windows; default 1. */
  stride?: number;
  /**
   * 'valid' (default), 'same' (TensorFlow's rule), 'causal' (pad (kernelSize − 1)·dilation zeros
   * before the first step, so output t sees inputs up to t only) or explicit [before, after].
   */
  padding?: 'valid' | 'same' | 'causal' | number | readonly [number, number];
  /** Gap between kernel taps; default 1. */
  dilation?: number;
  /** 'relu' fuses relu into the conv kernels as conv2d does; default 'linear'. */
  activation?: 'linear' | 'relu';
}

const CONV1D_OPTION_KEYS = optionKeys<Conv1dOptions>({ stride: true, padding: true, dilation: true, activation: true });

function checkScalar(name: string, value: unknown): number {
  return checkExtent('conv1d', name, value, 1);
}

/** conv2d's padding for the height-1 image: no padding along the height axis. */
function heightOnePadding(padding: Conv1dOptions['padding']): 'valid' | 'same' | ExplicitPadding {
  if (padding === undefined || padding === 'valid' || padding === 'same') return padding ?? 'valid';
  if (typeof padding === 'number') return [0, padding];
  if (Array.isArray(padding) && padding.length === 2) return [0, [padding[0], padding[1]] as const];
  return fail('conv1d', 'padding', "must be 'valid', 'same', 'causal', a number or [before, after]", padding);
}

/** The input with `steps` zero steps in front (causal padding), the zeros getting no gradient. */
function padStart(input: Tensor, steps: number): Tensor {
  if (steps === 0) return input;
  const [batch, , channels] = input.shape as [number, number, number];
  const zeros = Tensor.allocate([batch, steps, channels]);
  zeros.values.fill(0);
  return concat([zeros, input], 1);
}

/**
 * 1D convolution: input [batch, steps, inChannels], filter [kernelSize, inChannels, filters],
 * bias [filters] or null; output [batch, outSteps, filters].
 * @example conv1d(x, filter, bias, { padding: 'causal', dilation: 2 })
 */
export function conv1d(input: Tensor, filter: Tensor, bias: Tensor | null = null, options?: Conv1dOptions): Tensor {
  checkTensor('conv1d', 'input', input);
  checkTensor('conv1d', 'filter', filter);
  const checked = checkOptions('conv1d', options, false);
  checkKnownOptions('conv1d', checked, CONV1D_OPTION_KEYS);
  if (input.rank !== 3)
    fail('conv1d', 'input', 'must have rank 3 [batch, steps, channels]', `shape [${input.shape.join(', ')}]`);
  if (filter.rank !== 3)
    fail(
      'conv1d',
      'filter',
      'must have rank 3 [kernelSize, inChannels, filters]',
      `shape [${filter.shape.join(', ')}]`,
    );
  const stride = checkScalar('stride', checked.stride ?? 1);
  const dilation = checkScalar('dilation', checked.dilation ?? 1);
  const causal = checked.padding === 'causal';
  const front = (filter.shape[0]! - 1) * dilation;
  if (causal) {
    const [batch, steps, channels] = input.shape as [number, number, number];
    checkOutputShape('conv1d', 'dilation', [batch, steps + front, channels], dilation, 'a causally padded input');
  }
  const padded = causal ? padStart(input, front) : input;
  const [batch, steps, channels] = padded.shape as [number, number, number];
  const image = reshape(padded, [batch, 1, steps, channels]);
  const filter2d = reshape(filter, [1, ...filter.shape]);
  const output = conv2d(image, filter2d, bias, {
    stride: [1, stride],
    dilation: [1, dilation],
    padding: causal ? 'valid' : heightOnePadding(checked.padding),
    activation: checked.activation ?? 'linear',
  });
  return reshape(output, [batch, output.shape[2]!, output.shape[3]!]);
}

/**
 * Output steps of conv1d for `steps` input steps (null stays null), from convGeometry like every
 * conv and pooling size; throws when the kernel does not fit.
 */
export function conv1dOutputSteps(
  op: string,
  steps: number | null,
  kernelSize: number,
  options: Conv1dOptions,
): number | null {
  if (steps === null) return null;
  const dilation = options.dilation ?? 1;
  const causal = options.padding === 'causal';
  const width = causal ? steps + (kernelSize - 1) * dilation : steps;
  const geometry = convGeometry(op, [1, 1, width, 1], [1, kernelSize, 1, 1], {
    stride: [1, options.stride ?? 1],
    dilation: [1, dilation],
    padding: causal ? 'valid' : heightOnePadding(options.padding),
  });
  return geometry.outWidth;
}
