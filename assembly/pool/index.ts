// poolkit's pooling kernels in WebAssembly SIMD. Every export takes (argumentBlock, firstUnit,
// endUnit) and handles units [firstUnit, endUnit); the block layout is in arguments.ts, the units
// in rows.ts (forward: output rows), *-backward.ts (input rows) and argmax.ts (samples or planes).
export { maxPoolRows } from './max';
export { averagePoolRows } from './average';
export { lpPoolRows } from './lp';
export { averageBackwardRows } from './average-backward';
export { lpBackwardRows } from './lp-backward';
export { maxBackwardRows } from './max-backward';
export { argmaxGatherPlanes, argmaxScatterAddPlanes, argmaxScatterPlanes } from './argmax';
export { prepareWindows } from './tables';
export { setThreadSlot } from '../shared/thread-slot';
