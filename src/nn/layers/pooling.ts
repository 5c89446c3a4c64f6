// Window pooling layers with Keras's names and options: MaxPooling1D/2D/3D, AveragePooling1D/2D/3D
// and LpPooling1D/2D/3D (a poolkit addition, ONNX LpPool semantics). poolSize defaults to 2 per
// axis, strides to poolSize, padding to 'valid'. Averages divide by the in-bounds cell count with
// either padding, as Keras (TensorFlow) does; output shapes come from poolGeometry.
import { fail } from '../../errors.js';
import { checkDataFormat, perDimension, type DataFormat, type SpatialDims } from '../../geometry/layout.js';
import { poolGeometry, type PoolOptions } from '../../geometry/pool-geometry.js';
import {
  avgPool1d,
  avgPool2d,
  avgPool3d,
  lpPool1d,
  lpPool2d,
  lpPool3d,
  maxPool1d,
  maxPool2d,
  maxPool3d,
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

export interface PoolingConfig extends LayerConfig {
  /** Window size: one number for every axis or one per axis; default 2. */
  poolSize?: number | readonly number[];
  /** Step between windows; default poolSize. */
  strides?: number | readonly number[] | null;
  /** 'valid' (default) or 'same' (TensorFlow's rule). */
  padding?: 'valid' | 'same';
  dataFormat?: DataFormat;
}

export interface LpPoolingConfig extends PoolingConfig {
  /** The norm's power, a number of at least 1; default 2. */
  p?: number;
}

/** The shared body of every window pooling layer; subclasses name the class and the op. */
export abstract class WindowPooling<Config extends PoolingConfig = PoolingConfig> extends Layer<Config> {
  abstract readonly spatialDims: SpatialDims;
  /** Runs the pooling op with this layer's options. */
  protected abstract pool(input: Tensor, options: PoolOptions): Tensor;

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const layout =
      this.dataFormat() === 'channelsLast' ? '[batch, ...spatial, channels]' : '[batch, channels, ...spatial]';
    checkLayerInputRank(this.className, inputShape, this.spatialDims + 2, layout);
    const concrete = inputShape.map((extent) => extent ?? 1);
    const geometry = poolGeometry(this.className, concrete, this.spatialDims, this.poolOptions());
    return [inputShape[0]!, ...geometry.outputShape.slice(1)];
  }

  call(input: Tensor, _options: CallOptions): Tensor {
    return this.pool(input, this.poolOptions());
  }

  getConfig(): ConfigObject {
    const options = this.poolOptions();
    return {
      ...this.baseConfig(),
      poolSize: [...(options.kernelSize as number[])],
      strides: [...(options.stride as number[])],
      padding: options.padding as string,
      dataFormat: this.dataFormat(),
    };
  }

  /** The pooling op's options that this layer's config gives. */
  poolOptions(): PoolOptions {
    const poolSize = perDimension(this.className, 'poolSize', this.config.poolSize ?? 2, this.spatialDims, 1);
    const strides = perDimension(this.className, 'strides', this.config.strides ?? poolSize, this.spatialDims, 1);
    const padding = this.config.padding ?? 'valid';
    if (padding !== 'valid' && padding !== 'same')
      fail(this.className, 'padding', "must be 'valid' or 'same'", padding);
    return { kernelSize: poolSize, stride: strides, padding, dataFormat: this.dataFormat() };
  }

  protected dataFormat(): DataFormat {
    return checkDataFormat(this.className, this.config.dataFormat);
  }
}

