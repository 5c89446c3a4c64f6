// A disposed Sequential model (or layer) refuses every use with an error that says it was disposed:
// predict, evaluate, fit, trainOnBatch, summary, saving, weights, and further building.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { layers, PoolkitArgumentError, randomNormal, sequential, tensor, type Sequential } from '../../src/index.js';
import { saveCheckpoint, saveModel } from '../../src/io/node.js';

function compiledModel(): Sequential {
  const model = sequential([
    layers.dense({ units: 3, activation: 'relu', inputShape: [4] }),
    layers.dense({ units: 2, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return model;
}

const x = randomNormal([5, 4], { seed: 1 });
const y = tensor([0, 1, 0, 1, 0]);

/** Matches the error a disposed model gives for `op`. */
function disposedModelError(op: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof PoolkitArgumentError, String(error));
    assert.equal(error.op, op);
    assert.equal(error.argument, 'model');
    assert.match(error.message, /model must not be disposed: dispose\(\) freed its weights/);
    return true;
  };
}

test('a disposed model refuses predict, evaluate, trainOnBatch, summary, weights and building, naming each', () => {
  const model = compiledModel();
  assert.deepEqual(model.predict(x).shape, [5, 2], 'works before dispose');
  model.dispose();
  model.dispose(); // a second dispose does nothing
  assert.equal(model.isDisposed, true);
  const uses: [string, () => unknown][] = [
    ['predict', () => model.predict(x)],
    ['evaluate', () => model.evaluate(x, y)],
    ['trainOnBatch', () => model.trainOnBatch(x, y)],
    ['summary', () => model.summary(null)],
    ['getWeights', () => model.getWeights()],
    ['setWeights', () => model.setWeights([])],
    ['countParams', () => model.countParams()],
    ['Sequential.call', () => model.call(x)],
    ['Sequential.parameters', () => model.trainableParameters],
    ['Sequential.add', () => model.add(layers.dense({ units: 1 }))],
    ['Sequential.build', () => model.build([null, 4])],
    ['compile', () => model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' })],
  ];
  for (const [op, use] of uses) assert.throws(use, disposedModelError(op), op);
});

test('a disposed model rejects fit, and saving writes nothing', async () => {
  const model = compiledModel();
  model.dispose();
  const fitting = model.fit(x, y, { epochs: 1 });
  assert.ok(fitting instanceof Promise, 'fit rejects rather than throwing');
  await assert.rejects(fitting, disposedModelError('fit'));
  const folder = mkdtempSync(join(tmpdir(), 'poolkit-disposed-'));
  try {
    await assert.rejects(saveModel(model, join(folder, 'model')), /model must not be disposed/);
    await assert.rejects(
      saveCheckpoint(join(folder, 'checkpoint.bin'), model, { epochsDone: 0, settings: {}, history: [] }),
      /model must not be disposed/,
    );
    assert.deepEqual(readdirSync(folder), [], 'nothing was written');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a disposed layer refuses apply', () => {
  const layer = layers.dense({ units: 2 });
  assert.deepEqual(layer.apply(x).shape, [5, 2]);
  layer.dispose();
  assert.throws(
    () => layer.apply(x),
    /^PoolkitArgumentError: dense: layer must not be disposed: dispose\(\) freed its weights/,
  );
});
