// Every pooling op.
export { maxPool1d, maxPool2d, maxPool3d, type MaxPoolOptions, type PoolWithIndices } from './max-pool.js';
