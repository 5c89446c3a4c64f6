// Every layer class and its Keras-style factory: the public `layers` namespace (layers.conv2d({...})).
export { Activation, activation, type ActivationConfig } from './activation.js';
export { BatchNormalization, batchNormalization, type BatchNormalizationConfig } from './batch-normalization.js';
export { Conv2D, conv2d, type Conv2DConfig } from './conv2d.js';
export { Dense, dense, type DenseConfig } from './dense.js';
export { Dropout, dropout, type DropoutConfig } from './dropout.js';
export { Flatten, flatten } from './flatten.js';
export {
  WindowPooling,
  MaxPooling1D,
  MaxPooling2D,
  MaxPooling3D,
  AveragePooling1D,
  AveragePooling2D,
  AveragePooling3D,
  LpPooling1D,
  LpPooling2D,
  LpPooling3D,
  maxPooling1d,
  maxPooling2d,
  maxPooling3d,
  averagePooling1d,
  averagePooling2d,
  averagePooling3d,
  lpPooling1d,
  lpPooling2d,
  lpPooling3d,
  type PoolingConfig,
  type LpPoolingConfig,
} from './pooling.js';
export {
  GlobalPooling,
  GlobalMaxPooling1D,
  GlobalMaxPooling2D,
  GlobalMaxPooling3D,
  GlobalAveragePooling1D,
  GlobalAveragePooling2D,
  GlobalAveragePooling3D,
  globalMaxPooling1d,
  globalMaxPooling2d,
  globalMaxPooling3d,
  globalAveragePooling1d,
  globalAveragePooling2d,
  globalAveragePooling3d,
  type GlobalPoolingConfig,
} from './global-pooling.js';
export {
  AdaptivePooling,
  AdaptiveMaxPooling1D,
  AdaptiveMaxPooling2D,
  AdaptiveMaxPooling3D,
  AdaptiveAveragePooling1D,
  AdaptiveAveragePooling2D,
  AdaptiveAveragePooling3D,
  adaptiveMaxPooling1d,
  adaptiveMaxPooling2d,
  adaptiveMaxPooling3d,
  adaptiveAveragePooling1d,
  adaptiveAveragePooling2d,
  adaptiveAveragePooling3d,
  type AdaptivePoolingConfig,
} from './adaptive-pooling.js';
export {
  StochasticPooling2D,
  RandomPooling2D,
  MixedPooling2D,
  GatedPooling2D,
  stochasticPooling2d,
  randomPooling2d,
  mixedPooling2d,
  gatedPooling2d,
  type MixedPoolingConfig,
  type GatedPoolingConfig,
} from './extra-pooling.js';
export {
  FractionalMaxPooling2D,
  FractionalMaxPooling3D,
  SpatialPyramidPooling,
  fractionalMaxPooling2d,
  fractionalMaxPooling3d,
  spatialPyramidPooling,
  type FractionalMaxPoolingConfig,
  type SpatialPyramidPoolingConfig,
} from './extra-pooling-fractional.js';
export {
  MaskedPooling1D,
  LSTMPooling2D,
  maskedPooling1d,
  lstmPooling2d,
  type MaskedPoolingConfig,
  type LstmPoolingConfig,
} from './extra-pooling-sequence.js';
// Text, sequence, volume and functional-model layers.
export { Convolution, type ConvolutionConfig } from './convolution.js';
export { Conv1D, conv1d, type Conv1DConfig } from './conv1d.js';
export { Conv3D, conv3d, type Conv3DConfig } from './conv3d.js';
export { Embedding, embedding, type EmbeddingConfig } from './embedding.js';
export { Reshape, reshape, type ReshapeConfig } from './reshape.js';
export { UpSampling2D, upSampling2d, type UpSampling2DConfig } from './up-sampling.js';
export { Masking, masking, type MaskingConfig } from './masking.js';
export { Merge, Add, Concatenate, add, concatenate, type ConcatenateConfig } from './merge.js';
export { InputLayer, type InputLayerConfig } from './input-layer.js';
