// Every layer class by its Keras class name: how a saved model's {className, config} becomes a
// layer again. An explicit table (no registry filled by import side effects): to add a layer,
// add one line here (see the how-to at the top of layer.ts).
import { fail } from '../errors.js';
import { Pooling } from '../pooling/layer.js';
import { poolingLayerClasses } from '../pooling/registry.js';
import type { ConfigObject, Layer, SerializedLayer } from './layer.js';
import { Activation } from './layers/activation.js';
import { BatchNormalization } from './layers/batch-normalization.js';
import { Conv2D } from './layers/conv2d.js';
import { Dense } from './layers/dense.js';
import { Dropout } from './layers/dropout.js';
import { Flatten } from './layers/flatten.js';
import { Conv1D } from './layers/conv1d.js';
import { Conv3D } from './layers/conv3d.js';
import { Embedding } from './layers/embedding.js';
import { InputLayer } from './layers/input-layer.js';
import { Masking } from './layers/masking.js';
import { Add, Concatenate } from './layers/merge.js';
import { Reshape } from './layers/reshape.js';
import { UpSampling2D } from './layers/up-sampling.js';

type LayerMaker = (config: ConfigObject) => Layer;

/** Every pooling kind's layer classes (MaxPooling2D, ...), derived from the registry. */
function poolingMakers(): Record<string, LayerMaker> {
  const makers: Record<string, LayerMaker> = {};
  for (const [className, { kind, rank }] of poolingLayerClasses()) {
    makers[className] = (config) => new Pooling(kind, rank, config);
  }
  return makers;
}

/**
 * The maker of a layer class from a saved config. Its constructor checks every field (and refuses
 * unknown ones), so the config is handed over as the constructor's type: the one cast of the table.
 */
function maker<Config>(Class: new (config: Config) => Layer): LayerMaker {
  return (config) => new Class(config as unknown as Config);
}

/** Keras class name → the layer's maker. */
export const layerTable: Readonly<Record<string, LayerMaker>> = Object.freeze({
  ...poolingMakers(),
  Activation: maker(Activation),
  BatchNormalization: maker(BatchNormalization),
  Conv2D: maker(Conv2D),
  Dense: maker(Dense),
  Dropout: maker(Dropout),
  Flatten: maker(Flatten),
  Embedding: maker(Embedding),
  Conv1D: maker(Conv1D),
  Conv3D: maker(Conv3D),
  Reshape: maker(Reshape),
  UpSampling2D: maker(UpSampling2D),
  Masking: maker(Masking),
  Concatenate: maker(Concatenate),
  Add: maker(Add),
  InputLayer: maker(InputLayer),
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
