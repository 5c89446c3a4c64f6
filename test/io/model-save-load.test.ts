// Saved models: save → load gives bit-identical predictions; every kind of damage to model.json or
// weights.bin is rejected with an error naming the file; checkpoints restore optimizer state.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Adam, layers, randomUniform, sequential, type Sequential } from '../../src/index.js';
import { loadCheckpoint, loadModel, saveCheckpoint, saveModel } from '../../src/io/node.js';

const folder = mkdtempSync(join(tmpdir(), 'poolkit-model-'));
after(() => rmSync(folder, { recursive: true, force: true }));

function tinyModel(seed: number, filters = 3): Sequential {
  return sequential(
    [
      layers.conv2d({ filters, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1] }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.flatten(),
      layers.dense({ units: 4, activation: 'softmax' }),
    ],
    { seed },
  );
}

const input = randomUniform([5, 8, 8, 1], { seed: 3 });

async function savedCopy(name: string, model: Sequential = tinyModel(7)): Promise<string> {
  const target = join(folder, name);
  await saveModel(model, target, { note: 'test' });
  return target;
}

test('save → load: same topology, same weights, bit-identical predictions, metadata kept', async () => {
  const model = tinyModel(7);
  const target = await savedCopy('round-trip', model);
  const { model: loaded, metadata } = await loadModel(target);
  assert.deepEqual(loaded.toJSON(), model.toJSON());
  assert.deepEqual(metadata, { note: 'test' });
  const expected = model.predict(input).toFloat32Array();
  const actual = loaded.predict(input).toFloat32Array();
  assert.deepEqual(new Uint8Array(actual.buffer), new Uint8Array(expected.buffer));
  // and a differently seeded model really predicts differently, so the check above has teeth
  assert.notDeepEqual(tinyModel(8).predict(input).toFloat32Array(), expected);
  const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8'));
  assert.equal(json.weightsManifest.byteLength, model.countParams() * 4);
  assert.deepEqual(
    json.weightsManifest.entries.map((entry: { name: string }) => entry.name),
    ['conv2d/kernel', 'conv2d/bias', 'dense/kernel', 'dense/bias'],
  );
});

const damages: [string, (target: string) => void, RegExp][] = [
  [
    'a flipped byte in weights.bin',
    (target) => {
      const bytes = readFileSync(join(target, 'weights.bin'));
      bytes[40]! ^= 0xff;
      writeFileSync(join(target, 'weights.bin'), bytes);
    },
    /weights\.bin: is corrupt: its checksum/,
  ],
  [
    'a truncated weights.bin',
    (target) => truncateSync(join(target, 'weights.bin'), 100),
    /weights\.bin: is 100 bytes long.*truncated/,
  ],
  ['a missing weights.bin', (target) => rmSync(join(target, 'weights.bin')), /weights\.bin: does not exist/],
  [
    'a truncated model.json',
    (target) => truncateSync(join(target, 'model.json'), 200),
    /model\.json: is not valid JSON/,
  ],
  [
    "a model.json that is not poolkit's",
    (target) => writeFileSync(join(target, 'model.json'), '{"format": "keras"}'),
    /model\.json: format must be 'poolkit-model'/,
  ],
  [
    'an unknown layer',
    (target) => editJson(target, (json) => (json.modelTopology.config.layers[1]!.className = 'FancyPooling2D')),
    /model\.json: has a model topology poolkit cannot build.*FancyPooling2D/,
  ],
  [
    'a topology that does not match the weights',
    (target) => editJson(target, (json) => (json.modelTopology.config.layers[0]!.config.filters = 4)),
    /weight 'conv2d\/kernel' has shape \[3, 3, 1, 3\], the model needs \[3, 3, 1, 4\]/,
  ],
  [
    'a manifest missing a weight',
    (target) => editJson(target, (json) => (json.weightsManifest.entries[3]!.name = 'dense/gamma')),
    /does not match the model: it lacks dense\/bias and has unknown dense\/gamma/,
  ],
  [
    'a weights file outside the folder',
    (target) => editJson(target, (json) => (json.weightsManifest.file = '../elsewhere.bin')),
    /weightsManifest\.file must name a file beside model\.json/,
  ],
];

// The saved JSON, loosely typed so a test can break any field of it.
interface LooseJson {
  modelTopology: { config: { layers: { className: string; config: Record<string, unknown> }[] } };
  weightsManifest: { file: string; entries: { name: string }[] };
}

function editJson(target: string, change: (json: LooseJson) => void): void {
  const path = join(target, 'model.json');
  const json = JSON.parse(readFileSync(path, 'utf8'));
  change(json);
  writeFileSync(path, JSON.stringify(json));
}

for (const [name, damage, message] of damages) {
  test(`loading rejects ${name}`, async () => {
    const target = await savedCopy(name.replace(/\W+/g, '-'));
    damage(target);
    await assert.rejects(loadModel(target), (error: Error) => {
      assert.match(error.message, message);
      assert.ok(error.message.startsWith(target), `names the file: ${error.message}`);
      return true;
    });
  });
}

test('a checkpoint restores weights, optimizer slots and step count, and its damage is caught', async () => {
  const model = tinyModel(11);
  model.compile({
    optimizer: new Adam({ learningRate: 0.01 }),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const labels = randomUniform([5], { seed: 1, low: 0, high: 3.99 });
  const y = labels.toFloat32Array().map(Math.floor);
  const { tensor } = await import('../../src/index.js');
  const yTensor = tensor(Int32Array.from(y), [5], 'int32');
  model.trainOnBatch(input, yTensor);
  model.trainOnBatch(input, yTensor);
  const path = join(folder, 'checkpoint.bin');
  await saveCheckpoint(path, model, { epochsDone: 2, settings: { seed: 11 }, history: [{ epoch: 1 }, { epoch: 2 }] });
  const restored = await loadCheckpoint(path);
  assert.equal(restored.epochsDone, 2);
  assert.deepEqual(restored.settings, { seed: 11 });
  assert.equal(restored.optimizerState.iterations, 2);
  const original = model.optimizer!.getState();
  assert.deepEqual(Object.keys(restored.optimizerState.slots).sort(), Object.keys(original.slots).sort());
  assert.deepEqual(restored.optimizerState.slots['dense/kernel']!.v, original.slots['dense/kernel']!.v);
  assert.deepEqual(restored.model.predict(input).toFloat32Array(), model.predict(input).toFloat32Array());
  const bytes = readFileSync(path);
  writeFileSync(path, bytes.subarray(0, bytes.length - 10));
  await assert.rejects(loadCheckpoint(path), /checkpoint\.bin: is \d+ bytes long, its header says \d+: truncated/);
  writeFileSync(path, 'not a checkpoint at all');
  await assert.rejects(loadCheckpoint(path), /does not start with 'PKBUNDL2'/);
});
