// Node only: a model saved as a folder (model.json + weights.bin), each file written atomically.
// The weights go first and model.json (which holds their checksum) last, so a save cut short
// leaves either the old model whole or a pair that loading rejects by checksum: never a wrong model.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AnyLayersModel, LayersModel } from '../nn/layers-model.js';
import { writeFileAtomic } from './atomic-write.js';
import { failFile } from './file-error.js';
import { checkModelJson, modelFromArtifacts, modelToArtifacts } from './model-artifacts.js';

export const MODEL_FILE = 'model.json';

/** Saves `model` into `folder` (made if needed); returns the paths written. */
export async function saveModel(
  model: AnyLayersModel,
  folder: string,
  metadata: Record<string, unknown> = {},
): Promise<{ model: string; weights: string }> {
  const { json, weights } = modelToArtifacts(model, metadata);
  const paths = { model: join(folder, MODEL_FILE), weights: join(folder, json.weightsManifest.file) };
  await writeFileAtomic(paths.weights, weights);
  await writeFileAtomic(paths.model, `${JSON.stringify(json, null, 2)}\n`);
  return paths;
}

/** Loads a model saved by saveModel, validating everything; also returns model.json's metadata. */
export async function loadModel(folder: string): Promise<{ model: LayersModel; metadata: Record<string, unknown> }> {
  const modelPath = join(folder, MODEL_FILE);
  const json = checkModelJson(await readJson(modelPath), modelPath);
  const file = json.weightsManifest.file;
  if (typeof file !== 'string' || file === '' || basename(file) !== file) {
    failFile(modelPath, `weightsManifest.file must name a file beside model.json, got ${JSON.stringify(file)}`);
  }
  const weightsPath = join(folder, file);
  const weights = await readBytes(weightsPath);
  const model = modelFromArtifacts(json, weights, { model: modelPath, weights: weightsPath });
  const metadata = json.metadata;
  return { model, metadata: metadata !== null && typeof metadata === 'object' ? metadata : {} };
}

export async function readJson(path: string): Promise<unknown> {
  const text = new TextDecoder().decode(await readBytes(path));
  try {
    return JSON.parse(text);
  } catch (error) {
    failFile(path, `is not valid JSON (${(error as Error).message}); the file may be truncated or corrupt`);
  }
}

export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    failFile(path, code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`);
  }
}
