// The reference training kernels (matrix product, convolution, convolution with max pooling,
// optimizer updates, relu), gathered into the typed table.
import type { TrainKernels } from '../types.js';
import { conv2dMaxPoolBackwardFilter, conv2dMaxPoolForward } from './conv-pool.js';
import { conv2dBackwardFilter, conv2dBackwardInput, conv2dForward } from './conv2d.js';
import { matmul } from './matmul.js';
import { adamUpdate, reluBackward, reluForward, sgdUpdate } from './train-elementwise.js';

export const referenceTrainKernels: TrainKernels = {
  matmul,
  conv2dForward,
  conv2dBackwardInput,
  conv2dBackwardFilter,
  conv2dMaxPoolForward,
  conv2dMaxPoolBackwardFilter,
  adamUpdate,
  sgdUpdate,
  reluForward,
  reluBackward,
};
