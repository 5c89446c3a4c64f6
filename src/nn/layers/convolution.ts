// The options, weights and config every Keras convolution layer shares (Conv1D, Conv2D, Conv3D):
// filters, kernelSize, strides, padding, dilationRate, activation, bias and initialisers, with the
// kernel [...kernelSize, inChannels, filters] and then the bias, in Keras's order.
import { fail } from '../../errors.js';
import {
  checkDataFormat,
  checkExtent,
  checkOutputShape,
  perDimension,
  type DataFormat,
  type SpatialDims,
} from '../../geometry/layout.js';
import type { Padding } from '../../geometry/pool-geometry.js';
import type { Random } from '../../tensor/random.js';
import { checkActivation, type ActivationName } from '../activation-names.js';
import { checkInitializer, kernelAndBias, type InitializerName } from '../initializers.js';
import { Layer } from '../layer.js';
import type { ConfigObject, LayerConfig, LayerParameter, LayerShape, ParameterShape } from '../layer.js';
import { LAYER_CONFIG_KEYS } from '../layer-options.js';
import { checkKnownOptions, optionKeys } from '../../ops/checks.js';

export interface ConvolutionConfig extends LayerConfig {
  filters: number;
  /** One number for every spatial axis, or one per axis. */
  kernelSize: number | readonly number[];
  /** Default 1. */
  strides?: number | readonly number[];
  /** 'valid' (default) or 'same' ('causal' too for Conv1D); explicit pads are a poolkit extension. */
  padding?: Padding | 'causal';
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

const CONVOLUTION_KEYS = optionKeys<ConvolutionConfig>({
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

export abstract class Convolution<Config extends ConvolutionConfig = ConvolutionConfig> extends Layer<Config> {
  readonly filters: number;
  readonly kernelSize: readonly number[];
  readonly strides: readonly number[];
  readonly dilationRate: readonly number[];
  readonly padding: Padding | 'causal';
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly dataFormat: DataFormat;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;

  /** `layer` names the class in errors (subclass fields are not set yet while this runs). */
  constructor(config: Config, layer: string, spatialDims: SpatialDims) {
    super(config);
    checkKnownOptions(layer, config, CONVOLUTION_KEYS);
    this.filters = checkExtent(layer, 'filters', config.filters, 1);
    this.kernelSize = perDimension(layer, 'kernelSize', config.kernelSize, spatialDims, 1);
    this.strides = perDimension(layer, 'strides', config.strides ?? 1, spatialDims, 1);
    this.dilationRate = perDimension(layer, 'dilationRate', config.dilationRate ?? 1, spatialDims, 1);
    this.padding = config.padding ?? 'valid';
    if (this.padding === 'causal' && spatialDims !== 1)
      fail(layer, 'padding', "must not be 'causal' (Conv1D only)", 'causal');
    this.activation = checkActivation(layer, config.activation);
    this.useBias = config.useBias ?? true;
    this.dataFormat = checkDataFormat(layer, config.dataFormat);
    this.kernelInitializer = checkInitializer(layer, 'kernelInitializer', config.kernelInitializer, 'glorotUniform');
    this.biasInitializer = checkInitializer(layer, 'biasInitializer', config.biasInitializer, 'zeros');
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

  /** The input's channel count: its last axis, or axis 1 with channelsFirst. */
  protected inputChannels(inputShape: LayerShape): number {
    const channels = this.dataFormat === 'channelsLast' ? inputShape[inputShape.length - 1] : inputShape[1];
    if (typeof channels !== 'number') fail(this.className, 'input', 'must have a known channel count', inputShape);
    return channels;
  }

  /** The weights' names and shapes: kernel [...kernelSize, inChannels, filters], then bias [filters]. */
  override parameterShapes(inputShape: LayerShape): ParameterShape[] {
    const window = [...this.kernelSize, this.inputChannels(inputShape)];
    checkOutputShape(this.className, 'kernelSize', window, [...this.kernelSize], 'a kernel window');
    const kernel = { name: 'kernel', shape: [...window, this.filters] };
    checkOutputShape(this.className, 'filters', kernel.shape, this.filters, 'a kernel');
    return this.useBias ? [kernel, { name: 'bias', shape: [this.filters] }] : [kernel];
  }

  protected override createParameters(inputShape: LayerShape, random: Random): LayerParameter[] {
    return kernelAndBias(this.parameterShapes(inputShape), this.kernelInitializer, this.biasInitializer, random);
  }
}
