// A saved model keeps its compile settings: loadModel gives it back compiled with the same
// optimizer (class and hyper-parameters, schedules too), loss and metrics, so evaluate and fit work.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { exponentialDecay, layers, randomUniform, rmsprop, sequential, sgd, tensor } from '../../src/index.js';
import { loadModel, saveModel } from '../../src/io/node.js';

const folder = mkdtempSync(join(tmpdir(), 'poolkit-compile-'));
after(() => rmSync(folder, { recursive: true, force: true }));

function tiny(seed: number) {
  return sequential(
    [
      layers.dense({ units: 4, activation: 'relu', inputShape: [3] }),
      layers.dense({ units: 2, activation: 'softmax' }),
    ],
    { seed },
  );
}

const x = randomUniform([32, 3], { seed: 1 });
const y = tensor(
  Float32Array.from({ length: 32 }, (_, row) => row % 2),
  [32],
);

test('loadModel restores optimizer, loss and metrics: evaluate works and fit continues', async () => {
  const model = tiny(1);
  model.compile({
    optimizer: rmsprop({ learningRate: 0.02, rho: 0.8, momentum: 0.1 }),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  await saveModel(model, join(folder, 'rmsprop'));
  const { model: loaded } = await loadModel(join(folder, 'rmsprop'));
  assert.equal(loaded.optimizer?.className, 'RMSprop');
  assert.deepEqual(loaded.optimizer?.getConfig(), model.optimizer?.getConfig());
  assert.equal(loaded.loss?.name, 'sparseCategoricalCrossentropy');
  assert.deepEqual(
    loaded.metrics.map((metric) => metric.name),
    ['accuracy'],
  );
  assert.deepEqual(loaded.evaluate(x, y), model.evaluate(x, y));
  const [ours, theirs] = [await loaded.fit(x, y, { epochs: 3 }), await model.fit(x, y, { epochs: 3 })];
  assert.deepEqual(ours.history.loss, theirs.history.loss, 'the loaded model trains as the original');
  loaded.dispose();
});

test('a learning-rate schedule travels; a loss function of the caller does not (the model loads uncompiled)', async () => {
  const scheduled = tiny(2);
  const schedule = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
  scheduled.compile({ optimizer: sgd({ learningRate: schedule, momentum: 0.9 }), loss: 'mse' });
  await saveModel(scheduled, join(folder, 'schedule'));
  const { model: withSchedule } = await loadModel(join(folder, 'schedule'));
  assert.deepEqual(withSchedule.optimizer?.getConfig(), scheduled.optimizer?.getConfig());
  const custom = tiny(3);
  custom.compile({ optimizer: 'adam', loss: (predictions) => predictions });
  await saveModel(custom, join(folder, 'custom'));
  assert.equal(JSON.parse(readFileSync(join(folder, 'custom', 'model.json'), 'utf8')).trainingConfig, undefined);
  const { model: uncompiled } = await loadModel(join(folder, 'custom'));
  assert.throws(() => uncompiled.evaluate(x, y), /must be compiled first/);
});

test('a trainingConfig this poolkit cannot compile is an error naming model.json', async () => {
  const model = tiny(4);
  model.compile({ optimizer: 'adam', loss: 'mse' });
  const target = join(folder, 'bad-config');
  await saveModel(model, target);
  const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8'));
  json.trainingConfig.optimizerConfig.className = 'Adamax';
  writeFileSync(join(target, 'model.json'), JSON.stringify(json));
  await assert.rejects(
    loadModel(target),
    /model\.json: has a trainingConfig this poolkit cannot compile: optimizer: className must be one of/,
  );
});
