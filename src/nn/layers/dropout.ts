// Dropout: Keras's inverted dropout, active only when training; masks come from the call's Random.
import { fail } from '../../errors.js';
import { optionKeys } from '../../ops/checks.js';
import { dropout as dropoutOp } from '../../ops/nn/dropout.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { CallOptions, ConfigObject, LayerConfig } from '../layer.js';
import { LAYER_CONFIG_KEYS } from '../layer-options.js';
import { ShapePreservingLayer } from './shape-preserving.js';

export interface DropoutConfig extends LayerConfig {
  /** Fraction of inputs to drop, in [0, 1). */
  rate: number;
}

const DROPOUT_KEYS = optionKeys<DropoutConfig>({ ...LAYER_CONFIG_KEYS, rate: true });

export class Dropout extends ShapePreservingLayer<DropoutConfig> {
  readonly className = 'Dropout';
  readonly rate: number;

  constructor(config: DropoutConfig) {
    super(config, 'Dropout', DROPOUT_KEYS);
    if (typeof config.rate !== 'number' || !(config.rate >= 0 && config.rate < 1)) {
      fail('Dropout', 'rate', 'must be a number in [0, 1)', config.rate);
    }
    this.rate = config.rate;
  }

  call(input: Tensor, options: CallOptions): Tensor {
    return options.training ? dropoutOp(input, this.rate, options.random) : input;
  }

  getConfig(): ConfigObject {
    return { ...this.baseConfig(), rate: this.rate };
  }
}

/** @example dropout({ rate: 0.5 }) */
export function dropout(config: DropoutConfig): Dropout {
  return new Dropout(config);
}
