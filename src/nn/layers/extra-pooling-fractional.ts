// FractionalMaxPooling2D and SpatialPyramidPooling: the extra pooling layers whose output size is
// given (a ratio or fixed levels) rather than following from a window and a stride.
import { fail } from '../../errors.js';
import { checkDataFormat, type DataFormat } from '../../geometry/layout.js';
import { fractionalMaxPool2d, spatialPyramidPool, type FractionalMaxPoolOptions } from '../../ops/pool/index.js';
import { resolveSizes } from '../../ops/pool/extra/fractional-options.js';
import type { Tensor } from '../../tensor/tensor.js';
import {
  checkLayerInputRank,
  Layer,
  type CallOptions,
  type ConfigObject,
  type LayerConfig,
  type LayerShape,
} from '../layer.js';

export interface FractionalMaxPoolingConfig extends LayerConfig {
  /** Output size per axis; or give outputRatio (default Graham's 1/√2 when neither is given). */
  outputSize?: number | readonly number[];
  outputRatio?: number | readonly number[];
  /** PyTorch's fixed pool size; absent: Graham's boundary sequences. */
  poolSize?: number | readonly number[];
  sequence?: 'pseudoRandom' | 'random';
  overlapping?: boolean;
  dataFormat?: DataFormat;
}

/**
 * Graham's fractional max pooling (see fractionalMaxPool2d). Training draws fresh regions from the
 * call's Random; inference uses the pseudo-random regions of u = 0.5 on every plane and axis
 * (deterministic, no Random; Graham instead averages several random draws at test time).
 */
export class FractionalMaxPooling2D extends Layer<FractionalMaxPoolingConfig> {
  readonly className = 'FractionalMaxPooling2D';

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const channelsLast = this.dataFormat() === 'channelsLast';
    checkLayerInputRank(
      this.className,
      inputShape,
      4,
      channelsLast ? '[batch, height, width, channels]' : '[batch, channels, height, width]',
    );
    const spatial = channelsLast ? inputShape.slice(1, 3) : inputShape.slice(2, 4);
    if (spatial.some((size) => size === null))
      fail(this.className, 'input', 'must have known height and width', inputShape);
    const plans = resolveSizes(this.className, spatial as number[], 2, this.sizeOptions());
    const outSizes = plans.map((plan) => plan.outSize);
    return channelsLast ? [inputShape[0]!, ...outSizes, inputShape[3]!] : [inputShape[0]!, inputShape[1]!, ...outSizes];
  }

  call(input: Tensor, options: CallOptions): Tensor {
    const base: FractionalMaxPoolOptions = { ...this.sizeOptions(), dataFormat: this.dataFormat() };
    if (options.training) return fractionalMaxPool2d(input, { ...base, random: options.random });
    const [batch, channels] =
      this.dataFormat() === 'channelsLast' ? [input.shape[0]!, input.shape[3]!] : [input.shape[0]!, input.shape[1]!];
    return fractionalMaxPool2d(input, {
      ...base,
      sequence: 'pseudoRandom',
      samples: new Float32Array(batch * channels * 2).fill(0.5),
    });
  }

  getConfig(): ConfigObject {
    const { outputSize, outputRatio, kernelSize: poolSize } = this.sizeOptions();
    const list = (value: number | readonly number[] | undefined) =>
      value === undefined ? null : typeof value === 'number' ? value : [...value];
    return {
      ...this.baseConfig(),
      outputSize: list(outputSize),
      outputRatio: list(outputRatio),
      poolSize: list(poolSize),
      sequence: this.config.sequence ?? 'pseudoRandom',
      overlapping: this.config.overlapping ?? false,
      dataFormat: this.dataFormat(),
    };
  }

  /** The op's size options from the config (poolSize becomes kernelSize); ratio 1/√2 when no size is given. */
  private sizeOptions(): FractionalMaxPoolOptions {
    const { outputSize, poolSize } = this.config;
    const outputRatio =
      this.config.outputRatio ?? (outputSize === undefined || outputSize === null ? Math.SQRT1_2 : undefined);
    const options: FractionalMaxPoolOptions = {
      sequence: this.config.sequence ?? 'pseudoRandom',
      overlapping: this.config.overlapping ?? false,
    };
    if (outputSize !== undefined && outputSize !== null) options.outputSize = outputSize;
    if (outputRatio !== undefined && outputRatio !== null) options.outputRatio = outputRatio;
    if (poolSize !== undefined && poolSize !== null) options.kernelSize = poolSize;
    return options;
  }

  private dataFormat(): DataFormat {
    return checkDataFormat(this.className, this.config.dataFormat);
  }
}

export interface SpatialPyramidPoolingConfig extends LayerConfig {
  /** Default [1, 2, 4]. */
  levels?: readonly number[];
  /** 'max' (default) or 'average'. */
  mode?: 'max' | 'average';
  dataFormat?: DataFormat;
}

/** He et al.'s spatial pyramid pooling (see spatialPyramidPool): any height and width → [batch, channels·Σ L²]. */
export class SpatialPyramidPooling extends Layer<SpatialPyramidPoolingConfig> {
  readonly className = 'SpatialPyramidPooling';

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const channelsLast = checkDataFormat(this.className, this.config.dataFormat) === 'channelsLast';
    checkLayerInputRank(
      this.className,
      inputShape,
      4,
      channelsLast ? '[batch, height, width, channels]' : '[batch, channels, height, width]',
    );
    const channels = channelsLast ? inputShape[3] : inputShape[1];
    if (typeof channels !== 'number') fail(this.className, 'input', 'must have a known channel count', inputShape);
    const levels = this.levels();
    return [inputShape[0]!, channels * levels.reduce((total, level) => total + level * level, 0)];
  }

  call(input: Tensor, _options: CallOptions): Tensor {
    return spatialPyramidPool(input, {
      levels: this.levels(),
      mode: this.config.mode ?? 'max',
      dataFormat: checkDataFormat(this.className, this.config.dataFormat),
    });
  }

  getConfig(): ConfigObject {
    return {
      ...this.baseConfig(),
      levels: [...this.levels()],
      mode: this.config.mode ?? 'max',
      dataFormat: checkDataFormat(this.className, this.config.dataFormat),
    };
  }

  private levels(): readonly number[] {
    const levels = this.config.levels ?? [1, 2, 4];
    if (
      !Array.isArray(levels) ||
      levels.length === 0 ||
      !levels.every((level) => Number.isInteger(level) && level >= 1)
    ) {
      fail(this.className, 'levels', 'must be a non-empty array of positive integers', levels);
    }
    return levels;
  }
}

/** @example fractionalMaxPooling2d({ outputRatio: 0.7, poolSize: 2 }) // PyTorch's FractionalMaxPool2d */
export const fractionalMaxPooling2d = (config: FractionalMaxPoolingConfig = {}): FractionalMaxPooling2D =>
  new FractionalMaxPooling2D(config);
/** @example spatialPyramidPooling({ levels: [1, 2, 4] }) // [null, null, null, 32] → [null, 672] */
export const spatialPyramidPooling = (config: SpatialPyramidPoolingConfig = {}): SpatialPyramidPooling =>
  new SpatialPyramidPooling(config);
