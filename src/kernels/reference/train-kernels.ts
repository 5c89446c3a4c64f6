// The reference training kernels (matrix product, convolution), gathered into the typed table.
import type { TrainKernels } from '../types.js';
import { conv2dBackwardFilter, conv2dBackwardInput, conv2dForward } from './conv2d.js';
import { matmul } from './matmul.js';

export const referenceTrainKernels: TrainKernels = {
  matmul,
  conv2dForward,
  conv2dBackwardInput,
  conv2dBackwardFilter,
};
