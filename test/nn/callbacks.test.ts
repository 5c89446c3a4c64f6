// fit's callbacks: a list runs every hook of every callback in order (a single object as before),
// Keras's logs; earlyStopping's rules on given numbers (minDelta, patience, mode, baseline, best
// weights restored) and in a real fit; modelCheckpoint saving the best model atomically;
// validationSplit taking the last rows before shuffling.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  adam,
  earlyStopping,
  layers,
  PoolkitArgumentError,
  Random,
  sequential,
  tensor,
  type EpochLogs,
  type FitCallbacks,
  type Sequential,
} from '../../src/index.js';
import { checkpointPath, loadModel, modelCheckpoint } from '../../src/io/node.js';
import { assertClose } from '../helpers/assert-close.js';

/** y = 2·x0 − x1 + noise: a small regression a dense model learns, then overfits with few rows. */
function regression(rows: number, seed: number, noise = 0.3) {
  const random = new Random(seed);
  const x = Float32Array.from({ length: rows * 2 }, () => random.uniform() * 2 - 1);
  const y = Float32Array.from(
    { length: rows },
    (_, row) => 2 * x[row * 2]! - x[row * 2 + 1]! + noise * random.normal(),
  );
  return { x: tensor(x, [rows, 2]), y: tensor(y, [rows, 1]) };
}

function denseModel(seed = 1, units = 32): Sequential {
  const model = sequential([layers.dense({ units, activation: 'tanh', inputShape: [2] }), layers.dense({ units: 1 })], {
    seed,
  });
  model.compile({ optimizer: adam({ learningRate: 0.02 }), loss: 'meanSquaredError' });
  return model;
}

test('a list of callbacks: every hook of every callback runs in order, with Keras’s arguments', async () => {
  const { x, y } = regression(20, 1);
  const events: string[] = [];
  const recorder = (tag: string): FitCallbacks => ({
    onTrainBegin: () => void events.push(`${tag} trainBegin`),
    onEpochBegin: (epoch) => void events.push(`${tag} epochBegin ${epoch}`),
    onBatchBegin: (batch, logs) => void events.push(`${tag} batchBegin ${batch} ${logs.batch} ${logs.size}`),
    onBatchEnd: (batch, logs) => void events.push(`${tag} batchEnd ${batch} ${logs.samplesSeen}`),
    onEpochEnd: (epoch, logs) => void events.push(`${tag} epochEnd ${epoch} ${typeof logs.loss}`),
    onTrainEnd: (history) => void events.push(`${tag} trainEnd ${history.epoch.length}`),
  });
  await denseModel().fit(x, y, { epochs: 2, batchSize: 16, callbacks: [recorder('a'), recorder('b')] });
  const epoch = (n: number) => [
    `a epochBegin ${n}`,
    `b epochBegin ${n}`,
    'a batchBegin 0 0 16',
    'b batchBegin 0 0 16',
    'a batchEnd 0 16',
    'b batchEnd 0 16',
    'a batchBegin 1 1 4',
    'b batchBegin 1 1 4',
    'a batchEnd 1 20',
    'b batchEnd 1 20',
    `a epochEnd ${n} number`,
    `b epochEnd ${n} number`,
  ];
  assert.deepEqual(events, ['a trainBegin', 'b trainBegin', ...epoch(0), ...epoch(1), 'a trainEnd 2', 'b trainEnd 2']);
  // One object, as before, and async hooks are awaited.
  const order: string[] = [];
  await denseModel().fit(x, y, {
    epochs: 1,
    callbacks: {
      onEpochEnd: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push('hook');
      },
    },
  });
  order.push('after fit');
  assert.deepEqual(order, ['hook', 'after fit']);
});

