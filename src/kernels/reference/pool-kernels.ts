// The reference pooling kernels, gathered into the typed table.
import type { PoolKernels } from '../types.js';
import { argmaxGather, argmaxScatter, argmaxScatterAdd } from './argmax.js';
import { maxPoolForward } from './max-pool.js';

const notYet = (name: string) => (): never => {
  throw new Error(`reference kernel ${name} is not written yet`);
};

export const referencePoolKernels: PoolKernels = {
  maxPoolForward,
  avgPoolForward: notYet('avgPoolForward'),
  avgPoolBackward: notYet('avgPoolBackward'),
  lpPoolForward: notYet('lpPoolForward'),
  lpPoolBackward: notYet('lpPoolBackward'),
  adaptiveMaxPoolForward: notYet('adaptiveMaxPoolForward'),
  adaptiveAvgPoolForward: notYet('adaptiveAvgPoolForward'),
  adaptiveAvgPoolBackward: notYet('adaptiveAvgPoolBackward'),
  argmaxScatterAdd,
  argmaxScatter,
  argmaxGather,
};
