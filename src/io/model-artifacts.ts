// A model (Sequential or functional) ⇄ its two saved artifacts: model.json (Keras-style topology, the weights
// manifest, free-form metadata) and the weights blob. Pure, so a browser can load what Node saved.
import { modelFromJSON, type ModelJSON } from '../nn/model-json.js';
import type { AnyLayersModel, LayersModel } from '../nn/layers-model.js';
import { applyCompileSettings, compileSettingsOf, type CompileSettings } from './compile-settings.js';
import { failFile } from './file-error.js';
import { asFileError, checkShape, checkTopologyWeights, failOnMismatch } from './topology-check.js';
import {
  checkBlob,
  checkManifest,
  encodeWeights,
  unpackWeights,
  type NamedWeights,
  type WeightsManifest,
} from './weights.js';

export const MODEL_FORMAT = 'poolkit-model';
export const MODEL_FORMAT_VERSION = 1;
export const WEIGHTS_FILE = 'weights.bin';

/** What model.json holds. */
export interface ModelJson {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: number;
  readonly modelTopology: ModelJSON;
  readonly weightsManifest: WeightsManifest & { readonly file: string };
  /** Anything the saver wants to keep beside the model (training settings, test accuracy). */
  readonly metadata: Record<string, unknown>;
  /** The compile settings, restored on loading; absent for a model not compiled (or with a loss function). */
  readonly trainingConfig?: CompileSettings;
}

/** The paths of model.json and the weights blob, for error messages. */
export interface ArtifactFiles {
  readonly model: string;
  readonly weights: string;
}

/** model.json after checkModelArtifacts, with its manifest checked. */
export interface CheckedArtifacts {
  readonly json: ModelJson;
  readonly manifest: WeightsManifest;
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
  const trainingConfig = compileSettingsOf(model);
  const json: ModelJson = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    modelTopology: model.toJSON() as ModelJSON,
    weightsManifest: { file: WEIGHTS_FILE, ...manifest },
    metadata,
    ...(trainingConfig === null ? {} : { trainingConfig }),
  };
  return { json, weights: bytes };
}

/**
 * Rebuilds the model from model.json's parsed content and the weights blob, checking every
 * weight's name and shape against the topology before any is made. `files` name the two sources.
 */
export function modelFromArtifacts(json: unknown, weights: Uint8Array, files: ArtifactFiles): LayersModel {
  return buildFromCheckedArtifacts(checkModelArtifacts(json, files), weights, files);
}

/** model.json on its own: its format, its manifest, the topology's planned weights against the manifest. */
export function checkModelArtifacts(json: unknown, files: ArtifactFiles): CheckedArtifacts {
  const checked = checkModelJson(json, files.model);
  const manifest = checkManifest(checked.weightsManifest, files.weights);
  checkTopologyWeights(checked.modelTopology, manifest.entries, files.model);
  return { json: checked, manifest };
}

/** The model from checked artifacts and the blob: checksum, build, the weights copied in, then compiled as saved. */
export function buildFromCheckedArtifacts(
  artifacts: CheckedArtifacts,
  weights: Uint8Array,
  files: ArtifactFiles,
): LayersModel {
  checkBlob(artifacts.manifest, weights, files.weights);
  const model = asFileError(files.model, () => modelFromJSON(artifacts.json.modelTopology));
  try {
    setNamedWeights(model, unpackWeights(artifacts.manifest, weights), files.weights);
    if (artifacts.json.trainingConfig !== undefined)
      applyCompileSettings(model, artifacts.json.trainingConfig, files.model);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** Copies named arrays into the model's weights; names and shapes must match one to one. */
export function setNamedWeights(model: AnyLayersModel, named: readonly NamedWeights[], file: string): void {
  const parameters = model.parameters;
  const byName = new Map(named.map((weight) => [weight.name, weight]));
  const missing = parameters.filter((parameter) => !byName.has(parameter.name)).map((parameter) => parameter.name);
  const known = new Set(parameters.map((parameter) => parameter.name));
  failOnMismatch(
    missing,
    named.filter((weight) => !known.has(weight.name)).map((weight) => weight.name),
    file,
  );
  for (const parameter of parameters)
    checkShape(parameter.name, byName.get(parameter.name)!.shape, parameter.tensor.shape, file);
  for (const parameter of parameters) parameter.tensor.values.set(byName.get(parameter.name)!.values);
}

/** Checks model.json's shape (format, version, topology and manifest present); `file` names it. */
export function checkModelJson(json: unknown, file: string): ModelJson {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) failFile(file, 'is not a JSON object');
  const { format, formatVersion, modelTopology, weightsManifest } = json as Record<string, unknown>;
  if (format !== MODEL_FORMAT)
    failFile(
      file,
      `format must be '${MODEL_FORMAT}' (or TensorFlow.js's 'layers-model'), got ${JSON.stringify(format)}: not a poolkit model`,
    );
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
