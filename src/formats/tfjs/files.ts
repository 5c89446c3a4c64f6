// Node only: TensorFlow.js layers-format folders (model.json and its weight shards) read and written.
// Shards are read only after model.json was checked on its own, each with the size the manifest
// leaves for it, and only from paths inside the model's folder.
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { stat } from 'node:fs/promises';
import { failFile } from '../../io/file-error.js';
import { writeModelFolder } from '../../io/model-folder.js';
import { readBytes, readJson } from '../../io/read-file.js';
import type { AnyLayersModel, LayersModel } from '../../nn/layers-model.js';
import {
  checkTfjsModelJson,
  concatenate,
  modelFromCheckedTfjs,
  modelToTfjsArtifacts,
  TFJS_WEIGHTS_FILE,
  type CheckedTfjsModel,
} from './artifacts.js';

/** A loaded TensorFlow.js model: the model, model.json's userDefinedMetadata, and why it is not compiled if it is not. */
export interface LoadedTfjsModel {
  readonly model: LayersModel;
  readonly metadata: Record<string, unknown>;
  readonly warnings: readonly string[];
}

/**
 * Saves `model` in TensorFlow.js's layers format into `folder`: weights.bin first, model.json last
 * (each atomically), which tf.loadLayersModel reads. Returns the paths written.
 */
export async function saveTfjsModel(
  model: AnyLayersModel,
  folder: string,
  metadata: Record<string, unknown> = {},
): Promise<{ model: string; weights: string }> {
  const { modelJson, weights } = modelToTfjsArtifacts(model, metadata);
  return writeModelFolder(folder, TFJS_WEIGHTS_FILE, weights, JSON.stringify(modelJson));
}

/** A shard's path from the manifest, refused unless it stays inside the model's folder. */
function shardPath(folder: string, path: string, file: string): string {
  const normalized = normalize(path);
  if (isAbsolute(path) || normalized.startsWith('..') || normalized.split(sep).includes('..') || path.includes('\\'))
    failFile(file, `names the weights shard '${path}', outside the model's folder`);
  return join(folder, normalized);
}

/** Each group's shards read and joined, every shard's size checked before it is read. */
async function readGroups(checked: CheckedTfjsModel, folder: string, file: string): Promise<Uint8Array[]> {
  const groups: Uint8Array[] = [];
  for (const [index, group] of checked.groups.entries()) {
    let left = checked.groupLengths[index]!;
    const parts: Uint8Array[] = [];
    for (const path of group.paths) {
      const shard = shardPath(folder, path, file);
      const bytes = await readBytes(shard, {
        checkSize: (size) => {
          if (size > left)
            failFile(shard, `is ${size} bytes long, more than the ${left} bytes its manifest leaves for it`);
        },
      });
      parts.push(bytes);
      left -= bytes.length;
    }
    if (left > 0)
      failFile(
        file,
        `weights group ${index} (${group.paths.join(', ')}) lacks ${left} bytes its manifest needs: truncated`,
      );
    groups.push(concatenate(parts));
  }
  return groups;
}

/** Loads a model.json object already read from `modelPath`, with its shards from the same folder. */
export async function loadTfjsFromJson(json: unknown, modelPath: string): Promise<LoadedTfjsModel> {
  const checked = checkTfjsModelJson(json, modelPath);
  const groups = await readGroups(checked, dirname(modelPath), modelPath);
  const { model, warnings } = modelFromCheckedTfjs(checked, groups, modelPath);
  return { model, metadata: checked.metadata, warnings };
}

/**
 * Loads a TensorFlow.js layers model: `path` is its model.json or the folder holding it.
 * @example const { model } = await loadTfjsModel('web_model/model.json');
 */
export async function loadTfjsModel(path: string): Promise<LoadedTfjsModel> {
  const isFolder = await stat(path).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  const modelPath = isFolder ? join(path, 'model.json') : path;
  if (!isFolder && !basename(modelPath).endsWith('.json'))
    failFile(modelPath, 'must be a model.json file or a folder holding one');
  return loadTfjsFromJson(await readJson(modelPath), modelPath);
}
