// Misspelt options of layers, sequential, compile, fit, evaluate and predict throw naming the nearest
// valid one; compile's metrics by name reach trainOnBatch, evaluate, fit's logs and history.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layerFromConfig, layers, sequential, tensor, type EpochLogs, type Layer } from '../../src/index.js';

test('layers reject unknown options, naming the nearest valid one (or listing them)', () => {
  assert.throws(
    () => layers.dense({ units: 2, kernelRegularizer: 'l2' } as never),
    /Dense: options has no 'kernelRegularizer'; the options are 'name', 'inputShape', 'trainable', 'units'/,
  );
  assert.throws(
    () => layers.conv2d({ filters: 1, kernel_size: 3 } as never),
    /Conv2D: options has no 'kernel_size'; did you mean 'kernelSize'\?/,
  );
  assert.throws(() => layers.dropout({ rate: 0.5, noiseShape: [1] } as never), /Dropout: options has no 'noiseShape'/);
  assert.throws(
    () => layers.activation({ activation: 'relu', activaton: 'relu' } as never),
    /did you mean 'activation'\?/,
  );
  assert.throws(
    () => layers.batchNormalization({ momentun: 0.9 } as never),
    /BatchNormalization: options has no 'momentun'; did you mean 'momentum'\?/,
  );
  assert.throws(
    () => layers.flatten({ input_shape: [2] } as never),
    /Flatten: options has no 'input_shape'; did you mean 'inputShape'\?/,
  );
});

test('every non-pooling layer rebuilds from its own getConfig() (no key its check rejects)', () => {
  const made: Layer[] = [
    layers.dense({ units: 2, activation: 'relu', inputShape: [3] }),
    layers.conv2d({ filters: 1, kernelSize: 1, padding: 'same', trainable: false }),
    layers.dropout({ rate: 0.25, name: 'drop' }),
    layers.activation({ activation: 'tanh' }),
    layers.batchNormalization({ momentum: 0.9 }),
    layers.flatten(),
  ];
  for (const layer of made) assert.deepEqual(layerFromConfig(layer.toJSON()).getConfig(), layer.getConfig());
});

test('sequential, compile, fit, evaluate and predict reject misspelt options', async () => {
  assert.throws(() => sequential([], { sed: 1 } as never), /sequential: options has no 'sed'; did you mean 'seed'\?/);
  const model = sequential([layers.dense({ units: 1, inputShape: [2] })]);
  assert.throws(
    () => model.compile({ optimizer: 'adam', loss: 'mse', metric: ['mae'] } as never),
    /compile: options has no 'metric'; did you mean 'metrics'\?/,
  );
  assert.throws(
    () => model.compile({ optimizer: 'adam', loss: 'binaryCrossEntropy' as never }),
    /compile: loss must be a function or a loss name; did you mean 'binaryCrossentropy'\?/,
  );
  assert.throws(
    () => model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['binary_acuracy' as never] }),
    /did you mean 'binaryAccuracy'\?/,
  );
  assert.throws(() => model.compile({ optimizer: 'adamw' as never, loss: 'mse' }), /did you mean 'Adam'\?/);
  assert.throws(
    () => model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae', 'MAE'] }),
    /must not name one metric twice/,
  );
  model.compile({ optimizer: 'rmsprop', loss: 'mae', metrics: ['mse'] });
  const [x, y] = [tensor([1, 2, 3, 4], [2, 2]), tensor([1, 0], [2, 1])];
  await assert.rejects(model.fit(x, y, { epoch: 2 } as never), /fit: options has no 'epoch'; did you mean 'epochs'\?/);
  await assert.rejects(
    model.fit(x, y, { callbacks: { onEpochEnds: () => {} } } as never),
    /fit: options has no 'onEpochEnds'; did you mean 'onEpochEnd'\?/,
  );
  assert.throws(
    () => model.evaluate(x, y, { batch_size: 2 } as never),
    /evaluate: options has no 'batch_size'; did you mean 'batchSize'\?/,
  );
  assert.throws(
    () => model.predict(x, { batchsize: 2 } as never),
    /predict: options has no 'batchsize'; did you mean 'batchSize'\?/,
  );
});

