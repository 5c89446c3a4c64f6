// The WebAssembly SIMD kernels of the pooling kinds beyond max, average and Lp (issue #15), one file
// (or folder) per family of kinds, each exporting functions of (argumentBlock, firstUnit, endUnit)
// as assembly/pool/ does; they reuse assembly/pool/'s window tables and row walks by import. One
// export line per family file below.
export { setThreadSlot } from '../shared/thread-slot';
export { blurBackwardSamples, blurForwardRows } from './filters/blur';
export { attentionBackwardSamples, attentionForwardSamples, attentionKernelGradientRows } from './filters/attention';
export { covarianceBackwardSamples, covarianceForwardSamples } from './filters/covariance';
export { spectralMaskSamples, spectralSamples } from './filters/spectral';
export { waveletSamples } from './filters/wavelet';