test('bad callbacks are refused by name', async () => {
  const { x, y } = regression(8, 2);
  const model = denseModel();
  const refuse = (callbacks: unknown, message: RegExp) =>
    assert.rejects(
      model.fit(x, y, { callbacks: callbacks as FitCallbacks }),
      (error: Error) => error instanceof PoolkitArgumentError && message.test(error.message),
    );
  await refuse([{ onEpochEnd: 3 }], /callbacks\[0\]\.onEpochEnd must be a function/);
  await refuse([{}, null], /callbacks\[1\] must be an object of hooks/);
  await refuse('onEpochEnd', /callbacks must be an object of hooks/);
  assert.throws(() => earlyStopping({ patience: -1 }), /patience must be a non-negative integer/);
  assert.throws(() => earlyStopping({ mode: 'up' as 'min' }), /mode must be 'auto', 'min' or 'max'/);
  await assert.rejects(
    model.fit(x, y, { callbacks: [earlyStopping()] }),
    /monitor must name a number in the epoch logs \(loss; validation needs/,
  );
});

const logs = (valLoss: number, valAccuracy = 0): EpochLogs => ({ loss: 1, valLoss, valAccuracy, seconds: 0 });

test('earlyStopping follows Keras: patience counts epochs without an improvement larger than minDelta', () => {
  const model = denseModel();
  const stopper = earlyStopping({ patience: 2, minDelta: 0.05 });
  stopper.setModel(model);
  stopper.onTrainBegin();
  const losses = [1.0, 0.8, 0.77, 0.76, 0.9];
  const stoppedAt = losses.findIndex((value, epoch) => {
    stopper.onEpochEnd(epoch, logs(value));
    return model.stopTraining;
  });
  // 0.77 and 0.76 improve on 0.8 by less than 0.05: two epochs without improvement stop at epoch 3.
  assert.equal(stoppedAt, 3);
  assert.equal(stopper.stoppedEpoch, 3);
  assert.deepEqual([stopper.best, stopper.bestEpoch], [0.8, 1]);
  const maximising = earlyStopping({ monitor: 'val_accuracy', patience: 0 });
  assert.equal(maximising.mode, 'max');
  model.stopTraining = false;
  maximising.setModel(model);
  maximising.onTrainBegin();
  maximising.onEpochEnd(0, logs(0, 0.5));
  maximising.onEpochEnd(1, logs(0, 0.6));
  assert.equal(model.stopTraining, false);
  maximising.onEpochEnd(2, logs(0, 0.6));
  assert.equal(model.stopTraining, true, 'patience 0: the first epoch without improvement stops');
});

test('earlyStopping with a baseline keeps counting until the baseline is beaten; restoreBestWeights puts the best back', () => {
  const model = denseModel();
  const stopper = earlyStopping({ patience: 2, baseline: 0.5, restoreBestWeights: true });
  stopper.setModel(model);
  stopper.onTrainBegin();
  const kernel = model.parameters[0]!.tensor;
  const epochWith = (epoch: number, value: number, valLoss: number) => {
    kernel.values.fill(value);
    stopper.onEpochEnd(epoch, logs(valLoss));
  };
  epochWith(0, 1, 0.9); // best so far, but not under the baseline: the wait goes on
  epochWith(1, 2, 0.7); // better again, still above the baseline: an improving epoch never stops (Keras)
  assert.equal(model.stopTraining, false);
  epochWith(2, 9, 0.8);
  assert.equal(model.stopTraining, true, 'three epochs without beating the baseline, the last no better');
  assert.ok(
    kernel.values.every((value) => value === 2),
    'epoch 1 was the best: its weights are kept',
  );
  model.stopTraining = false;
  stopper.onTrainBegin();
  epochWith(0, 3, 0.4);
  epochWith(1, 4, 0.45);
  epochWith(2, 5, 0.6);
  assert.equal(model.stopTraining, true);
  assert.ok(
    kernel.values.every((value) => value === 3),
    'the weights of epoch 0, the best, are restored',
  );
});

test('earlyStopping in a real fit: an overfitting model stops early and ends at its best validation loss', async () => {
  const train = regression(24, 3, 0.8);
  const model = denseModel(2, 64);
  const stopper = earlyStopping({ patience: 5, restoreBestWeights: true });
  const validation = regression(200, 4, 0);
  const history = await model.fit(train.x, train.y, {
    epochs: 400,
    batchSize: 8,
    validationData: [validation.x, validation.y],
    callbacks: [stopper],
  });
  const valLoss = history.history.valLoss!;
  assert.ok(
    stopper.stoppedEpoch > 0 && valLoss.length === stopper.stoppedEpoch + 1,
    `stopped after ${valLoss.length} epochs`,
  );
  assert.ok(valLoss.length < 400);
  assert.equal(Math.min(...valLoss), stopper.best);
  assert.equal(valLoss.indexOf(stopper.best), stopper.bestEpoch);
  assert.ok(valLoss.slice(-5).every((value) => value >= stopper.best));
  assertClose([model.evaluate(validation.x, validation.y).loss], [stopper.best], { relative: 1e-5 });
});

test('modelCheckpoint saves after improving epochs only, atomically, and the saved model is the best one', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'poolkit-checkpoint-'));
  try {
    const train = regression(24, 5, 0.8);
    const validation = regression(100, 6, 0);
    const model = denseModel(3, 64);
    const saver = modelCheckpoint({ filepath: join(folder, 'best'), saveBestOnly: true });
    const every = modelCheckpoint({ filepath: join(folder, 'epoch-{epoch:02d}-{val_loss:.3f}'), monitor: 'loss' });
    const history = await model.fit(train.x, train.y, {
      epochs: 12,
      batchSize: 8,
      validationData: [validation.x, validation.y],
      callbacks: [saver, every],
    });
    const valLoss = history.history.valLoss!;
    const improving = valLoss.filter((value, epoch) => valLoss.slice(0, epoch).every((earlier) => value < earlier));
    assert.equal(saver.saved.length, improving.length);
    assert.equal(saver.best, Math.min(...valLoss));
    const { model: best, metadata } = await loadModel(join(folder, 'best'));
    best.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    assertClose([best.evaluate(validation.x, validation.y).loss], [saver.best], { relative: 1e-5 });
    assert.equal(metadata.epoch, valLoss.indexOf(saver.best) + 1);
    const names = (await readdir(folder)).sort();
    assert.equal(names.length, 13, 'best plus one folder per epoch, and no temporary files left');
    assert.equal(names[1], `epoch-01-${valLoss[0]!.toFixed(3)}`);
    assert.deepEqual(await readdir(join(folder, 'best')), ['model.json', 'weights.bin']);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('checkpointPath fills {epoch} 1-based, zero-padded widths, and logged numbers in either spelling', () => {
  const values: EpochLogs = { loss: 0.123456, valLoss: 0.5, seconds: 1 };
  assert.equal(
    checkpointPath('m/{epoch}-{epoch:03d}-{loss:.2f}-{valLoss}-{val_loss:.1f}', 6, values),
    'm/7-007-0.12-0.5-0.5',
  );
  assert.throws(() => checkpointPath('{val_accuracy}', 0, values), /monitor must name a number in the epoch logs/);
});

test('validationSplit validates on the last rows (before shuffling), as Keras', async () => {
  const { x, y } = regression(50, 7);
  const model = denseModel();
  const history = await model.fit(x, y, { epochs: 2, batchSize: 10, validationSplit: 0.2 });
  const lastX = tensor(x.values.slice(40 * 2), [10, 2]);
  const lastY = tensor(y.values.slice(40), [10, 1]);
  assertClose([model.evaluate(lastX, lastY).loss], [history.history.valLoss![1]!], { relative: 1e-6 });
  const firstX = tensor(x.values.slice(0, 20), [10, 2]);
  const firstY = tensor(y.values.slice(0, 10), [10, 1]);
  assert.notEqual(model.evaluate(firstX, firstY).loss, history.history.valLoss![1]);
});
