// Every pooling op.
export { maxPool1d, maxPool2d, maxPool3d, type MaxPoolOptions, type PoolWithIndices } from './max-pool.js';
export { avgPool1d, avgPool2d, avgPool3d, type AvgPoolOptions } from './avg-pool.js';
export { lpPool1d, lpPool2d, lpPool3d, type LpPoolOptions } from './lp-pool.js';
export {
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  type AdaptiveMaxPoolOptions,
  type AdaptiveAvgPoolOptions,
} from './adaptive-pool.js';
export {
  globalMaxPool,
  globalAvgPool,
  globalLpPool,
  type GlobalPoolOptions,
  type GlobalLpPoolOptions,
} from './global-pool.js';
export { maxUnpool1d, maxUnpool2d, maxUnpool3d, type MaxUnpoolOptions } from './max-unpool.js';
export * from './extra/index.js';
