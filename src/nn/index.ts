// Layers, Sequential, losses and initialisers: the Keras-like part of the public API.
export {
  Layer,
  snakeCase,
  type LayerShape,
  type LayerConfig,
  type LayerParameter,
  type CallOptions,
  type ConfigObject,
  type ConfigValue,
  type SerializedLayer,
  type ParameterShape,
} from './layer.js';
export type { LayerPlan } from './model-plan.js';
export { modelFromJSON } from './model-json.js';
export { layerTable, layerFromConfig } from './layer-table.js';
export { type ActivationName } from './activation-names.js';
export { initialize, fans, type InitializerName } from './initializers.js';
export { resolveLoss, type LossName, type LossSpelling, type LossFunction } from './losses.js';
export { resolveMetrics, type MetricName, type ResolvedMetric } from './metrics.js';
import { poolingFactories, type PoolingFactories } from '../pooling/registry.js';
import * as explicitLayers from './layers/index.js';
/** Every layer factory, Keras style (`layers.conv2d({...})`): the pooling ones come from the registry. */
export const layers: typeof explicitLayers & PoolingFactories = Object.freeze({
  ...explicitLayers,
  ...poolingFactories(),
});
export {
  Sequential,
  sequential,
  type SequentialConfig,
  type CompileOptions,
  type ModelParameter,
  type SerializedModel,
} from './sequential.js';
export type {
  FitOptions,
  FitCallbacks,
  BatchLogs,
  EpochLogs,
  EvaluateOptions,
  History,
  MetricResults,
} from './training.js';
// The functional API, the model base both kinds share, and fit's callbacks.
export { LayersModel, type AnyLayersModel, type ModelTensors } from './layers-model.js';
export { Model, model, functionalFromJSON, type ModelConfig } from './functional.js';
export type { SerializedFunctional, SerializedFunctionalLayer } from './functional-json.js';
export { input, type InputConfig } from './layers/input-layer.js';
export { SymbolicTensor, type LayerNode } from './symbolic.js';
export { EarlyStopping, earlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export type { BatchBeginLogs } from './callbacks.js';
