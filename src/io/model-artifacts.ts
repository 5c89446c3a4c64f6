// A model (Sequential or functional) ⇄ its two saved artifacts: model.json (Keras-style topology, the weights
// manifest, free-form metadata) and the weights blob. Pure, so a browser can load what Node saved.
import { PoolkitArgumentError } from '../errors.js';
import type { AnyLayersModel, LayersModel } from '../nn/layers-model.js';
import { modelFromJSON, type SerializedModel } from '../nn/sequential.js';
import { Tensor } from '../tensor/tensor.js';
import { failFile } from './file-error.js';
import { decodeWeights, encodeWeights, type NamedWeights, type WeightsManifest } from './weights.js';

export const MODEL_FORMAT = 'poolkit-model';
export const MODEL_FORMAT_VERSION = 1;
export const WEIGHTS_FILE = 'weights.bin';

/** What model.json holds. */
export interface ModelJson {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: number;
  readonly modelTopology: ReturnType<LayersModel['toJSON']>;
  readonly weightsManifest: WeightsManifest & { readonly file: string };
  /** Anything the saver wants to keep beside the model (training settings, test accuracy). */
  readonly metadata: Record<string, unknown>;
}

/** The model's weights as named arrays (copies), in Keras's order. */
export function modelWeights(model: AnyLayersModel): NamedWeights[] {
  return model.parameters.map(({ name, tensor }) => ({
    name,
    shape: [...tensor.shape],
    values: tensor.values.slice(),
  }));
}

/** model.json's object and the weights blob of a built model. */
export function modelToArtifacts(
  model: AnyLayersModel,
  metadata: Record<string, unknown> = {},
): { json: ModelJson; weights: Uint8Array } {
  if (!model.built) throw new Error('saveModel: the model must be built (give the first layer an inputShape)');
  const { manifest, bytes } = encodeWeights(modelWeights(model));
  const json: ModelJson = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    modelTopology: model.toJSON(),
    weightsManifest: { file: WEIGHTS_FILE, ...manifest },
    metadata,
  };
  return { json, weights: bytes };
}

/**
 * Rebuilds the model from model.json's parsed content and the weights blob, checking every
 * weight's name and shape against the topology. `files` name the two sources in errors.
 */
export function modelFromArtifacts(
  json: unknown,
  weights: Uint8Array,
  files: { model: string; weights: string },
): LayersModel {
  const checked = checkModelJson(json, files.model);
  const named = decodeWeights(checked.weightsManifest, weights, files.weights);
  let model: LayersModel;
  try {
    model = modelFromJSON(checked.modelTopology as SerializedModel);
  } catch (error) {
    if (error instanceof PoolkitArgumentError)
      failFile(files.model, `has a model topology poolkit cannot build: ${error.message}`);
    throw error;
  }
  setNamedWeights(model, named, files.weights);
  return model;
}

/** Copies named arrays into the model's weights; names and shapes must match one to one. */
export function setNamedWeights(model: AnyLayersModel, named: readonly NamedWeights[], file: string): void {
  const parameters = model.parameters;
  const byName = new Map(named.map((weight) => [weight.name, weight]));
  const missing = parameters.filter((parameter) => !byName.has(parameter.name)).map((parameter) => parameter.name);
  const known = new Set(parameters.map((parameter) => parameter.name));
  const extra = named.filter((weight) => !known.has(weight.name)).map((weight) => weight.name);
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length > 0 ? `lacks ${missing.join(', ')}` : '',
      extra.length > 0 ? `has unknown ${extra.join(', ')}` : '',
    ];
    failFile(file, `does not match the model: it ${parts.filter(Boolean).join(' and ')}`);
  }
  const tensors = parameters.map((parameter) => {
    const weight = byName.get(parameter.name)!;
    if (weight.shape.join() !== parameter.tensor.shape.join()) {
      failFile(
        file,
        `weight '${parameter.name}' has shape [${weight.shape.join(', ')}], the model needs [${parameter.tensor.shape.join(', ')}]`,
      );
    }
    const tensor = Tensor.allocate(weight.shape);
    tensor.values.set(weight.values);
    return tensor;
  });
  model.setWeights(tensors);
  for (const tensor of tensors) tensor.dispose();
}

/** Checks model.json's shape (format, version, topology and manifest present); `file` names it. */
export function checkModelJson(json: unknown, file: string): ModelJson {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) failFile(file, 'is not a JSON object');
  const { format, formatVersion, modelTopology, weightsManifest } = json as Record<string, unknown>;
  if (format !== MODEL_FORMAT)
    failFile(file, `format must be '${MODEL_FORMAT}', got ${JSON.stringify(format)}: not a poolkit model`);
  if (formatVersion !== MODEL_FORMAT_VERSION) {
    failFile(
      file,
      `formatVersion ${JSON.stringify(formatVersion)} is not one this poolkit reads (${MODEL_FORMAT_VERSION})`,
    );
  }
  if (modelTopology === null || typeof modelTopology !== 'object') failFile(file, 'lacks modelTopology');
  if (weightsManifest === null || typeof weightsManifest !== 'object') failFile(file, 'lacks weightsManifest');
  return json as ModelJson;
}
