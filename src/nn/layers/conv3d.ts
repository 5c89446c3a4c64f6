// Conv3D: Keras's 3D convolution layer over volumes (kernel DHWIO, bias, activation) on the conv3d op.
import type { Padding } from '../../geometry/pool-geometry.js';
import { conv3d as conv3dOp, conv3dGeometry } from '../../ops/nn/conv3d.js';
import type { Tensor } from '../../tensor/tensor.js';
import { applyActivation } from '../activation-names.js';
import { checkLayerInputRank, type CallOptions, type LayerShape } from '../layer.js';
import { Convolution, type ConvolutionConfig } from './convolution.js';

export type Conv3DConfig = ConvolutionConfig;

export class Conv3D extends Convolution<Conv3DConfig> {
  readonly className = 'Conv3D';

  constructor(config: Conv3DConfig) {
    super(config, 'Conv3D', 3);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const channelsLast = this.dataFormat === 'channelsLast';
    const layout = channelsLast ? '[batch, depth, height, width, channels]' : '[batch, channels, depth, height, width]';
    checkLayerInputRank('Conv3D', inputShape, 5, layout);
    const [, ...rest] = inputShape.map((extent) => extent ?? 1);
    const spatial = channelsLast ? rest.slice(0, 3) : rest.slice(1);
    const channels = this.inputChannels(inputShape);
    const filterShape = [...this.kernelSize, channels, this.filters];
    const geometry = conv3dGeometry('Conv3D', [1, ...spatial, channels], filterShape, this.opOptions());
    const outSpatial = [geometry.outDepth, geometry.outHeight, geometry.outWidth];
    return channelsLast ? [inputShape[0]!, ...outSpatial, this.filters] : [inputShape[0]!, this.filters, ...outSpatial];
  }

  call(input: Tensor, options: CallOptions): Tensor {
    return applyActivation(this.activation, this.callWithoutActivation(input, options));
  }

  callWithoutActivation(input: Tensor, _options: CallOptions): Tensor {
    const [kernel, bias] = this.parameters;
    return conv3dOp(input, kernel!.tensor, this.useBias ? bias!.tensor : null, this.opOptions());
  }

  private opOptions() {
    const padding = this.padding as Padding;
    return { stride: this.strides, padding, dilation: this.dilationRate, dataFormat: this.dataFormat };
  }
}

/**
 * Keras's Conv3D.
 * @example conv3d({ filters: 8, kernelSize: 3, padding: 'same', inputShape: [16, 16, 16, 1] })
 */
export function conv3d(config: Conv3DConfig): Conv3D {
  return new Conv3D(config);
}
