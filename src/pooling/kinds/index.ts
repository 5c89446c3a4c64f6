// The registry's one list: one line per pooling kind. Each line re-exports the kind's file (its
// definition and its ops), so a kind added here is in the registry and in poolkit's public API.
export * from './adaptive-average.js';
export * from './adaptive-max.js';
export * from './attention.js';
export * from './average.js';
export * from './blur.js';
export * from './covariance.js';
export * from './diff-stride.js';
export * from './fractional-max.js';
export * from './gated.js';
export * from './global-average.js';
export * from './global-lp.js';
export * from './global-max.js';
export * from './lp.js';
export * from './lstm.js';
export * from './masked.js';
export * from './max.js';
export * from './max-blur.js';
export * from './max-unpool.js';
export * from './min.js';
export * from './mixed.js';
export * from './random.js';
export * from './s3.js';
export * from './spatial-pyramid.js';
export * from './spectral.js';
export * from './stochastic.js';
export * from './wavelet.js';
