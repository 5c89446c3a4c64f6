// Sequential: Keras's summary for the seed model, JSON round trip, weights, batched predict and
// evaluate, fit's logs and callbacks, validation, determinism, and memory that stays flat.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adam,
  layers,
  memoryStats,
  modelFromJSON,
  Random,
  sequential,
  sgd,
  tensor,
  type BatchLogs,
  type Sequential,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

function seedModel(): Sequential {
  return sequential([
    layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: 128, activation: 'relu' }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
}

const SEED_SUMMARY = `Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #
=================================================================
conv2d (Conv2D)              (None, 26, 26, 32)        320
_________________________________________________________________
max_pooling2d (MaxPooling2D) (None, 13, 13, 32)        0
_________________________________________________________________
flatten (Flatten)            (None, 5408)              0
_________________________________________________________________
dense (Dense)                (None, 128)               692352
_________________________________________________________________
dense_1 (Dense)              (None, 10)                1290
=================================================================
Total params: 693,962
Trainable params: 693,962
Non-trainable params: 0
_________________________________________________________________`;

test("summary() of the seed model prints Keras's table: 320 + 692,352 + 1,290 = 693,962 params", () => {
  const model = seedModel();
  const printed: string[] = [];
  assert.equal(
    model.summary((line) => printed.push(line)),
    SEED_SUMMARY,
  );
  assert.equal(printed.join('\n'), SEED_SUMMARY);
  assert.equal(model.countParams(), 693962);
  assert.deepEqual(
    model.parameters.map((parameter) => `${parameter.name} [${parameter.tensor.shape.join(', ')}]`),
    [
      'conv2d/kernel [3, 3, 1, 32]',
      'conv2d/bias [32]',
      'dense/kernel [5408, 128]',
      'dense/bias [128]',
      'dense_1/kernel [128, 10]',
      'dense_1/bias [10]',
    ],
  );
  model.dispose();
});

test('summary counts batch norm moving statistics as non-trainable', () => {
  const model = sequential([layers.dense({ units: 4, inputShape: [3] }), layers.batchNormalization()]);
  const text = model.summary(null);
  // Keras cuts the first column at 29 characters too.
  assert.match(text, /\nbatch_normalization \(BatchNor\(None, 4\) {17}16\n/);
  assert.match(text, /Total params: 32\nTrainable params: 24\nNon-trainable params: 8/);
});

test('Glorot-uniform kernels within ±√(6 / (fanIn + fanOut)), zero biases, and the same weights from the same seed', () => {
  const model = seedModel();
  const [convKernel, convBias, denseKernel] = model.getWeights();
  const convLimit = Math.sqrt(6 / (9 + 9 * 32));
  assert.ok(convKernel!.values.every((value) => Math.abs(value) <= convLimit));
  assert.ok(Math.max(...convKernel!.values.map(Math.abs)) > 0.9 * convLimit);
  assert.ok(convBias!.values.every((value) => value === 0));
  const denseLimit = Math.sqrt(6 / (5408 + 128));
  assert.ok(denseKernel!.values.every((value) => Math.abs(value) <= denseLimit));
  const again = seedModel().getWeights();
  assert.deepEqual(again[2]!.values, denseKernel!.values);
  const other = sequential([layers.dense({ units: 128, inputShape: [5408] })], { seed: 1 }).getWeights();
  assert.notDeepEqual(other[0]!.values.subarray(0, 10), denseKernel!.values.subarray(0, 10));
});

test('toJSON → modelFromJSON rebuilds the same topology; setWeights makes predictions equal', () => {
  const model = sequential([
    layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [6, 6, 1] }),
    layers.averagePooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dropout({ rate: 0.25 }),
    layers.dense({ units: 3, activation: 'softmax' }),
  ]);
  const json = JSON.parse(JSON.stringify(model.toJSON()));
  assert.equal(json.className, 'Sequential');
  assert.deepEqual(
    json.config.layers.map((layer: { className: string }) => layer.className),
    ['Conv2D', 'AveragePooling2D', 'Flatten', 'Dropout', 'Dense'],
  );
  const copy = modelFromJSON(json, { seed: 99 });
  assert.deepEqual(copy.toJSON(), model.toJSON());
  copy.setWeights(model.getWeights());
  const x = tensor(
    Float32Array.from({ length: 2 * 36 }, (_, index) => Math.sin(index)),
    [2, 6, 6, 1],
  );
  assertClose(copy.predict(x).values, model.predict(x).values);
  assert.throws(() => copy.setWeights(model.getWeights().slice(1)), /must be a list of 4 tensors/);
});

