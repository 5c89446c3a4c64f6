// The WebAssembly SIMD kernels of the pooling kinds beyond max, average and Lp (issue #15), one file
// (or folder) per family of kinds, each exporting functions of (argumentBlock, firstUnit, endUnit)
// as assembly/pool/ does; they reuse assembly/pool/'s window tables and row walks by import. One
// export line per family file below.
export { setThreadSlot } from '../shared/thread-slot';
export { lstmBiasColumns, lstmCellBackwardRows, lstmCellForwardRows } from './regions/lstm-cell';
export { lstmGatherRows, lstmScatterRows } from './regions/lstm-steps';
export { fractionalMaxPlanes, fractionalMaxRows } from './regions/fractional-max';
export { gridSamplePlanes, gridSampleRows } from './regions/grid-sample';
export { sampledMaxPlanes, sampledMaxRows } from './regions/sampled-max';
export { maskedBackwardSamples, maskedForwardSamples } from './regions/masked';
export { roiPoolBackwardImages, roiPoolBoxes } from './regions/roi-pool';
export { roiAlignBoxes } from './regions/roi-align';
export { roiAlignBackwardImages } from './regions/roi-align-backward';
export { prepareWindows } from '../pool/tables';
export { mathLanes } from './weighted/math-probe';
export { softPoolRows, softPoolSavingRows } from './weighted/soft';
export { softBackwardRows, softFusedBackwardRows, softSavedBackwardRows, softStatsRows } from './weighted/soft-backward';
export { gemPoolRows, gemPoolSavingRows } from './weighted/gem';
export { gemBackwardRows, gemFusedBackwardRows, gemSavedBackwardRows, gemStatsRows } from './weighted/gem-backward';
export { lsePoolRows, lsePoolSavingRows } from './weighted/lse';
export { lseBackwardRows, lseFusedBackwardRows, lseSavedBackwardRows, lseStatsRows } from './weighted/lse-backward';
export { lipPoolRows, lipPoolSavingRows } from './weighted/lip';
export { lipBackwardRows, lipFusedBackwardRows, lipSavedBackwardRows, lipStatsRows } from './weighted/lip-backward';
export { adaPoolRows, adaPoolSavingRows } from './weighted/ada-pool';
export { adaBackwardRows, adaFusedBackwardRows, adaSavedBackwardRows, adaStatsRows } from './weighted/ada-pool-backward';
export { dppPoolRows, dppPoolSavingRows } from './weighted/dpp';
export { dppBackwardRows, dppFusedBackwardRows, dppSavedBackwardRows, dppStatsRows } from './weighted/dpp-backward';
export { blurForwardRows } from './filters/blur';
export { blurGatherRows } from './filters/blur-gather';
export { attentionBackwardSamples, attentionForwardSamples, attentionKernelGradientRows } from './filters/attention';
export { covarianceBackwardSamples, covarianceForwardSamples } from './filters/covariance';
export { spectralMaskSamples, spectralSamples } from './filters/spectral';
export { spectralMaskRealSamples } from './filters/spectral-mask-real';
export { waveletSamples } from './filters/wavelet';
export { waveletBlockSamples } from './filters/wavelet-blocks';
export { blendBackward, blendRows } from './selection/blend';
export { mixedTileBackward, mixedTileRows } from './selection/blend-tiles';
export { gatedTileRows } from './selection/blend-tiles-gated';
export { gatedTileBackward } from './selection/gate-tiles-backward';
export { gateSigmoidLane } from './selection/gate';
export { stochasticDrawRows, stochasticExpectRows } from './selection/stochastic';
export { stochasticDrawBackward, stochasticExpectBackward } from './selection/stochastic-backward';
export { minPoolRows } from './selection/min';
export { inBoundsAverageBackward, inBoundsAverageRows, randomDrawRows } from './selection/random';
export { medianPoolRows } from './selection/median';
export { ordinalBackward, ordinalPoolRows } from './selection/ordinal';
export { ordinalTileBackward, ordinalTileRows } from './selection/ordinal-tiles';
