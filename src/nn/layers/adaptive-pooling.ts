// Adaptive pooling layers (PyTorch's AdaptiveMaxPool/AdaptiveAvgPool, Keras 3's names): the output
// size is given and the windows follow from it (adaptiveGeometry).
import { adaptiveGeometry, type AdaptiveOutputSize } from '../../geometry/adaptive-geometry.js';
import { checkDataFormat, type DataFormat, type SpatialDims } from '../../geometry/layout.js';
import { fail } from '../../errors.js';
import {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
  type AdaptiveAvgPoolOptions,
} from '../../ops/pool/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import {
  checkLayerInputRank,
  Layer,
  type CallOptions,
  type ConfigObject,
  type LayerConfig,
  type LayerShape,
} from '../layer.js';

export interface AdaptivePoolingConfig extends LayerConfig {
  /** Output spatial size: one number, or one per axis (null keeps that axis's input size). */
  outputSize: AdaptiveOutputSize;
  dataFormat?: DataFormat;
}

export abstract class AdaptivePooling extends Layer<AdaptivePoolingConfig> {
  abstract readonly spatialDims: SpatialDims;
  protected abstract pool(input: Tensor, options: AdaptiveAvgPoolOptions): Tensor;

  constructor(config: AdaptivePoolingConfig) {
    super(config);
    if (config.outputSize === undefined) fail('AdaptivePooling', 'outputSize', 'is required', undefined);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const dataFormat = this.dataFormat();
    checkLayerInputRank(
      this.className,
      inputShape,
      this.spatialDims + 2,
      dataFormat === 'channelsLast' ? '[batch, ...spatial, channels]' : '[batch, channels, ...spatial]',
    );
    const concrete = inputShape.map((extent) => extent ?? 1);
    const geometry = adaptiveGeometry(this.className, concrete, this.spatialDims, this.config.outputSize, dataFormat);
    return [inputShape[0]!, ...geometry.outputShape.slice(1)];
  }

  call(input: Tensor, _options: CallOptions): Tensor {
    return this.pool(input, { outputSize: this.config.outputSize, dataFormat: this.dataFormat() });
  }

  getConfig(): ConfigObject {
    const outputSize = this.config.outputSize;
    return {
      ...this.baseConfig(),
      outputSize: typeof outputSize === 'number' ? outputSize : [...outputSize],
      dataFormat: this.dataFormat(),
    };
  }

  protected dataFormat(): DataFormat {
    return checkDataFormat(this.className, this.config.dataFormat);
  }
}

export class AdaptiveMaxPooling1D extends AdaptivePooling {
  readonly className = 'AdaptiveMaxPooling1D';
  readonly spatialDims = 1;
  protected pool = (input: Tensor, options: AdaptiveAvgPoolOptions) => adaptiveMaxPool1d(input, options);
}
export class AdaptiveMaxPooling2D extends AdaptivePooling {
  readonly className = 'AdaptiveMaxPooling2D';
  readonly spatialDims = 2;
  protected pool = (input: Tensor, options: AdaptiveAvgPoolOptions) => adaptiveMaxPool2d(input, options);
}
export class AdaptiveMaxPooling3D extends AdaptivePooling {
  readonly className = 'AdaptiveMaxPooling3D';
  readonly spatialDims = 3;
  protected pool = (input: Tensor, options: AdaptiveAvgPoolOptions) => adaptiveMaxPool3d(input, options);
}
export class AdaptiveAveragePooling1D extends AdaptivePooling {
  readonly className = 'AdaptiveAveragePooling1D';
  readonly spatialDims = 1;
  protected pool = adaptiveAvgPool1d;
}
export class AdaptiveAveragePooling2D extends AdaptivePooling {
  readonly className = 'AdaptiveAveragePooling2D';
  readonly spatialDims = 2;
  protected pool = adaptiveAvgPool2d;
}
export class AdaptiveAveragePooling3D extends AdaptivePooling {
  readonly className = 'AdaptiveAveragePooling3D';
  readonly spatialDims = 3;
  protected pool = adaptiveAvgPool3d;
}

/** @example adaptiveMaxPooling1d({ outputSize: 4 }) */
export const adaptiveMaxPooling1d = (config: AdaptivePoolingConfig) => new AdaptiveMaxPooling1D(config);
/** @example adaptiveMaxPooling2d({ outputSize: [7, 7] }) */
export const adaptiveMaxPooling2d = (config: AdaptivePoolingConfig) => new AdaptiveMaxPooling2D(config);
/** @example adaptiveMaxPooling3d({ outputSize: 2 }) */
export const adaptiveMaxPooling3d = (config: AdaptivePoolingConfig) => new AdaptiveMaxPooling3D(config);
/** @example adaptiveAveragePooling1d({ outputSize: 4 }) */
export const adaptiveAveragePooling1d = (config: AdaptivePoolingConfig) => new AdaptiveAveragePooling1D(config);
/** @example adaptiveAveragePooling2d({ outputSize: 1 }) // [null, 7, 7, 64] → [null, 1, 1, 64] */
export const adaptiveAveragePooling2d = (config: AdaptivePoolingConfig) => new AdaptiveAveragePooling2D(config);
/** @example adaptiveAveragePooling3d({ outputSize: 2 }) */
export const adaptiveAveragePooling3d = (config: AdaptivePoolingConfig) => new AdaptiveAveragePooling3D(config);
