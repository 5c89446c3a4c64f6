// A model from its JSON (Sequential.toJSON's, or a saved model.json's topology). The layers come
// first, named and unbuilt, so a loader can check their planned weights (model-plan.ts) against a
// manifest before any weight is made.
import { fail } from '../errors.js';
import { layerFromConfig } from './layer-table.js';
import type { ConfigObject, Layer } from './layer.js';
import { LayerNames } from './model-plan.js';
import { Sequential, type SerializedModel } from './sequential.js';
import { functionalFromJSON } from './functional.js';
import { isFunctionalJSON } from './functional-json.js';
import type { LayersModel } from './layers-model.js';
import type { Tensor } from '../tensor/tensor.js';

/** A model's JSON: a Sequential's, or another model's (a functional Model's) { className, config }. */
export type ModelJSON = SerializedModel | { className: string; config: ConfigObject };

/** The model's name and its layers, unbuilt and named as the model will name them. */
export function layersFromJSON(json: ModelJSON): { name: string | undefined; layers: Layer[] } {
  if (json?.className !== 'Sequential')
    fail('modelFromJSON', 'className', "must be 'Sequential', 'Functional' or 'Model'", json?.className);
  const config = json.config as SerializedModel['config'];
  if (!Array.isArray(config?.layers))
    fail('modelFromJSON', 'config.layers', 'must be a list of {className, config}', config?.layers);
  const layers = config.layers.map((layer) => layerFromConfig(layer));
  const names = new LayerNames();
  for (const layer of layers) names.claim(layer, 'modelFromJSON');
  return { name: config.name, layers };
}

/**
 * Rebuilds a model (new weights, seeded) from toJSON(): a Sequential, or a functional Model from
 * its 'Functional' (or Keras's older 'Model') JSON; restore weights with setWeights.
 */
export function modelFromJSON(json: SerializedModel, options?: { seed?: number }): Sequential;
export function modelFromJSON(json: ModelJSON, options?: { seed?: number }): LayersModel;
export function modelFromJSON(json: ModelJSON, options: { seed?: number } = {}): LayersModel {
  // Typed as one output, like every loaded model: cast a model saved with a list of outputs.
  if (isFunctionalJSON(json)) return functionalFromJSON(json, options) as LayersModel<Tensor | Tensor[]> as LayersModel;
  const { name, layers } = layersFromJSON(json);
  return new Sequential({ name, seed: options.seed, layers });
}
