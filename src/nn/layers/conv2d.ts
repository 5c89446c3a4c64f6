// Conv2D: Keras's 2D convolution layer (kernel HWIO, bias, activation) on the conv2d op.
import { fail } from '../../errors.js';
import { checkDataFormat, perDimension, type DataFormat } from '../../geometry/layout.js';
import type { Padding, PoolOptions } from '../../geometry/pool-geometry.js';
import { checkKnownOptions, optionKeys } from '../../ops/checks.js';
import { conv2dMaxPool2d } from '../../ops/nn/conv2d-max-pool.js';
import { conv2d as conv2dOp, convGeometry } from '../../ops/nn/conv2d.js';
import type { Random } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { applyActivation, checkActivation, type ActivationName } from '../activations.js';
import { checkInitializer, initialize, type InitializerName } from '../initializers.js';
import {
  checkLayerInputRank,
  Layer,
  type CallOptions,
  type ConfigObject,
  type LayerConfig,
  type LayerParameter,
  type LayerShape,
  type ParameterShape,
} from '../layer.js';
import { LAYER_CONFIG_KEYS } from '../layer-options.js';

export interface Conv2DConfig extends LayerConfig {
  filters: number;
  kernelSize: number | readonly number[];
  /** Default 1. */
  strides?: number | readonly number[];
  /** 'valid' (default) or 'same'; explicit pads are a poolkit extension. */
  padding?: Padding;
  dilationRate?: number | readonly number[];
  activation?: ActivationName | null;
  /** Default true. */
  useBias?: boolean;
  dataFormat?: DataFormat;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerName;
  /** Default 'zeros'. */
  biasInitializer?: InitializerName;
}

const CONV2D_KEYS = optionKeys<Conv2DConfig>({
  ...LAYER_CONFIG_KEYS,
  filters: true,
  kernelSize: true,
  strides: true,
  padding: true,
  dilationRate: true,
  activation: true,
  useBias: true,
  dataFormat: true,
  kernelInitializer: true,
  biasInitializer: true,
});

export class Conv2D extends Layer<Conv2DConfig> {
  readonly className = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: readonly number[];
  readonly strides: readonly number[];
  readonly dilationRate: readonly number[];
  readonly padding: Padding;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly dataFormat: DataFormat;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;

  constructor(config: Conv2DConfig) {
    super(config);
    checkKnownOptions('Conv2D', config, CONV2D_KEYS);
    if (!Number.isInteger(config.filters) || config.filters < 1) {
      fail('Conv2D', 'filters', 'must be a positive integer', config.filters);
    }
    this.filters = config.filters;
    this.kernelSize = perDimension('Conv2D', 'kernelSize', config.kernelSize, 2, 1);
    this.strides = perDimension('Conv2D', 'strides', config.strides ?? 1, 2, 1);
    this.dilationRate = perDimension('Conv2D', 'dilationRate', config.dilationRate ?? 1, 2, 1);
    this.padding = config.padding ?? 'valid';
    this.activation = checkActivation('Conv2D', config.activation);
    this.useBias = config.useBias ?? true;
    this.dataFormat = checkDataFormat('Conv2D', config.dataFormat);
    this.kernelInitializer = checkInitializer('Conv2D', 'kernelInitializer', config.kernelInitializer, 'glorotUniform');
    this.biasInitializer = checkInitializer('Conv2D', 'biasInitializer', config.biasInitializer, 'zeros');
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

  getConfig(): ConfigObject {
    return {
      ...this.baseConfig(),
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding as ConfigObject[string],
      dataFormat: this.dataFormat,
      dilationRate: [...this.dilationRate],
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
    };
  }

  override parameterShapes(inputShape: LayerShape): ParameterShape[] {
    const channels = this.dataFormat === 'channelsLast' ? inputShape[3] : inputShape[1];
    const kernel = { name: 'kernel', shape: [...this.kernelSize, channels!, this.filters] };
    return this.useBias ? [kernel, { name: 'bias', shape: [this.filters] }] : [kernel];
  }

  protected override createParameters(inputShape: LayerShape, random: Random): LayerParameter[] {
    return this.parameterShapes(inputShape).map(({ name, shape }) => ({
      name,
      tensor: initialize(name === 'kernel' ? this.kernelInitializer : this.biasInitializer, shape, random),
      trainable: true,
    }));
  }

  private opOptions() {
    return { stride: this.strides, padding: this.padding, dilation: this.dilationRate, dataFormat: this.dataFormat };
  }
}

/**
 * Keras's Conv2D.
 * @example conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] })
 */
export function conv2d(config: Conv2DConfig): Conv2D {
  return new Conv2D(config);
}
