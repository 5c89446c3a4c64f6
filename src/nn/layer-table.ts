// Every layer class by its Keras class name: how a saved model's {className, config} becomes a
// layer again. An explicit table (no registry filled by import side effects): to add a layer,
// add one line here (see the how-to at the top of layer.ts).
import { fail } from '../errors.js';
import type { ConfigObject, Layer, LayerConfig, SerializedLayer } from './layer.js';
import { Activation, type ActivationConfig } from './layers/activation.js';
import {
  AdaptiveAveragePooling1D,
  AdaptiveAveragePooling2D,
  AdaptiveAveragePooling3D,
  AdaptiveMaxPooling1D,
  AdaptiveMaxPooling2D,
  AdaptiveMaxPooling3D,
  type AdaptivePoolingConfig,
} from './layers/adaptive-pooling.js';
import { BatchNormalization, type BatchNormalizationConfig } from './layers/batch-normalization.js';
import { Conv2D, type Conv2DConfig } from './layers/conv2d.js';
import { Dense, type DenseConfig } from './layers/dense.js';
import { Dropout, type DropoutConfig } from './layers/dropout.js';
import {
  FractionalMaxPooling2D,
  FractionalMaxPooling3D,
  SpatialPyramidPooling,
  type FractionalMaxPoolingConfig,
  type SpatialPyramidPoolingConfig,
} from './layers/extra-pooling-fractional.js';
import {
  LSTMPooling2D,
  MaskedPooling1D,
  type LstmPoolingConfig,
  type MaskedPoolingConfig,
} from './layers/extra-pooling-sequence.js';
import {
  GatedPooling2D,
  MixedPooling2D,
  RandomPooling2D,
  StochasticPooling2D,
  type GatedPoolingConfig,
  type MixedPoolingConfig,
} from './layers/extra-pooling.js';
import { Flatten } from './layers/flatten.js';
import {
  GlobalAveragePooling1D,
  GlobalAveragePooling2D,
  GlobalAveragePooling3D,
  GlobalMaxPooling1D,
  GlobalMaxPooling2D,
  GlobalMaxPooling3D,
  type GlobalPoolingConfig,
} from './layers/global-pooling.js';
import { Conv1D, type Conv1DConfig } from './layers/conv1d.js';
import { Conv3D, type Conv3DConfig } from './layers/conv3d.js';
import { Embedding, type EmbeddingConfig } from './layers/embedding.js';
import { InputLayer, type InputLayerConfig } from './layers/input-layer.js';
import { Masking, type MaskingConfig } from './layers/masking.js';
import { Add, Concatenate, type ConcatenateConfig } from './layers/merge.js';
import { Reshape, type ReshapeConfig } from './layers/reshape.js';
import { UpSampling2D, type UpSampling2DConfig } from './layers/up-sampling.js';
import {
  AveragePooling1D,
  AveragePooling2D,
  AveragePooling3D,
  LpPooling1D,
  LpPooling2D,
  LpPooling3D,
  MaxPooling1D,
  MaxPooling2D,
  MaxPooling3D,
  type LpPoolingConfig,
  type PoolingConfig,
} from './layers/pooling.js';

type LayerMaker = (config: ConfigObject) => Layer;

/** Keras class name → constructor call. Configs come from getConfig(), so their types are trusted here. */
export const layerTable: Readonly<Record<string, LayerMaker>> = Object.freeze({
  Activation: (config) => new Activation(config as unknown as ActivationConfig),
  BatchNormalization: (config) => new BatchNormalization(config as BatchNormalizationConfig),
  Conv2D: (config) => new Conv2D(config as unknown as Conv2DConfig),
  Dense: (config) => new Dense(config as unknown as DenseConfig),
  Dropout: (config) => new Dropout(config as unknown as DropoutConfig),
  Flatten: (config) => new Flatten(config as LayerConfig),
  MaxPooling1D: (config) => new MaxPooling1D(config as PoolingConfig),
  MaxPooling2D: (config) => new MaxPooling2D(config as PoolingConfig),
  MaxPooling3D: (config) => new MaxPooling3D(config as PoolingConfig),
  AveragePooling1D: (config) => new AveragePooling1D(config as PoolingConfig),
  AveragePooling2D: (config) => new AveragePooling2D(config as PoolingConfig),
  AveragePooling3D: (config) => new AveragePooling3D(config as PoolingConfig),
  LpPooling1D: (config) => new LpPooling1D(config as LpPoolingConfig),
  LpPooling2D: (config) => new LpPooling2D(config as LpPoolingConfig),
  LpPooling3D: (config) => new LpPooling3D(config as LpPoolingConfig),
  GlobalMaxPooling1D: (config) => new GlobalMaxPooling1D(config as GlobalPoolingConfig),
  GlobalMaxPooling2D: (config) => new GlobalMaxPooling2D(config as GlobalPoolingConfig),
  GlobalMaxPooling3D: (config) => new GlobalMaxPooling3D(config as GlobalPoolingConfig),
  GlobalAveragePooling1D: (config) => new GlobalAveragePooling1D(config as GlobalPoolingConfig),
  GlobalAveragePooling2D: (config) => new GlobalAveragePooling2D(config as GlobalPoolingConfig),
  GlobalAveragePooling3D: (config) => new GlobalAveragePooling3D(config as GlobalPoolingConfig),
  AdaptiveMaxPooling1D: (config) => new AdaptiveMaxPooling1D(config as unknown as AdaptivePoolingConfig),
  AdaptiveMaxPooling2D: (config) => new AdaptiveMaxPooling2D(config as unknown as AdaptivePoolingConfig),
  AdaptiveMaxPooling3D: (config) => new AdaptiveMaxPooling3D(config as unknown as AdaptivePoolingConfig),
  AdaptiveAveragePooling1D: (config) => new AdaptiveAveragePooling1D(config as unknown as AdaptivePoolingConfig),
  AdaptiveAveragePooling2D: (config) => new AdaptiveAveragePooling2D(config as unknown as AdaptivePoolingConfig),
  AdaptiveAveragePooling3D: (config) => new AdaptiveAveragePooling3D(config as unknown as AdaptivePoolingConfig),
  StochasticPooling2D: (config) => new StochasticPooling2D(config as PoolingConfig),
  RandomPooling2D: (config) => new RandomPooling2D(config as PoolingConfig),
  MixedPooling2D: (config) => new MixedPooling2D(config as MixedPoolingConfig),
  GatedPooling2D: (config) => new GatedPooling2D(config as GatedPoolingConfig),
  FractionalMaxPooling2D: (config) => new FractionalMaxPooling2D(config as FractionalMaxPoolingConfig),
  FractionalMaxPooling3D: (config) => new FractionalMaxPooling3D(config as FractionalMaxPoolingConfig),
  SpatialPyramidPooling: (config) => new SpatialPyramidPooling(config as SpatialPyramidPoolingConfig),
  MaskedPooling1D: (config) => new MaskedPooling1D(config as MaskedPoolingConfig),
  LSTMPooling2D: (config) => new LSTMPooling2D(config as LstmPoolingConfig),
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