test('predict in batches equals one call; rows sum to 1 after softmax', () => {
  const model = sequential([layers.dense({ units: 4, activation: 'softmax', inputShape: [3] })]);
  const x = tensor(
    Float32Array.from({ length: 21 }, (_, index) => index / 7 - 1.5),
    [7, 3],
  );
  const whole = model.call(x).toFloat32Array();
  const batched = model.predict(x, { batchSize: 3 });
  assert.deepEqual(batched.shape, [7, 4]);
  assertClose(batched.values, whole);
  for (let row = 0; row < 7; row++)
    assertClose([batched.values.subarray(row * 4, row * 4 + 4).reduce((a, b) => a + b)], [1]);
});

/** Two Gaussian blobs per class in 2D: learnable by a small dense net. */
function blobs(count: number, seed: number) {
  const random = new Random(seed);
  const x = new Float32Array(count * 2);
  const y = new Float32Array(count);
  for (let row = 0; row < count; row++) {
    const label = row % 3;
    y[row] = label;
    x[row * 2] = Math.cos((label * 2 * Math.PI) / 3) * 2 + random.normal() * 0.5;
    x[row * 2 + 1] = Math.sin((label * 2 * Math.PI) / 3) * 2 + random.normal() * 0.5;
  }
  return { x: tensor(x, [count, 2]), y: tensor(y, [count]) };
}

