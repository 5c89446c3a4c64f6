// The option names every layer accepts (LayerConfig's), for layers to spread into their own list:
//   const DENSE_KEYS = optionKeys<DenseConfig>({ ...LAYER_CONFIG_KEYS, units: true, ... });
//   checkKnownOptions('Dense', config, DENSE_KEYS);   // in the constructor, after super(config)
// optionKeys makes the compiler reject a list that misses one of the config type's keys.
import type { LayerConfig } from './layer.js';

export const LAYER_CONFIG_KEYS = Object.freeze({
  name: true,
  inputShape: true,
  trainable: true,
} as const satisfies { readonly [Key in keyof Required<LayerConfig>]: true });
