// Masking: Keras's layer that marks padded time steps, those whose features all equal maskValue:
// it zeroes them and outputs their mask for the layers after it (Keras's Masking).
import { fail } from '../../errors.js';
import { maskSteps, stepMask } from '../../ops/nn/sequence-mask.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type CallOptions, type ConfigObject, type LayerConfig, type LayerShape } from '../layer.js';

export interface MaskingConfig extends LayerConfig {
  /** A step whose every feature equals this value is padding; default 0. */
  maskValue?: number;
}

export class Masking extends Layer<MaskingConfig> {
  readonly className = 'Masking';
  override readonly supportsMasking = true;
  readonly maskValue: number;

  constructor(config: MaskingConfig = {}) {
    super(config);
    this.maskValue = config.maskValue ?? 0;
    if (typeof this.maskValue !== 'number') fail('Masking', 'maskValue', 'must be a number', config.maskValue);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    if (inputShape.length < 3)
      fail('Masking', 'input', 'must have rank at least 3 [batch, steps, features]', inputShape);
    return inputShape;
  }

  call(input: Tensor, _options: CallOptions): Tensor {
    return maskSteps(input, stepMask(input, this.maskValue));
  }

  /** 1 where any feature differs from maskValue, [batch, steps]. */
  override computeMask(input: Tensor, _mask: Tensor | null): Tensor {
    return stepMask(input, this.maskValue);
  }

  getConfig(): ConfigObject {
    return { ...this.baseConfig(), maskValue: this.maskValue };
  }
}

/**
 * Keras's Masking.
 * @example masking({ maskValue: 0, inputShape: [50, 8] }) // all-zero steps are masked downstream
 */
export function masking(config: MaskingConfig = {}): Masking {
  return new Masking(config);
}
