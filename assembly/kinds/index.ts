// The WebAssembly SIMD kernels of the pooling kinds beyond max, average and Lp (issue #15), one file
// (or folder) per family of kinds, each exporting functions of (argumentBlock, firstUnit, endUnit)
// as assembly/pool/ does; they reuse assembly/pool/'s window tables and row walks by import. One
// export line per family file below.
export { setThreadSlot } from '../shared/thread-slot';
export { prepareWindows } from '../pool/tables';
export { blendBackward, blendRows } from './selection/blend';
export { gatedWeightGradient, mixedAlphaGradient } from './selection/blend-gradient';
export { exactExp, exactExpLane } from './selection/exp';
export { stochasticDrawRows, stochasticExpectRows } from './selection/stochastic';
export { stochasticDrawBackward, stochasticExpectBackward } from './selection/stochastic-backward';
export { minPoolRows } from './selection/min';
export { inBoundsAverageBackward, inBoundsAverageRows, randomDrawRows } from './selection/random';
export { medianPoolRows } from './selection/median';
export { ordinalBackward, ordinalPoolRows, ordinalWeightGradient } from './selection/ordinal';
