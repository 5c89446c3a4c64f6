// The seed CNN on three engines: a saved model (runs/seed-cnn after `npm start`) exported to ONNX
// and to TensorFlow.js's layers format, its MNIST test accuracy measured in poolkit, in
// onnxruntime-node and in tfjs-layers (CPU backend, in batches), and how many predictions differ.
// Run: npm run bench:formats   (options: --model <folder>, --test-limit <n>)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { argmaxRows, loadMnist, loadModel, modelToOnnx, predictProbabilities, saveTfjsModel } from '../src/io/node.js';
import { integerOption, scriptOptions, type CommandSpec } from '../cli/args.js';

const spec: CommandSpec & { script: string } = {
  name: 'bench:formats',
  script: 'npm run bench:formats',
  summary: "The seed CNN's MNIST test accuracy in poolkit, onnxruntime-node and TensorFlow.js, from one saved model.",
  options: {
    model: {
      type: 'string',
      value: '<folder>',
      default: 'runs/seed-cnn',
      description: 'The saved model (npm start makes it)',
    },
    'test-limit': { type: 'string', value: '<n>', default: '10000', description: 'Test images to classify' },
  },
  examples: ['npm run bench:formats', 'npm run bench:formats -- --model runs/avg --test-limit 2000'],
};

const BATCH = 500;

/** tfjs-layers' predictions for every image, in batches (its CPU backend is slow on all at once). */
function tfjsPredictions(model: tfl.LayersModel, images: Float32Array, count: number): Int32Array {
  const classes = new Int32Array(count);
  for (let start = 0; start < count; start += BATCH) {
    const size = Math.min(BATCH, count - start);
    const batch = images.subarray(start * 784, (start + size) * 784);
    const probabilities = tf.tidy(() => (model.predict(tf.tensor(batch, [size, 28, 28, 1])) as tf.Tensor).dataSync());
    classes.set(argmaxRows(Float32Array.from(probabilities), 10), start);
  }
  return classes;
}

async function onnxPredictions(bytes: Uint8Array, images: Float32Array, count: number): Promise<Int32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({
    input: new ort.Tensor('float32', images.subarray(0, count * 784), [count, 28, 28, 1]),
  });
  await session.release();
  return argmaxRows(result.output!.data as Float32Array, 10);
}

async function loadTfjsFolder(folder: string): Promise<tfl.LayersModel> {
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const weights = new Uint8Array(readFileSync(join(folder, 'weights.bin')));
  return tfl.loadLayersModel({
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => [
        manifest.flatMap((group) => group.weights),
        weights.buffer,
      ]),
  });
}

const settings = scriptOptions(spec, process.argv.slice(2), ({ values }) => ({
  model: values.model as string,
  limit: integerOption('bench:formats', 'test-limit', values['test-limit'], 1, 10000),
}));
if (settings !== null) {
  await tf.setBackend('cpu');
  const { model } = await loadModel(settings.model);
  const test = await loadMnist('test', { limit: settings.limit });
  const folder = mkdtempSync(join(tmpdir(), 'poolkit-formats-bench-'));
  try {
    await saveTfjsModel(model, folder);
    const results: [string, Int32Array][] = [
      ['poolkit', argmaxRows(predictProbabilities(model, test.images, test.count), 10)],
      ['onnxruntime-node', await onnxPredictions(modelToOnnx(model), test.images, test.count)],
      ['TensorFlow.js (tfjs-layers, cpu)', tfjsPredictions(await loadTfjsFolder(folder), test.images, test.count)],
    ];
    console.log(`${settings.model} on ${test.count} MNIST test images:`);
    for (const [engine, predicted] of results) {
      const correct = predicted.filter((label, index) => label === test.labels[index]).length;
      const differing = predicted.filter((label, index) => label !== results[0]![1][index]).length;
      console.log(
        `  ${engine.padEnd(34)} ${((100 * correct) / test.count).toFixed(2)}% (${correct}/${test.count}), ${differing} predictions differ from poolkit's`,
      );
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
