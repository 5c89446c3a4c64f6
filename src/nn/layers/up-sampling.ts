// UpSampling2D: Keras's layer that repeats rows and columns by integer factors ('nearest') or
// interpolates them ('bilinear', as tf.image.resizeBilinear), on the upSampling2d op.
import { fail } from '../../errors.js';
import { checkDataFormat, perDimension, type DataFormat } from '../../geometry/layout.js';
import { upSampling2d as upSampling2dOp } from '../../ops/nn/upsampling.js';
import type { Tensor } from '../../tensor/tensor.js';
import {
  checkLayerInputRank,
  Layer,
  type CallOptions,
  type ConfigObject,
  type LayerConfig,
  type LayerShape,
} from '../layer.js';

export interface UpSampling2DConfig extends LayerConfig {
  /** Factors [rows, columns], or one for both; default [2, 2]. */
  size?: number | readonly number[];
  /** 'nearest' (default) or 'bilinear'. */
  interpolation?: 'nearest' | 'bilinear';
  dataFormat?: DataFormat;
}

export class UpSampling2D extends Layer<UpSampling2DConfig> {
  readonly className = 'UpSampling2D';
  readonly size: readonly number[];
  readonly interpolation: 'nearest' | 'bilinear';
  readonly dataFormat: DataFormat;

  constructor(config: UpSampling2DConfig = {}) {
    super(config);
    this.size = perDimension('UpSampling2D', 'size', config.size ?? 2, 2, 1);
    this.interpolation = config.interpolation ?? 'nearest';
    if (this.interpolation !== 'nearest' && this.interpolation !== 'bilinear')
      fail('UpSampling2D', 'interpolation', "must be 'nearest' or 'bilinear'", this.interpolation);
    this.dataFormat = checkDataFormat('UpSampling2D', config.dataFormat);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const channelsLast = this.dataFormat === 'channelsLast';
    checkLayerInputRank(
      'UpSampling2D',
      inputShape,
      4,
      channelsLast ? '[batch, height, width, channels]' : '[batch, channels, height, width]',
    );
    const first = channelsLast ? 1 : 2;
    const scale = (extent: number | null, factor: number): number | null => (extent === null ? null : extent * factor);
    const shape = [...inputShape];
    shape[first] = scale(inputShape[first]!, this.size[0]!);
    shape[first + 1] = scale(inputShape[first + 1]!, this.size[1]!);
    return shape;
  }

  call(input: Tensor, _options: CallOptions): Tensor {
    return upSampling2dOp(input, { size: this.size, interpolation: this.interpolation, dataFormat: this.dataFormat });
  }

  getConfig(): ConfigObject {
    return {
      ...this.baseConfig(),
      size: [...this.size],
      dataFormat: this.dataFormat,
      interpolation: this.interpolation,
    };
  }
}

/**
 * Keras's UpSampling2D.
 * @example upSampling2d({ size: 2 }) // [null, 7, 7, 16] → [null, 14, 14, 16]
 */
export function upSampling2d(config: UpSampling2DConfig = {}): UpSampling2D {
  return new UpSampling2D(config);
}