export class MaxPooling1D extends WindowPooling {
  readonly className = 'MaxPooling1D';
  readonly spatialDims = 1;
  protected pool = (input: Tensor, options: PoolOptions) => maxPool1d(input, options);
}
export class MaxPooling2D extends WindowPooling {
  readonly className = 'MaxPooling2D';
  readonly spatialDims = 2;
  protected pool = (input: Tensor, options: PoolOptions) => maxPool2d(input, options);
}
export class MaxPooling3D extends WindowPooling {
  readonly className = 'MaxPooling3D';
  readonly spatialDims = 3;
  protected pool = (input: Tensor, options: PoolOptions) => maxPool3d(input, options);
}
export class AveragePooling1D extends WindowPooling {
  readonly className = 'AveragePooling1D';
  readonly spatialDims = 1;
  protected pool = (input: Tensor, options: PoolOptions) => avgPool1d(input, { ...options, countIncludePad: false });
}
export class AveragePooling2D extends WindowPooling {
  readonly className = 'AveragePooling2D';
  readonly spatialDims = 2;
  protected pool = (input: Tensor, options: PoolOptions) => avgPool2d(input, { ...options, countIncludePad: false });
}
export class AveragePooling3D extends WindowPooling {
  readonly className = 'AveragePooling3D';
  readonly spatialDims = 3;
  protected pool = (input: Tensor, options: PoolOptions) => avgPool3d(input, { ...options, countIncludePad: false });
}

/** Lp pooling layers add `p` to the window options. */
abstract class LpPoolingLayer extends WindowPooling<LpPoolingConfig> {
  override getConfig(): ConfigObject {
    return { ...super.getConfig(), p: this.config.p ?? 2 };
  }

  protected power(): number {
    return this.config.p ?? 2;
  }
}
export class LpPooling1D extends LpPoolingLayer {
  readonly className = 'LpPooling1D';
  readonly spatialDims = 1;
  protected pool = (input: Tensor, options: PoolOptions) => lpPool1d(input, { ...options, p: this.power() });
}
export class LpPooling2D extends LpPoolingLayer {
  readonly className = 'LpPooling2D';
  readonly spatialDims = 2;
  protected pool = (input: Tensor, options: PoolOptions) => lpPool2d(input, { ...options, p: this.power() });
}
export class LpPooling3D extends LpPoolingLayer {
  readonly className = 'LpPooling3D';
  readonly spatialDims = 3;
  protected pool = (input: Tensor, options: PoolOptions) => lpPool3d(input, { ...options, p: this.power() });
}

/** @example maxPooling1d({ poolSize: 2 }) // [null, 10, 4] → [null, 5, 4] */
export const maxPooling1d = (config: PoolingConfig = {}): MaxPooling1D => new MaxPooling1D(config);
/** @example maxPooling2d({ poolSize: 2 }) // [null, 26, 26, 32] → [null, 13, 13, 32] */
export const maxPooling2d = (config: PoolingConfig = {}): MaxPooling2D => new MaxPooling2D(config);
/** @example maxPooling3d({ poolSize: [1, 2, 2] }) */
export const maxPooling3d = (config: PoolingConfig = {}): MaxPooling3D => new MaxPooling3D(config);
/** @example averagePooling1d({ poolSize: 3, strides: 1, padding: 'same' }) */
export const averagePooling1d = (config: PoolingConfig = {}): AveragePooling1D => new AveragePooling1D(config);
/** @example averagePooling2d({ poolSize: 2 }) */
export const averagePooling2d = (config: PoolingConfig = {}): AveragePooling2D => new AveragePooling2D(config);
/** @example averagePooling3d({ poolSize: 2 }) */
export const averagePooling3d = (config: PoolingConfig = {}): AveragePooling3D => new AveragePooling3D(config);
/** @example lpPooling1d({ p: 2, poolSize: 2 }) */
export const lpPooling1d = (config: LpPoolingConfig = {}): LpPooling1D => new LpPooling1D(config);
/** @example lpPooling2d({ p: 3, poolSize: 2 }) */
export const lpPooling2d = (config: LpPoolingConfig = {}): LpPooling2D => new LpPooling2D(config);
/** @example lpPooling3d({ p: 2, poolSize: 2 }) */
export const lpPooling3d = (config: LpPoolingConfig = {}): LpPooling3D => new LpPooling3D(config);
