// Every layer class by its Keras class name: how a saved model's {className, config} becomes a
// layer again. An explicit table (no registry filled by import side effects): to add a layer,
// add one line here (see the how-to at the top of layer.ts).
import { fail } from '../errors.js';
import { Pooling } from '../pooling/layer.js';
import { poolingLayerClasses } from '../pooling/registry.js';
import type { ConfigObject, Layer, LayerConfig, SerializedLayer } from './layer.js';
import { Activation, type ActivationConfig } from './layers/activation.js';
import { BatchNormalization, type BatchNormalizationConfig } from './layers/batch-normalization.js';
import { Conv2D, type Conv2DConfig } from './layers/conv2d.js';
import { Dense, type DenseConfig } from './layers/dense.js';
import { Dropout, type DropoutConfig } from './layers/dropout.js';
import { Flatten } from './layers/flatten.js';
import { Conv1D, type Conv1DConfig } from './layers/conv1d.js';
import { Conv3D, type Conv3DConfig } from './layers/conv3d.js';
import { Embedding, type EmbeddingConfig } from './layers/embedding.js';
import { InputLayer, type InputLayerConfig } from './layers/input-layer.js';
import { Masking, type MaskingConfig } from './layers/masking.js';
import { Add, Concatenate, type ConcatenateConfig } from './layers/merge.js';
import { Reshape, type ReshapeConfig } from './layers/reshape.js';
import { UpSampling2D, type UpSampling2DConfig } from './layers/up-sampling.js';

type LayerMaker = (config: ConfigObject) => Layer;

/** Every pooling kind's layer classes (MaxPooling2D, ...), derived from the registry. */
function poolingMakers(): Record<string, LayerMaker> {
  const makers: Record<string, LayerMaker> = {};
  for (const [className, { kind, rank }] of poolingLayerClasses()) {
    makers[className] = (config) => new Pooling(kind, rank, config);
  }
  return makers;
}

/** Keras class name → constructor call. Configs come from getConfig(), so their types are trusted here. */
export const layerTable: Readonly<Record<string, LayerMaker>> = Object.freeze({
  ...poolingMakers(),
  Activation: (config) => new Activation(config as unknown as ActivationConfig),
  BatchNormalization: (config) => new BatchNormalization(config as BatchNormalizationConfig),
  Conv2D: (config) => new Conv2D(config as unknown as Conv2DConfig),
  Dense: (config) => new Dense(config as unknown as DenseConfig),
  Dropout: (config) => new Dropout(config as unknown as DropoutConfig),
  Flatten: (config) => new Flatten(config as LayerConfig),
  // Text, sequence, volume and functional-model layers.
  Embedding: (config) => new Embedding(config as unknown as EmbeddingConfig),
  Conv1D: (config) => new Conv1D(config as unknown as Conv1DConfig),
  Conv3D: (config) => new Conv3D(config as unknown as Conv3DConfig),
  Reshape: (config) => new Reshape(config as unknown as ReshapeConfig),
  UpSampling2D: (config) => new UpSampling2D(config as UpSampling2DConfig),
  Masking: (config) => new Masking(config as MaskingConfig),
  Concatenate: (config) => new Concatenate(config as ConcatenateConfig),
  Add: (config) => new Add(config as LayerConfig),
  InputLayer: (config) => new InputLayer(config as unknown as InputLayerConfig),
});

/**
 * Rebuilds a layer (unbuilt: weights come from build() and then setWeights) from its JSON.
 * @example layerFromConfig({ className: 'Dense', config: { units: 10, activation: 'softmax' } })
 */
export function layerFromConfig(serialized: SerializedLayer): Layer {
  if (serialized === null || typeof serialized !== 'object')
    fail('layerFromConfig', 'layer', 'must be {className, config}', serialized);
  const make = Object.hasOwn(layerTable, serialized.className) ? layerTable[serialized.className] : undefined;
  if (make === undefined) {
    fail('layerFromConfig', 'className', `must be one of ${Object.keys(layerTable).join(', ')}`, serialized.className);
  }
  return make(serialized.config ?? {});
}
