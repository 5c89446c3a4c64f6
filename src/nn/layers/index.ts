// Every layer class but the pooling ones, and its Keras-style factory; src/nn/index.ts adds the pooling
// factories that the registry derives, to make the public `layers` object (layers.conv2d({...})).
export { Activation, activation, type ActivationConfig } from './activation.js';
export { BatchNormalization, batchNormalization, type BatchNormalizationConfig } from './batch-normalization.js';
export { Conv2D, conv2d, type Conv2DConfig } from './conv2d.js';
export { Dense, dense, type DenseConfig } from './dense.js';
export { Dropout, dropout, type DropoutConfig } from './dropout.js';
export { Flatten, flatten } from './flatten.js';
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
