// Node only: a model saved as a folder (model.json + weights.bin), each file written atomically.
// The weights go first and model.json (which holds their checksum) last, so a save cut short
// leaves either the old model whole or a pair that loading rejects by checksum: never a wrong model.
import { basename, join } from 'node:path';
import { TFJS_FORMAT } from '../formats/tfjs/artifacts.js';
import { loadTfjsFromJson } from '../formats/tfjs/files.js';
import type { AnyLayersModel, LayersModel } from '../nn/layers-model.js';
import { writeFileAtomic } from './atomic-write.js';
import { failFile } from './file-error.js';
import { buildFromCheckedArtifacts, checkModelArtifacts, checkModelJson, modelToArtifacts } from './model-artifacts.js';
import { readBytes, readJson } from './read-file.js';
import { checkBlobLength } from './weights.js';

export const MODEL_FILE = 'model.json';

/** Saves `model` into `folder` (made if needed); returns the paths written. */
export async function saveModel(
  model: AnyLayersModel,
  folder: string,
  metadata: Record<string, unknown> = {},
): Promise<{ model: string; weights: string }> {
  const { json, weights } = modelToArtifacts(model, metadata);
  return writeModelFolder(folder, json.weightsManifest.file, weights, JSON.stringify(json, null, 2));
}

/**
 * Writes a model folder's two files: the weights first, then model.json (which names and checks
 * them) last, each atomically, so a save cut short never leaves a model.json over other weights.
 */
export async function writeModelFolder(
  folder: string,
  weightsFile: string,
  weights: Uint8Array,
  modelJson: string,
): Promise<{ model: string; weights: string }> {
  const paths = { model: join(folder, MODEL_FILE), weights: join(folder, weightsFile) };
  await writeFileAtomic(paths.weights, weights);
  await writeFileAtomic(paths.model, `${modelJson}\n`);
  return paths;
}

/** A loaded model, model.json's metadata, and notes on what was not restored (a TensorFlow.js optimizer poolkit lacks). */
export interface LoadedModel {
  readonly model: LayersModel;
  readonly metadata: Record<string, unknown>;
  readonly warnings: readonly string[];
}

/**
 * Loads a model saved by saveModel, or a TensorFlow.js layers model (model.json with format
 * 'layers-model' and its shards), validating everything; the model comes back compiled as it was
 * saved. model.json is checked on its own first (its topology against its manifest), then the
 * weights' sizes against the manifest, all before a weight is read or made.
 */
export async function loadModel(folder: string): Promise<LoadedModel> {
  const modelPath = join(folder, MODEL_FILE);
  const raw = await readJson(modelPath);
  const format = (raw as { format?: unknown } | null)?.format;
  if (format === TFJS_FORMAT || format === 'graph-model') return loadTfjsFromJson(raw, modelPath);
  const json = checkModelJson(raw, modelPath);
  const file = json.weightsManifest.file;
  if (typeof file !== 'string' || file === '' || basename(file) !== file) {
    failFile(modelPath, `weightsManifest.file must name a file beside model.json, got ${JSON.stringify(file)}`);
  }
  const files = { model: modelPath, weights: join(folder, file) };
  const artifacts = checkModelArtifacts(json, files);
  const weights = await readBytes(files.weights, {
    checkSize: (size) => checkBlobLength(artifacts.manifest, size, files.weights),
  });
  const model = buildFromCheckedArtifacts(artifacts, weights, files);
  const metadata = artifacts.json.metadata;
  return { model, metadata: metadata !== null && typeof metadata === 'object' ? metadata : {}, warnings: [] };
}
