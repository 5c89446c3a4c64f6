// Conv1D: Keras's 1D convolution layer over [batch, steps, channels] (kernel [kernelSize, inChannels,
// filters], bias, activation) on the conv1d op, itself the conv2d op on a height-1 image.
//
// Masks: Keras drops the mask at Conv1D. poolkit passes it on when the output has the input's
// steps one for one (strides 1 with 'same' or 'causal' padding), because that is what lets text
// models mask padding all the way to the pooling: embedding (maskZero) → conv1d → masked global
// pooling. Outputs at padded steps are still computed (from windows that may reach real steps);
// the mask says which of them the pooling must ignore. Any other Conv1D drops the mask.
import { fail } from '../../errors.js';
import { conv1d as conv1dOp, conv1dOutputSteps, type Conv1dOptions } from '../../ops/nn/conv1d.js';
import type { Tensor } from '../../tensor/tensor.js';
import { applyActivation } from '../activation-names.js';
import { checkLayerInputRank, type CallOptions, type LayerShape } from '../layer.js';
import { Convolution, type ConvolutionConfig } from './convolution.js';

export type Conv1DConfig = ConvolutionConfig;

export class Conv1D extends Convolution<Conv1DConfig> {
  readonly className = 'Conv1D';
  /** True when output step t is input step t (strides 1, 'same' or 'causal'): the mask still applies. */
  override readonly supportsMasking: boolean;

  constructor(config: Conv1DConfig) {
    super(config, 'Conv1D', 1);
    if (this.dataFormat !== 'channelsLast')
      fail('Conv1D', 'dataFormat', "must be 'channelsLast' ([batch, steps, channels])", this.dataFormat);
    const padding = this.padding;
    if (padding !== 'valid' && padding !== 'same' && padding !== 'causal')
      fail('Conv1D', 'padding', "must be 'valid', 'same' or 'causal'", padding);
    this.supportsMasking = this.strides[0] === 1 && padding !== 'valid';
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    checkLayerInputRank('Conv1D', inputShape, 3, '[batch, steps, channels]');
    const steps = conv1dOutputSteps('Conv1D', inputShape[1] ?? null, this.kernelSize[0]!, this.opOptions());
    return [inputShape[0]!, steps, this.filters];
  }

  call(input: Tensor, options: CallOptions): Tensor {
    if (this.activation === 'relu') return this.convolve(input, 'relu');
    return applyActivation(this.activation, this.callWithoutActivation(input, options));
  }

  callWithoutActivation(input: Tensor, _options: CallOptions): Tensor {
    return this.convolve(input, 'linear');
  }

  private convolve(input: Tensor, activation: 'linear' | 'relu'): Tensor {
    const [kernel, bias] = this.parameters;
    return conv1dOp(input, kernel!.tensor, this.useBias ? bias!.tensor : null, { ...this.opOptions(), activation });
  }

  private opOptions(): Conv1dOptions & { padding: 'valid' | 'same' | 'causal' } {
    return {
      stride: this.strides[0]!,
      dilation: this.dilationRate[0]!,
      padding: this.padding as 'valid' | 'same' | 'causal',
    };
  }
}

/**
 * Keras's Conv1D.
 * @example conv1d({ filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }) // [null, 50, 16] → [null, 50, 32]
 */
export function conv1d(config: Conv1DConfig): Conv1D {
  return new Conv1D(config);
}
