// Conv2D: Keras's 2D convolution layer (kernel HWIO, bias, activation) on the conv2d op.
import type { Padding, PoolOptions } from '../../geometry/pool-geometry.js';
import { conv2dMaxPool2d } from '../../ops/nn/conv2d-max-pool.js';
import { conv2dSelectPool2d } from '../../ops/nn/conv2d-select-pool.js';
import type { Pooling } from '../../pooling/layer.js';
import { conv2d as conv2dOp, convGeometry } from '../../ops/nn/conv2d.js';
import type { Tensor } from '../../tensor/tensor.js';
import { applyActivation } from '../activation-names.js';
import { checkLayerInputRank, type CallOptions, type LayerShape } from '../layer.js';
import { Convolution, type ConvolutionConfig } from './convolution.js';

export type Conv2DConfig = ConvolutionConfig;

export class Conv2D extends Convolution<Conv2DConfig> {
  readonly className = 'Conv2D';

  constructor(config: Conv2DConfig) {
    super(config, 'Conv2D', 2);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    checkLayerInputRank(
      'Conv2D',
      inputShape,
      4,
      this.dataFormat === 'channelsLast' ? '[batch, height, width, channels]' : '[batch, channels, height, width]',
    );
    const nhwc =
      this.dataFormat === 'channelsLast'
        ? inputShape
        : [inputShape[0]!, inputShape[2]!, inputShape[3]!, inputShape[1]!];
    const [, height, width, channels] = nhwc.map((extent) => extent ?? 1) as [number, number, number, number];
    const filterShape = [...this.kernelSize, channels, this.filters];
    const geometry = convGeometry('Conv2D', [1, height, width, channels], filterShape, this.opOptions());
    const [outHeight, outWidth] = [geometry.outHeight, geometry.outWidth];
    return this.dataFormat === 'channelsLast'
      ? [inputShape[0]!, outHeight, outWidth, this.filters]
      : [inputShape[0]!, this.filters, outHeight, outWidth];
  }

  call(input: Tensor, options: CallOptions): Tensor {
    if (this.activation === 'relu') {
      // One op: relu in the conv kernels' epilogue and in their filter-gradient pass (same numbers).
      const [kernel, bias] = this.parameters;
      const biasTensor = this.useBias ? bias!.tensor : null;
      return conv2dOp(input, kernel!.tensor, biasTensor, { ...this.opOptions(), activation: 'relu' });
    }
    return applyActivation(this.activation, this.callWithoutActivation(input, options));
  }

  callWithoutActivation(input: Tensor, _options: CallOptions): Tensor {
    const [kernel, bias] = this.parameters;
    return conv2dOp(input, kernel!.tensor, this.useBias ? bias!.tensor : null, this.opOptions());
  }

  /**
   * Max pooling of this layer's output, as the one fused op (the same numbers): for a linear or relu
   * layer only, whose relu the op applies to the pooled output (relu commutes with max pooling).
   */
  callThenMaxPool(input: Tensor, pool: PoolOptions): Tensor {
    if (this.activation !== 'linear' && this.activation !== 'relu') {
      throw new Error(`Conv2D.callThenMaxPool: activation '${this.activation}' does not commute with max pooling`);
    }
    const [kernel, bias] = this.parameters;
    const options = { ...this.opOptions(), activation: this.activation };
    return conv2dMaxPool2d(input, kernel!.tensor, this.useBias ? bias!.tensor : null, options, pool);
  }

  /**
   * `pooling`'s call on this layer's output as one op, where that call picks one cell per window
   * (Pooling.cellSelection; the same numbers as the two layers in turn); null, with nothing computed,
   * where it does not. For a linear or relu layer only.
   */
  callThenSelect(input: Tensor, pooling: Pooling, options: CallOptions): Tensor | null {
    if (this.activation !== 'linear' && this.activation !== 'relu') return null;
    const [kernel, bias] = this.parameters;
    const conv = { ...this.opOptions(), activation: this.activation };
    const select = (convOutput: Tensor, afterRelu: boolean) => pooling.cellSelection(convOutput, options, afterRelu);
    return conv2dSelectPool2d(input, kernel!.tensor, this.useBias ? bias!.tensor : null, conv, select);
  }

  private opOptions() {
    return {
      stride: this.strides,
      padding: this.padding as Padding,
      dilation: this.dilationRate,
      dataFormat: this.dataFormat,
    };
  }
}

/**
 * Keras's Conv2D.
 * @example conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] })
 */
export function conv2d(config: Conv2DConfig): Conv2D {
  return new Conv2D(config);
}