/** A linear model with known weights: output = x·[1, 1] + 0, so rows give known predictions. */
function linearModel(activation: 'linear' | 'sigmoid') {
  const model = sequential([layers.dense({ units: 1, activation, inputShape: [2] })]);
  model.setWeights([tensor([[1], [1]]), tensor([0], [1])]);
  return model;
}

test('trainOnBatch and evaluate report every compiled metric under its log name', () => {
  const model = linearModel('linear');
  model.compile({ optimizer: 'sgd', loss: 'mean_squared_error', metrics: ['mae', 'MSE', 'binary_accuracy'] });
  // Predictions 0.3 and 1.5 against targets 1 and 1: |d| = 0.7, 0.5; d² = 0.49, 0.25; p > 0.5: 0, 1.
  const [x, y] = [tensor([0.1, 0.2, 1, 0.5], [2, 2]), tensor([1, 1], [2, 1])];
  const result = model.evaluate(x, y);
  assert.deepEqual(Object.keys(result), ['loss', 'mae', 'mse', 'binaryAccuracy']);
  assert.ok(Math.abs(result.mae! - 0.6) < 1e-6 && Math.abs(result.mse! - 0.37) < 1e-6 && result.binaryAccuracy === 0.5);
  assert.ok(Math.abs(result.loss - 0.37) < 1e-6);
  const step = model.trainOnBatch(x, y);
  assert.deepEqual(Object.keys(step), ['loss', 'mae', 'mse', 'binaryAccuracy']);
  assert.ok(Math.abs(step.mae! - 0.6) < 1e-6, 'metrics of the batch before the update');
});

test('a sigmoid output trained with binaryCrossentropy fuses into the logits loss; metrics still read probabilities', () => {
  const model = linearModel('sigmoid');
  model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['binaryAccuracy', 'accuracy'] });
  assert.equal(model.trainsFromLogits, true);
  // Logit 0.3: probability 0.574 > 0.5, predicted 1, right; a metric reading logits would say 0.3 < 0.5.
  const result = model.evaluate(tensor([0.1, 0.2], [1, 2]), tensor([1], [1, 1]));
  assert.equal(result.binaryAccuracy, 1);
  assert.equal(result.accuracy, 1);
  assert.ok(Math.abs(result.loss - Math.log1p(Math.exp(-0.3))) < 1e-6);
});

test('fit logs each metric, its batch value and its validation value, and keeps them in history', async () => {
  const model = linearModel('linear');
  model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae', 'binaryAccuracy'] });
  const x = tensor([0.1, 0.2, 1, 0.5, -1, 2, 0.3, 0.3], [4, 2]);
  const y = tensor([1, 1, 0, 1], [4, 1]);
  const batchKeys: string[][] = [];
  let epochLogs: EpochLogs | undefined;
  const history = await model.fit(x, y, {
    epochs: 2,
    batchSize: 2,
    validationSplit: 0.25,
    shuffle: false,
    callbacks: {
      onBatchEnd: (_, logs) => void batchKeys.push(Object.keys(logs)),
      onEpochEnd: (_, logs) => void (epochLogs = logs),
    },
  });
  for (const key of ['mae', 'batchMae', 'binaryAccuracy', 'batchBinaryAccuracy'])
    assert.ok(batchKeys[0]!.includes(key), key);
  assert.deepEqual(Object.keys(history.history).sort(), [
    'binaryAccuracy',
    'loss',
    'mae',
    'valBinaryAccuracy',
    'valLoss',
    'valMae',
  ]);
  assert.equal(history.history.mae!.length, 2);
  // The last epoch's validation numbers are evaluate() on the held-out last row with the final weights.
  const held = model.evaluate(tensor([0.3, 0.3], [1, 2]), tensor([1], [1, 1]));
  assert.equal(epochLogs!.valMae, held.mae);
  assert.equal(epochLogs!.valBinaryAccuracy, held.binaryAccuracy);
});
