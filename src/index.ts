// poolkit's public API: re-exports only.
import './kernels/reference/index.js';
import './kernels/wasm/index.js'; // registers 'wasm' and makes it active where SIMD validates
import './kernels/webgpu/index.js'; // 'webgpu' only once started (initWebGpu or POOLKIT_BACKEND=webgpu)

export { PoolkitArgumentError } from './errors.js';
export { Tensor, type DType, type Shape, type NestedArray, type GradNode, type TensorHome } from './tensor/tensor.js';
export {
  tensor,
  zeros,
  ones,
  full,
  randomUniform,
  randomNormal,
  setRandomSeed,
  type TensorValues,
  type RandomUniformOptions,
  type RandomNormalOptions,
} from './tensor/create.js';
export { tidy, keep, dispose } from './tensor/scope.js';
export { Random } from './tensor/random.js';
export { memoryStats, type MemoryStats } from './tensor/memory-stats.js';
export { backward, noGrad, requireGrad } from './autograd/tape.js';
export { setBackend, getBackend, listBackends, kernelSource, kernelsOf, type Backend } from './kernels/backend.js';
export { initWebGpu, closeWebGpu, webGpuStatus, type WebGpuStatus } from './kernels/webgpu/index.js';
export { setThreadCount, getThreadCount, threadsReady, MAX_THREADS } from './kernels/wasm/index.js';
export type {
  Kernels,
  PoolKernels,
  TrainKernels,
  AverageDivisor,
  ArgmaxPlanes,
  ConvGeometry,
  MatmulOptions,
} from './kernels/types.js';
export {
  poolGeometry,
  type PoolGeometry,
  type PoolOptions,
  type Padding,
  type ExplicitPadding,
} from './geometry/pool-geometry.js';
export { adaptiveGeometry, type AdaptiveGeometry, type AdaptiveOutputSize } from './geometry/adaptive-geometry.js';
export type { DataFormat, SpatialDims } from './geometry/layout.js';
export * from './pooling/index.js';
export * from './ops/nn/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './data/index.js';
export * from './io/index.js';
