// Activation: Keras's layer that applies one named activation function.
import { optionKeys } from '../../ops/checks.js';
import type { Tensor } from '../../tensor/tensor.js';
import { applyActivation, checkActivation, type ActivationName } from '../activation-names.js';
import type { CallOptions, ConfigObject, LayerConfig } from '../layer.js';
import { LAYER_CONFIG_KEYS } from '../layer-options.js';
import { ShapePreservingLayer } from './shape-preserving.js';

export interface ActivationConfig extends LayerConfig {
  activation: ActivationName;
}

const ACTIVATION_KEYS = optionKeys<ActivationConfig>({ ...LAYER_CONFIG_KEYS, activation: true });

export class Activation extends ShapePreservingLayer<ActivationConfig> {
  readonly className = 'Activation';
  readonly activation: ActivationName;

  constructor(config: ActivationConfig) {
    super(config, 'Activation', ACTIVATION_KEYS);
    this.activation = checkActivation('Activation', config.activation);
  }

  call(input: Tensor, _options: CallOptions): Tensor {
    return applyActivation(this.activation, input);
  }

  callWithoutActivation(input: Tensor, _options: CallOptions): Tensor {
    return input;
  }

  getConfig(): ConfigObject {
    return { ...this.baseConfig(), activation: this.activation };
  }
}

/** @example activation({ activation: 'softmax' }) */
export function activation(config: ActivationConfig): Activation {
  return new Activation(config);
}