function blobModel(seed = 0): Sequential {
  const model = sequential(
    [
      layers.dense({ units: 16, activation: 'relu', inputShape: [2] }),
      layers.dense({ units: 3, activation: 'softmax' }),
    ],
    { seed },
  );
  model.compile({
    optimizer: adam({ learningRate: 0.01 }),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

test('fit: loss falls, accuracy rises far above chance; batch logs count samples; validation logged', async () => {
  const { x, y } = blobs(300, 1);
  const model = blobModel();
  const batchLogs: BatchLogs[] = [];
  const epochs: number[] = [];
  const history = await model.fit(x, y, {
    epochs: 4,
    batchSize: 32,
    validationSplit: 0.2,
    seed: 3,
    callbacks: {
      onBatchEnd: (_batch, logs) => void batchLogs.push(logs),
      onEpochEnd: (epoch) => void epochs.push(epoch),
    },
  });
  assert.deepEqual(epochs, [0, 1, 2, 3]);
  assert.deepEqual(history.epoch, [0, 1, 2, 3]);
  const { loss, accuracy, valLoss, valAccuracy } = history.history;
  assert.ok(loss[3]! < loss[0]! * 0.5, `loss ${loss}`);
  assert.ok(accuracy![3]! > 0.9, `accuracy ${accuracy}`);
  assert.ok(valAccuracy![3]! > 0.9 && valLoss![3]! < loss[0]!, `validation ${valLoss} ${valAccuracy}`);
  // 240 training rows in batches of 32: 8 batches per epoch, the last of 16.
  assert.equal(batchLogs.length, 32);
  assert.deepEqual(
    batchLogs.slice(0, 8).map((logs) => logs.samplesSeen),
    [32, 64, 96, 128, 160, 192, 224, 240],
  );
  assert.equal(batchLogs[7]!.size, 16);
  assert.equal(batchLogs[7]!.samplesPerEpoch, 240);
  assert.ok(batchLogs.every((logs) => Number.isFinite(logs.loss) && logs.accuracy! >= 0 && logs.accuracy! <= 1));
  assertClose([batchLogs[7]!.loss], [loss[0]!], { relative: 1e-6 });
  const evaluated = model.evaluate(x, y, { batchSize: 64 });
  assert.ok(evaluated.accuracy! > 0.9 && evaluated.loss < loss[0]!);
});

test('fit is deterministic for a seed, and validationData is used when given', async () => {
  const { x, y } = blobs(120, 2);
  const validation = blobs(30, 3);
  const first = await blobModel(4).fit(x, y, {
    epochs: 2,
    batchSize: 16,
    seed: 9,
    validationData: [validation.x, validation.y],
  });
  const second = await blobModel(4).fit(x, y, {
    epochs: 2,
    batchSize: 16,
    seed: 9,
    validationData: [validation.x, validation.y],
  });
  assert.deepEqual(first, second);
  assert.equal(first.history.valLoss!.length, 2);
  const reshuffled = await blobModel(4).fit(x, y, { epochs: 2, batchSize: 16, seed: 10 });
  assert.notEqual(reshuffled.history.loss[1], first.history.loss[1]);
});

test('memory in use is flat across training steps, epochs, evaluate and predict', async () => {
  const { x, y } = blobs(128, 5);
  const model = sequential([
    layers.conv2d({ filters: 2, kernelSize: 1, inputShape: [1, 2, 1], activation: 'relu' }),
    layers.flatten(),
    layers.dropout({ rate: 0.2 }),
    layers.batchNormalization(),
    layers.dense({ units: 3, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const images = x.reshape([128, 1, 2, 1]);
  await model.fit(images, y, { epochs: 1, batchSize: 16 }); // optimizer slots exist from here on
  const readings: number[] = [];
  await model.fit(images, y, {
    epochs: 2,
    batchSize: 16,
    callbacks: { onBatchEnd: () => void readings.push(memoryStats().bytesUndisposed) },
  });
  assert.equal(new Set(readings).size, 1, `bytes not disposed varied: ${[...new Set(readings)]}`);
  const before = memoryStats().bytesUndisposed;
  model.evaluate(images, y);
  model.predict(images).dispose();
  assert.equal(memoryStats().bytesUndisposed, before);
});

test("dispose() frees the weights and the slots of an optimizer compile made from a name, not the caller's", async () => {
  const { x, y } = blobs(64, 7);
  const warm = blobModel(); // the kernels' scratch grows once for these shapes, and stays
  warm.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  await warm.fit(x, y, { epochs: 1, batchSize: 16 });
  warm.dispose();
  const start = memoryStats().bytesUndisposed;
  const named = blobModel();
  named.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  await named.fit(x, y, { epochs: 1, batchSize: 16 }); // Adam's m and v slots now exist
  named.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' }); // the owned Adam is freed here
  await named.fit(x, y, { epochs: 1, batchSize: 16 });
  named.dispose();
  assert.equal(memoryStats().bytesUndisposed, start, 'a named optimizer is freed with the model');
  const given = adam();
  const model = blobModel();
  model.compile({ optimizer: given, loss: 'sparseCategoricalCrossentropy' });
  await model.fit(x, y, { epochs: 1, batchSize: 16 });
  model.dispose();
  assert.ok(memoryStats().bytesUndisposed > start, "the caller's optimizer keeps its slots");
  given.dispose();
  assert.equal(memoryStats().bytesUndisposed, start);
});

test('compile and fit reject bad arguments; stopTraining ends fit early', async () => {
  const { x, y } = blobs(64, 6);
  const model = blobModel();
  assert.throws(
    () => model.compile({ optimizer: adam(), loss: 'hinge' as never }),
    /loss must be a function or one of/,
  );
  assert.throws(
    () => model.compile({ optimizer: adam(), loss: 'mean_squared_error', metrics: ['auc' as never] }),
    /metrics/,
  );
  model.compile({
    optimizer: sgd({ learningRate: 0.1, momentum: 0.9 }),
    loss: 'sparse_categorical_crossentropy',
    metrics: ['accuracy'],
  });
  await assert.rejects(model.fit(x, y.reshape([64, 1]).reshape([32, 2]), {}), /must have as many rows as x/);
  await assert.rejects(model.fit(x, y, { validationSplit: 1 }), /validationSplit/);
  let batches = 0;
  const history = await model.fit(x, y, {
    epochs: 5,
    batchSize: 8,
    callbacks: {
      onBatchEnd: () => {
        batches++;
        if (batches === 3) model.stopTraining = true;
      },
    },
  });
  assert.equal(batches, 3);
  assert.equal(history.epoch.length, 1);
  assert.throws(() => sequential([layers.dense({ units: 2 })]).evaluate(x, y), /must be compiled first/);
});

test('a model trains from logits when its softmax output meets a cross-entropy loss', () => {
  const model = blobModel();
  assert.equal(model.trainsFromLogits, true);
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  assert.equal(model.trainsFromLogits, false);
});
