// Every layer class but the pooling ones, and its Keras-style factory; src/nn/index.ts adds the pooling
// factories that the registry derives, to make the public `layers` object (layers.conv2d({...})).
export { Activation, activation, type ActivationConfig } from './activation.js';
export { BatchNormalization, batchNormalization, type BatchNormalizationConfig } from './batch-normalization.js';
export { Conv2D, conv2d, type Conv2DConfig } from './conv2d.js';
export { Dense, dense, type DenseConfig } from './dense.js';
export { Dropout, dropout, type DropoutConfig } from './dropout.js';
export { Flatten, flatten } from './flatten.js';
