// Global pooling layers, Keras's GlobalMaxPooling1D/2D/3D and GlobalAveragePooling1D/2D/3D: one
// value per (batch, channel), output [batch, channels] (or spatial axes kept as 1 with keepDims).
import { checkDataFormat, type DataFormat, type SpatialDims } from '../../geometry/layout.js';
import { globalAvgPool, globalMaxPool, type GlobalPoolOptions } from '../../ops/pool/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import {
  checkLayerInputRank,
  Layer,
  type CallOptions,
  type ConfigObject,
  type LayerConfig,
  type LayerShape,
} from '../layer.js';
import { maskedGlobalPool1d } from '../masks.js';

export interface GlobalPoolingConfig extends LayerConfig {
  dataFormat?: DataFormat;
  /** Keep the spatial axes as size 1 (Keras's keepdims); default false. */
  keepDims?: boolean;
}

export abstract class GlobalPooling extends Layer<GlobalPoolingConfig> {
  abstract readonly spatialDims: SpatialDims;
  protected abstract pool(input: Tensor, options: GlobalPoolOptions): Tensor;

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const channelsLast = this.dataFormat() === 'channelsLast';
    checkLayerInputRank(
      this.className,
      inputShape,
      this.spatialDims + 2,
      channelsLast ? '[batch, ...spatial, channels]' : '[batch, channels, ...spatial]',
    );
    const channels = channelsLast ? inputShape[inputShape.length - 1]! : inputShape[1]!;
    if (!this.config.keepDims) return [inputShape[0]!, channels];
    const ones = Array<number>(this.spatialDims).fill(1);
    return channelsLast ? [inputShape[0]!, ...ones, channels] : [inputShape[0]!, channels, ...ones];
  }

  call(input: Tensor, options: CallOptions): Tensor {
    const keepDims = this.config.keepDims ?? false;
    // A mask over steps (from Embedding or Masking): padded steps are ignored, as Keras's 1D pooling does.
    if (this.spatialDims === 1 && options.mask) {
      const mode = this.pool === globalMaxPool ? 'max' : 'average';
      return maskedGlobalPool1d(input, options.mask, {
        mode,
        channelsFirst: this.dataFormat() === 'channelsFirst',
        keepDims,
      });
    }
    return this.pool(input, { dataFormat: this.dataFormat(), keepDims });
  }

  getConfig(): ConfigObject {
    return { ...this.baseConfig(), dataFormat: this.dataFormat(), keepDims: this.config.keepDims ?? false };
  }

  protected dataFormat(): DataFormat {
    return checkDataFormat(this.className, this.config.dataFormat);
  }
}

export class GlobalMaxPooling1D extends GlobalPooling {
  readonly className = 'GlobalMaxPooling1D';
  readonly spatialDims = 1;
  protected pool = globalMaxPool;
}
export class GlobalMaxPooling2D extends GlobalPooling {
  readonly className = 'GlobalMaxPooling2D';
  readonly spatialDims = 2;
  protected pool = globalMaxPool;
}
export class GlobalMaxPooling3D extends GlobalPooling {
  readonly className = 'GlobalMaxPooling3D';
  readonly spatialDims = 3;
  protected pool = globalMaxPool;
}
export class GlobalAveragePooling1D extends GlobalPooling {
  readonly className = 'GlobalAveragePooling1D';
  readonly spatialDims = 1;
  protected pool = globalAvgPool;
}
export class GlobalAveragePooling2D extends GlobalPooling {
  readonly className = 'GlobalAveragePooling2D';
  readonly spatialDims = 2;
  protected pool = globalAvgPool;
}
export class GlobalAveragePooling3D extends GlobalPooling {
  readonly className = 'GlobalAveragePooling3D';
  readonly spatialDims = 3;
  protected pool = globalAvgPool;
}

/** @example globalMaxPooling1d() // [null, 10, 4] → [null, 4] */
export const globalMaxPooling1d = (config: GlobalPoolingConfig = {}) => new GlobalMaxPooling1D(config);
/** @example globalMaxPooling2d() // [null, 7, 7, 64] → [null, 64] */
export const globalMaxPooling2d = (config: GlobalPoolingConfig = {}) => new GlobalMaxPooling2D(config);
/** @example globalMaxPooling3d() */
export const globalMaxPooling3d = (config: GlobalPoolingConfig = {}) => new GlobalMaxPooling3D(config);
/** @example globalAveragePooling1d() */
export const globalAveragePooling1d = (config: GlobalPoolingConfig = {}) => new GlobalAveragePooling1D(config);
/** @example globalAveragePooling2d() // [null, 7, 7, 64] → [null, 64] */
export const globalAveragePooling2d = (config: GlobalPoolingConfig = {}) => new GlobalAveragePooling2D(config);
/** @example globalAveragePooling3d() */
export const globalAveragePooling3d = (config: GlobalPoolingConfig = {}) => new GlobalAveragePooling3D(config);
