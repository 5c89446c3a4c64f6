// MaskedPooling1D and LSTMPooling2D: the extra pooling layers over sequences, padded time steps
// (masked pooling) or the cells of a window read in order (LSTM pooling).
import { fail } from '../../errors.js';
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import { initLstmPoolWeights, lstmPool2d, maskedPool1d } from '../../ops/pool/index.js';
import type { Random } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { stepMask } from '../../ops/nn/sequence-mask.js';
import {
  checkLayerInputRank,
  Layer,
  type CallOptions,
  type ConfigObject,
  type LayerConfig,
  type LayerParameter,
  type LayerShape,
} from '../layer.js';
import { WindowPooling, type PoolingConfig } from './pooling.js';

export interface MaskedPoolingConfig extends LayerConfig {
  /** 'max' (default), 'average' or 'lp'. */
  mode?: 'max' | 'average' | 'lp';
  /** Lp's power, default 2. */
  p?: number;
  /** A step whose every feature equals this value is padding (Keras's Masking convention); default 0. */
  maskValue?: number;
}

/**
 * Pools [batch, time, features] over time to [batch, features] ignoring padded steps (see
 * maskedPool1d). Padding is the mask an Embedding (maskZero) or Masking layer before it made, when
 * one reaches it; otherwise steps are recognised as Keras's Masking layer does: a step whose
 * features all equal `maskValue`. An all-padding sequence outputs 0. For explicit lengths or
 * masks, call the maskedPool1d op.
 */
export class MaskedPooling1D extends Layer<MaskedPoolingConfig> {
  readonly className = 'MaskedPooling1D';

  computeOutputShape(inputShape: LayerShape): LayerShape {
    checkLayerInputRank(this.className, inputShape, 3, '[batch, time, features]');
    return [inputShape[0]!, inputShape[2]!];
  }

  call(input: Tensor, options: CallOptions): Tensor {
    // A mask from Embedding (maskZero) or Masking replaces the maskValue rule.
    const mask = options.mask ?? stepMask(input, this.config.maskValue ?? 0);
    const output = maskedPool1d(input, { mask, mode: this.config.mode ?? 'max', p: this.config.p ?? 2 });
    if (mask !== options.mask) mask.dispose();
    return output;
  }

  getConfig(): ConfigObject {
    return {
      ...this.baseConfig(),
      mode: this.config.mode ?? 'max',
      p: this.config.p ?? 2,
      maskValue: this.config.maskValue ?? 0,
    };
  }
}

export interface LstmPoolingConfig extends PoolingConfig {
  /** Hidden size of the LSTM = output channels; default 8. */
  units?: number;
}

/** LSTM pooling (see lstmPool2d): weights 'kernel', 'recurrent_kernel', 'bias' as Keras's LSTM names them. */
export class LSTMPooling2D extends WindowPooling<LstmPoolingConfig> {
  readonly className = 'LSTMPooling2D';
  readonly spatialDims = 2;
  readonly units: number;

  constructor(config: LstmPoolingConfig) {
    super(config);
    const units = config.units ?? 8;
    if (!Number.isInteger(units) || units < 1) fail('LSTMPooling2D', 'units', 'must be a positive integer', units);
    this.units = units;
  }

  protected pool = (input: Tensor, options: PoolOptions): Tensor => {
    const [kernel, recurrentKernel, bias] = this.parameters.map((parameter) => parameter.tensor);
    return lstmPool2d(input, { kernel: kernel!, recurrentKernel: recurrentKernel!, bias: bias! }, options);
  };

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    const shape = super.computeOutputShape(inputShape);
    return this.dataFormat() === 'channelsLast'
      ? [...shape.slice(0, 3), this.units]
      : [shape[0]!, this.units, ...shape.slice(2)];
  }

  override getConfig(): ConfigObject {
    return { ...super.getConfig(), units: this.units };
  }

  protected override createParameters(inputShape: LayerShape, random: Random): LayerParameter[] {
    const channels = this.dataFormat() === 'channelsLast' ? inputShape[3] : inputShape[1];
    if (typeof channels !== 'number') fail(this.className, 'input', 'must have a known channel count', inputShape);
    const weights = initLstmPoolWeights(channels, this.units, random.integer(0x7fffffff));
    return [
      { name: 'kernel', tensor: weights.kernel, trainable: true },
      { name: 'recurrent_kernel', tensor: weights.recurrentKernel, trainable: true },
      { name: 'bias', tensor: weights.bias, trainable: true },
    ];
  }
}

/** @example maskedPooling1d({ mode: 'average' }) // [null, 50, 16] → [null, 16], all-zero steps ignored */
export const maskedPooling1d = (config: MaskedPoolingConfig = {}): MaskedPooling1D => new MaskedPooling1D(config);
/** @example lstmPooling2d({ poolSize: 2, units: 32 }) // [null, 26, 26, 32] → [null, 13, 13, 32] */
export const lstmPooling2d = (config: LstmPoolingConfig = {}): LSTMPooling2D => new LSTMPooling2D(config);
