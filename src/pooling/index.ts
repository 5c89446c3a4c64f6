// The pooling part of the public API: every kind's ops and definition (kinds/index.ts), the
// registry to iterate and look kinds up, and the one pooling layer class.
export * from './kinds/index.js';
export {
  poolingKinds,
  findPoolingKind,
  poolingKindNames,
  seedPoolingKinds,
  type RegisteredKind,
  type PoolingFactory,
  type PoolingFactories,
} from './registry.js';
export { Pooling, poolingClassName, type PoolingConfig } from './layer.js';
export {
  definePoolingKind,
  type PoolingKind,
  type KindDefinition,
  type KindDocs,
  type LayerSpec,
  type WindowType,
  type PoolWithIndices,
  type PoolResult,
} from './kind.js';
export { configNameOf, opKeys, type OptionSpec, type OptionSchema, type FormField } from './options.js';
export type { RandomPoolOptions } from './arguments.js';
