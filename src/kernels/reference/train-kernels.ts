// The reference training kernels (matrix product, convolution), gathered into the typed table.
import type { TrainKernels } from '../types.js';

const notYet = (name: string) => (): never => {
  throw new Error(`reference kernel ${name} is not written yet`);
};

export const referenceTrainKernels: TrainKernels = {
  matmul: notYet('matmul'),
  conv2dForward: notYet('conv2dForward'),
  conv2dBackwardInput: notYet('conv2dBackwardInput'),
  conv2dBackwardFilter: notYet('conv2dBackwardFilter'),
};
