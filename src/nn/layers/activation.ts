// Activation: Keras's layer that applies one named activation function.
import { checkKnownOptions, optionKeys } from '../../ops/checks.js';
import type { Tensor } from '../../tensor/tensor.js';
import { applyActivation, checkActivation, type ActivationName } from '../activation-names.js';
import { Layer, type CallOptions, type ConfigObject, type LayerConfig, type LayerShape } from '../layer.js';
import { LAYER_CONFIG_KEYS } from '../layer-options.js';

export interface ActivationConfig extends LayerConfig {
  activation: ActivationName;
}

const ACTIVATION_KEYS = optionKeys<ActivationConfig>({ ...LAYER_CONFIG_KEYS, activation: true });

export class Activation extends Layer<ActivationConfig> {
  readonly className = 'Activation';
  override readonly supportsMasking = true;
  readonly activation: ActivationName;

  constructor(config: ActivationConfig) {
    super(config);
    checkKnownOptions('Activation', config, ACTIVATION_KEYS);
    this.activation = checkActivation('Activation', config.activation);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
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
