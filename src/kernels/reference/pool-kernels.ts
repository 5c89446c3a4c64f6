// The reference pooling kernels: every kind's own (src/pooling/kinds/), gathered into one table.
import { poolingKinds } from '../../pooling/registry.js';
import type { PoolingKernels } from '../types.js';

export const referencePoolKernels: PoolingKernels = Object.assign({}, ...poolingKinds.map((kind) => kind.kernels));
