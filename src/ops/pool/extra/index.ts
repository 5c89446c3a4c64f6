// The extra pooling kinds: stochastic, random, mixed, gated, fractional, spatial pyramid, masked, LSTM.
export { stochasticPool2d, type StochasticPoolOptions } from './stochastic-pool.js';
export { randomPool2d, type RandomPoolOptions2d } from './random-pool.js';
export type { RandomPoolOptions } from './common.js';
export { mixedPool2d } from './mixed-pool.js';
export { gatedPool2d } from './gated-pool.js';
export { fractionalMaxPool2d, fractionalMaxPool3d, type FractionalMaxPoolOptions } from './fractional-max-pool.js';
export { spatialPyramidPool, type SpatialPyramidPoolOptions } from './spatial-pyramid-pool.js';
export { maskedPool1d, type MaskedPoolOptions } from './masked-pool.js';
export { lstmPool2d, lstmPool2dReference, initLstmPoolWeights, type LstmPoolWeights } from './lstm-pool.js';
