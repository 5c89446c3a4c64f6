// The base of layers whose output has the input's shape and which pass the input's mask on
// unchanged (Activation, Dropout): their options checked by name, their output shape the input's.
import { checkKnownOptions } from '../../ops/checks.js';
import { Layer, type LayerConfig, type LayerShape } from '../layer.js';

export abstract class ShapePreservingLayer<Config extends LayerConfig> extends Layer<Config> {
  override readonly supportsMasking = true;

  /** `className` names the layer in errors; `knownKeys` are the config keys it takes. */
  constructor(config: Config, className: string, knownKeys: readonly string[]) {
    super(config);
    checkKnownOptions(className, config, knownKeys);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }
}
