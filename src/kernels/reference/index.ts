// The reference backend: plain TypeScript, the specification every fast kernel is tested against.
import { registerBackend, type Backend } from '../backend.js';
import { referencePoolKernels } from './pool-kernels.js';
import { referenceLossKernels } from './softmax-loss.js';
import { referenceStepKernels } from './step-kernels.js';
import { referenceUpdateKernels } from './update-kernels.js';
import { referenceTrainKernels } from './train-kernels.js';
import { referenceLayoutKernels } from './transpose-planes.js';

export const referenceBackend: Backend = {
  name: 'reference',
  kernels: {
    ...referencePoolKernels,
    ...referenceTrainKernels,
    ...referenceLossKernels,
    ...referenceStepKernels,
    ...referenceUpdateKernels,
    ...referenceLayoutKernels,
  },
};

registerBackend(referenceBackend, { isReference: true });
