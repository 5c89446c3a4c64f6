// TensorFlow.js on the other side of the layers format: tfjs-layers models saved through an
// IOHandler into model.json and shards (as tfjs-node's file:// handler and tensorflowjs_converter
// write them), and folders read back with tf.loadLayersModel through tfjs-core's own JSON reader.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

export { tf, tfl };

/** A test file's temporary folder (removed after its tests), with tfjs on its CPU backend. */
export function tfjsTestFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  before(async () => {
    await tf.setBackend('cpu');
  });
  after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/**
 * Saves a tfjs-layers model into `folder` as model.json and `shards` weight files (the blob split
 * in as many pieces), with its optimizer when compiled.
 */
export async function saveWithTfjs(model: tfl.LayersModel, folder: string, shards = 1): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(saved) };
    }),
    { includeOptimizer: model.optimizer !== null && model.optimizer !== undefined },
  );
  const data = new Uint8Array(artifacts!.weightData as ArrayBuffer);
  const size = Math.ceil(data.length / shards);
  const paths = Array.from({ length: shards }, (_, index) => `group1-shard${index + 1}of${shards}.bin`);
  mkdirSync(folder, { recursive: true });
  paths.forEach((path, index) => writeFileSync(join(folder, path), data.subarray(index * size, (index + 1) * size)));
  // The object tfjs-node's file:// handler writes.
  const { modelTopology, format, generatedBy, convertedBy, trainingConfig } = artifacts!;
  const json = {
    modelTopology,
    format,
    generatedBy,
    convertedBy,
    weightsManifest: [{ paths, weights: artifacts!.weightSpecs! }],
    ...(trainingConfig ? { trainingConfig } : {}),
  };
  writeFileSync(join(folder, 'model.json'), JSON.stringify(json));
}

/** tf.loadLayersModel of a folder's model.json, its shards read as tfjs-core's JSON reader asks. */
export async function loadWithTfjs(folder: string): Promise<tfl.LayersModel> {
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const handler: tf.io.IOHandler = {
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers = manifest.flatMap((group) => group.paths.map((path) => readFileSync(join(folder, path))));
        const joined = new Uint8Array(buffers.reduce((total, buffer) => total + buffer.length, 0));
        let offset = 0;
        for (const buffer of buffers) {
          joined.set(buffer, offset);
          offset += buffer.length;
        }
        return [manifest.flatMap((group) => group.weights), joined.buffer];
      }),
  };
  return tfl.loadLayersModel(handler);
}

/** tfjs's predictions for values of `shape`. */
export function tfjsPredict(model: tfl.LayersModel, values: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(values, shape)) as tf.Tensor).dataSync() as Float32Array);
}

/** Every weight of a tfjs model set to random values (batch norm's variances positive), so no weight is trivial. */
export function randomizeWeights(model: tfl.LayersModel, seed: number): void {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  model.setWeights(
    model.weights.map((weight) => {
      const shape = weight.shape as number[];
      const values = Float32Array.from({ length: shape.reduce((total, extent) => total * extent, 1) }, next);
      if (weight.name.includes('moving_variance'))
        values.forEach((value, index) => (values[index] = Math.abs(value) + 0.5));
      return tf.tensor(values, shape);
    }),
  );
}
