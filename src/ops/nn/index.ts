// Every differentiable op for networks (the pooling ops are in ../pool).
export { add, subtract, sub, multiply, mul, divide, div, biasAdd, type Operand } from './elementwise.js';
export { broadcastShapes } from './broadcast.js';
export { relu, sigmoid, tanh, softmax, logSoftmax } from './activations.js';
export { matmul, dense, type MatmulOpOptions } from './matmul.js';
export { conv2d, convGeometry, type Conv2dOptions } from './conv2d.js';
export { conv2dMaxPool2d } from './conv2d-max-pool.js';
export { reshape, flatten, transpose } from './shape.js';
export { dropout } from './dropout.js';
export {
  sparseSoftmaxCrossEntropy,
  softmaxCrossEntropy,
  categoricalCrossEntropy,
  sparseCategoricalCrossEntropy,
  meanSquaredError,
} from './losses.js';
export {
  binaryCrossentropy,
  binaryCrossEntropy,
  meanAbsoluteError,
  type BinaryCrossentropyOptions,
} from './pointwise-losses.js';
export { batchNormalization, type BatchNormOptions } from './batch-norm.js';
export { sum, mean, max, min, type ReduceOptions, type ReduceAxis } from './reduce.js';
export { argMax, argMin } from './arg-max.js';
export { slice, concat } from './slice-concat.js';
// Sequence and volume ops for the text, signal and 3D layers.
export { embeddingLookup } from './embedding.js';
export { conv1d, type Conv1dOptions } from './conv1d.js';
export { conv3d, type Conv3dOptions } from './conv3d.js';
export { upSampling2d, type UpSampling2dOptions } from './upsampling.js';
export { stepMask, maskSteps } from './sequence-mask.js';
