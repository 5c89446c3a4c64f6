// Flatten: keeps the batch axis and flattens the rest (channels-last order, as Keras does by default).
import { fail } from '../../errors.js';
import { checkKnownOptions } from '../../ops/checks.js';
import { flatten as flattenOp } from '../../ops/nn/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type CallOptions, type ConfigObject, type LayerConfig, type LayerShape } from '../layer.js';
import { LAYER_CONFIG_KEYS } from '../layer-options.js';

export class Flatten extends Layer<LayerConfig> {
  readonly className = 'Flatten';

  constructor(config: LayerConfig = {}) {
    super(config);
    checkKnownOptions('Flatten', config, Object.keys(LAYER_CONFIG_KEYS));
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const rest = inputShape.slice(1);
    if (inputShape.length < 2 || rest.some((extent) => extent === null)) {
      fail('Flatten', 'input', 'must have rank at least 2 and known sizes after the batch axis', inputShape);
    }
    return [inputShape[0]!, rest.reduce<number>((total, extent) => total * extent!, 1)];
  }

  call(input: Tensor, _options: CallOptions): Tensor {
    return flattenOp(input);
  }

  getConfig(): ConfigObject {
    return this.baseConfig();
  }
}

/**
 * Keras's Flatten.
 * @example flatten() // [null, 13, 13, 32] → [null, 5408]
 */
export function flatten(config: LayerConfig = {}): Flatten {
  return new Flatten(config);
}
