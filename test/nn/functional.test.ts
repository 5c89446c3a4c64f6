// The functional API: input(), layers called on symbolic tensors, model({ inputs, outputs }) with
// branches, merges, several inputs and outputs and shared layers; predictions, one training step and
// the updated weights against tfjs-layers' functional model; Keras's summary with "Connected to";
// JSON and save/load round trips; masks through the graph; errors naming the argument.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  adam,
  earlyStopping,
  input,
  memoryStats,
  layers,
  Model,
  model,
  modelFromJSON,
  PoolkitArgumentError,
  Random,
  sequential,
  sgd,
  tensor,
  type Tensor,
} from '../../src/index.js';
import { loadModel, saveModel } from '../../src/io/node.js';
import { assertClose } from '../helpers/assert-close.js';
import { randomValues } from '../helpers/tfjs-grads.js';

before(async () => {
  await tf.setBackend('cpu');
});

/** input [8] → two dense branches → concatenate → dense softmax, in poolkit and in tfjs-layers. */
function branchModels() {
  const x = input({ shape: [8] });
  const left = layers.dense({ units: 4, activation: 'relu' }).apply(x);
  const right = layers.dense({ units: 3, activation: 'tanh' }).apply(x);
  const output = layers.dense({ units: 2, activation: 'softmax' }).apply(layers.concatenate().apply([left, right]));
  const ours = model({ inputs: x, outputs: output, seed: 5 });
  const tx = tfl.input({ shape: [8] });
  const tLeft = tfl.layers.dense({ units: 4, activation: 'relu', name: 'dense' }).apply(tx) as tfl.SymbolicTensor;
  const tRight = tfl.layers.dense({ units: 3, activation: 'tanh', name: 'dense_1' }).apply(tx) as tfl.SymbolicTensor;
  const tJoined = tfl.layers.concatenate().apply([tLeft, tRight]) as tfl.SymbolicTensor;
  const tOut = tfl.layers
    .dense({ units: 2, activation: 'softmax', name: 'dense_2' })
    .apply(tJoined) as tfl.SymbolicTensor;
  const theirs = tfl.model({ inputs: tx, outputs: tOut });
  for (const layer of ours.layers) {
    const weights = layer.parameters.map((parameter) =>
      tf.tensor(parameter.tensor.toFloat32Array(), parameter.tensor.shape as number[]),
    );
    if (weights.length > 0) theirs.getLayer(layer.name).setWeights(weights);
  }
  return { ours, theirs };
}

const BRANCH_SUMMARY = `Model: "model"
__________________________________________________________________________________________________
Layer (type)                    Output Shape         Param #     Connected to
==================================================================================================
input_1 (InputLayer)            [(None, 8)]          0
__________________________________________________________________________________________________
dense (Dense)                   (None, 4)            36          input_1[0][0]
__________________________________________________________________________________________________
dense_1 (Dense)                 (None, 3)            27          input_1[0][0]
__________________________________________________________________________________________________
concatenate (Concatenate)       (None, 7)            0           dense[0][0]
                                                                 dense_1[0][0]
__________________________________________________________________________________________________
dense_2 (Dense)                 (None, 2)            16          concatenate[0][0]
==================================================================================================
Total params: 79
Trainable params: 79
Non-trainable params: 0
__________________________________________________________________________________________________`;

test("a branching model prints Keras's functional summary with Connected to", () => {
  const { ours } = branchModels();
  assert.equal(ours.summary(null), BRANCH_SUMMARY);
  assert.deepEqual(
    ours.parameters.map((parameter) => parameter.name),
    ['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias', 'dense_2/kernel', 'dense_2/bias'],
  );
});

test('branches and concatenate: predictions and one SGD step match the same tfjs-layers model', async () => {
  const { ours, theirs } = branchModels();
  const random = new Random(1);
  const x = randomValues(6 * 8, random, 2);
  const labels = [0, 1, 1, 0, 1, 0];
  assertClose(ours.predict(tensor(x, [6, 8])).values, (theirs.predict(tf.tensor(x, [6, 8])) as tf.Tensor).dataSync(), {
    absolute: 1e-6,
    label: 'predict',
  });
  ours.compile({ optimizer: sgd({ learningRate: 0.5 }), loss: 'sparseCategoricalCrossentropy' });
  theirs.compile({ optimizer: tf.train.sgd(0.5), loss: 'sparseCategoricalCrossentropy' });
  const ourLoss = ours.trainOnBatch(tensor(x, [6, 8]), tensor(labels, [6])).loss;
  const theirLoss = (await theirs.trainOnBatch(tf.tensor(x, [6, 8]), tf.tensor(labels, [6]))) as number;
  assertClose([ourLoss], [theirLoss], { absolute: 1e-5, label: 'loss' });
  for (const layer of ours.layers.filter((candidate) => candidate.parameters.length > 0)) {
    const expected = theirs.getLayer(layer.name).getWeights();
    layer.parameters.forEach((parameter, index) =>
      assertClose(parameter.tensor.values, expected[index]!.dataSync(), {
        absolute: 1e-5,
        label: `${layer.name}/${parameter.name}`,
      }),
    );
  }
});

const TWO_HEADED_SUMMARY = `Model: "two_headed"
__________________________________________________________________________________________________
Layer (type)                    Output Shape         Param #     Connected to
==================================================================================================
left (InputLayer)               [(None, 3)]          0
__________________________________________________________________________________________________
right (InputLayer)              [(None, 3)]          0
__________________________________________________________________________________________________
shared (Dense)                  multiple             16          left[0][0]
                                                                 right[0][0]
__________________________________________________________________________________________________
add (Add)                       (None, 4)            0           shared[0][0]
                                                                 shared[1][0]
__________________________________________________________________________________________________
score (Dense)                   (None, 1)            5           add[0][0]
__________________________________________________________________________________________________
classes (Dense)                 (None, 2)            10          add[0][0]
==================================================================================================
Total params: 31
Trainable params: 31
Non-trainable params: 0
__________________________________________________________________________________________________`;

/** Two inputs, a shared dense layer, add, and two outputs (a list). */
function twoHeaded() {
  const [a, b] = [input({ shape: [3], name: 'left' }), input({ shape: [3], name: 'right' })];
  const shared = layers.dense({ units: 4, activation: 'tanh', name: 'shared' });
  const sum = layers.add().apply([shared.apply(a), shared.apply(b)]);
  const score = layers.dense({ units: 1, name: 'score' }).apply(sum);
  const classes = layers.dense({ units: 2, activation: 'softmax', name: 'classes' }).apply(sum);
  return model({ inputs: [a, b], outputs: [score, classes], name: 'two_headed', seed: 2 });
}

test('several inputs and outputs, a shared layer: lists in and out, weights once, nodes [0] and [1]', () => {
  const net = twoHeaded();
  assert.equal(net.countParams(), 16 + 5 + 10);
  const text = net.summary(null);
  assert.equal(text, TWO_HEADED_SUMMARY);
  const random = new Random(3);
  const [x1, x2] = [tensor(randomValues(15, random), [5, 3]), tensor(randomValues(15, random), [5, 3])];
  const [score, classes] = net.predict([x1, x2]);
  assert.deepEqual(
    [score!.shape, classes!.shape],
    [
      [5, 1],
      [5, 2],
    ],
  );
  const [kernel, bias] = net.layers.find((layer) => layer.name === 'shared')!.parameters.map((p) => p.tensor);
  const hidden = (x: Tensor) =>
    Array.from({ length: 20 }, (_, cell) => {
      const [row, unit] = [Math.floor(cell / 4), cell % 4];
      let sum = bias!.values[unit]!;
      for (let k = 0; k < 3; k++) sum += x.values[row * 3 + k]! * kernel!.values[k * 4 + unit]!;
      return Math.tanh(sum);
    });
  const [h1, h2] = [hidden(x1), hidden(x2)];
  const [scoreKernel, scoreBias] = net.layers.find((layer) => layer.name === 'score')!.parameters.map((p) => p.tensor);
  const expected = Array.from({ length: 5 }, (_, row) =>
    [0, 1, 2, 3].reduce(
      (total, unit) => total + (h1[row * 4 + unit]! + h2[row * 4 + unit]!) * scoreKernel!.values[unit]!,
      scoreBias!.values[0]!,
    ),
  );
  assertClose(score!.values, expected, { absolute: 1e-5, label: 'score head by hand' });
});

test("fit with lists of inputs and targets sums the outputs' losses and learns both heads", async () => {
  const net = twoHeaded();
  const random = new Random(4);
  const rows = 64;
  const [x1, x2] = [randomValues(rows * 3, random), randomValues(rows * 3, random)];
  // The shared layer sees both inputs alike, so the targets are symmetric in them.
  const score = Float32Array.from({ length: rows }, (_, row) => x1[row * 3]! + x2[row * 3]!);
  const classes = Float32Array.from(score, (value) => (value > 0 ? 1 : 0));
  net.compile({ optimizer: adam({ learningRate: 0.02 }), loss: 'meanSquaredError' });
  const inputs = [tensor(x1, [rows, 3]), tensor(x2, [rows, 3])];
  const targets = [
    tensor(score, [rows, 1]),
    tensor(
      Array.from(classes).flatMap((label) => [1 - label, label]),
      [rows, 2],
    ),
  ];
  const before = net.evaluate(inputs, targets).loss;
  const meanSquare = (predicted: Tensor, wanted: Tensor) =>
    predicted.values.reduce((total, value, index) => total + (value - wanted.values[index]!) ** 2, 0) / predicted.size;
  const predictions = net.predict(inputs);
  const sum = meanSquare(predictions[0]!, targets[0]!) + meanSquare(predictions[1]!, targets[1]!);
  assertClose([before], [sum], { absolute: 1e-5, label: "the loss is the sum of the outputs' losses" });
  const history = await net.fit(inputs, targets, { epochs: 40, batchSize: 16, validationSplit: 0.25 });
  const after = net.evaluate(inputs, targets).loss;
  assert.ok(after < before / 3, `loss fell from ${before} to ${after}`);
  assert.equal(history.history.valLoss!.length, 40);
  await assert.rejects(net.fit(inputs, targets[0]!), /y must be a list of 2 tensors/);
});

test('toJSON → modelFromJSON rebuilds the graph (Keras structure: inboundNodes, inputLayers, outputLayers)', () => {
  const net = twoHeaded();
  const json = JSON.parse(JSON.stringify(net.toJSON()));
  assert.equal(json.className, 'Functional');
  assert.deepEqual(json.config.inputLayers, [
    ['left', 0, 0],
    ['right', 0, 0],
  ]);
  assert.deepEqual(json.config.outputLayers, [
    ['score', 0, 0],
    ['classes', 0, 0],
  ]);
  const shared = json.config.layers.find((layer: { name: string }) => layer.name === 'shared');
  assert.deepEqual(shared.inboundNodes, [[['left', 0, 0, {}]], [['right', 0, 0, {}]]]);
  const add = json.config.layers.find((layer: { className: string }) => layer.className === 'Add');
  assert.deepEqual(add.inboundNodes, [
    [
      ['shared', 0, 0, {}],
      ['shared', 1, 0, {}],
    ],
  ]);
  // The layers need not be listed in order: Keras's loader calls each once its inputs exist.
  const shuffled = { ...json, config: { ...json.config, layers: [...json.config.layers].reverse() } };
  const copy = modelFromJSON(shuffled, { seed: 9 }) as unknown as Model<Tensor[]>;
  const byName = (model: { toJSON(): { config: { layers: readonly { name: string }[] } } }) =>
    [...model.toJSON().config.layers].sort((left, right) => left.name.localeCompare(right.name));
  assert.deepEqual(byName(copy), byName(net));
  assert.deepEqual(copy.toJSON().config.outputLayers, json.config.outputLayers);
  copy.setWeights(net.getWeights());
  const random = new Random(6);
  const x = [tensor(randomValues(6, random), [2, 3]), tensor(randomValues(6, random), [2, 3])];
  net.predict(x).forEach((output, index) => assertClose(copy.predict(x)[index]!.values, output.values));
});

test('saveModel → loadModel keeps a functional model and its predictions', async () => {
  const { ours } = branchModels();
  const folder = await mkdtemp(join(tmpdir(), 'poolkit-functional-'));
  try {
    await saveModel(ours, folder);
    const { model: loaded } = await loadModel(folder);
    assert.ok(loaded instanceof Model);
    const x = tensor(randomValues(16, new Random(7)), [2, 8]);
    assertClose(loaded.predict(x).values, ours.predict(x).values);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('masks flow through the graph: embedding(maskZero) → conv1d(same) → global max pooling equals Sequential', () => {
  const tokens = input({ shape: [5] });
  const embedded = layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true }).apply(tokens);
  const pooled = layers
    .globalMaxPooling1d()
    .apply(layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(embedded));
  const graph = model({ inputs: tokens, outputs: pooled });
  const stack = sequential([
    layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true, inputShape: [5] }),
    layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same' }),
    layers.globalMaxPooling1d(),
  ]);
  stack.setWeights(graph.getWeights());
  const x = tensor([3, 8, 0, 0, 0, 1, 2, 3, 4, 5, 7, 0, 0, 0, 0], [3, 5]);
  assertClose(graph.predict(x).values, stack.predict(x).values);
});

test('errors name the argument: missing inputs, repeated names, data of the wrong shape, non-symbolic outputs', () => {
  const [a, b] = [input({ shape: [2] }), input({ shape: [2] })];
  const sum = layers.add().apply([a, b]);
  const expectError = (make: () => unknown, message: RegExp) =>
    assert.throws(make, (error: Error) => error instanceof PoolkitArgumentError && message.test(error.message));
  expectError(() => model({ inputs: a, outputs: sum }), /inputs must include every input the outputs depend on/);
  expectError(() => model({ inputs: [a, b], outputs: tensor([1], [1]) as never }), /outputs must be a symbolic tensor/);
  const x = input({ shape: [2] });
  const twice = layers.dense({ units: 2, name: 'same' }).apply(layers.dense({ units: 2, name: 'same' }).apply(x));
  expectError(() => model({ inputs: x, outputs: twice }), /layers must have unique names/);
  const net = model({ inputs: [a, b], outputs: sum });
  expectError(
    () => net.predict([tensor([1, 2, 3], [1, 3]), tensor([1, 2], [1, 2])]),
    /x\[0\] must have shape \[any, 2\]/,
  );
  expectError(() => net.predict(tensor([1, 2], [1, 2])), /x must be a list of 2 tensors/);
  expectError(() => layers.dense({ units: 2 }).apply(input({ shape: [] as number[] })), /batchInputShape/);
});

test('memory stays flat while a masked functional text model trains on int32 tokens, with early stopping', async () => {
  const tokens = input({ shape: [6], dtype: 'int32' });
  const embedded = layers.embedding({ inputDim: 12, outputDim: 4, maskZero: true }).apply(tokens);
  const convolved = layers.conv1d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(embedded);
  const pooled = layers
    .concatenate()
    .apply([layers.globalMaxPooling1d().apply(convolved), layers.globalAveragePooling1d().apply(convolved)]);
  const output = layers.dense({ units: 2, activation: 'softmax' }).apply(layers.dropout({ rate: 0.3 }).apply(pooled));
  const net = model({ inputs: tokens, outputs: output });
  net.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const random = new Random(8);
  const rows = 48;
  const ids = Array.from({ length: rows * 6 }, (_, index) =>
    index % 6 < 2 + (index % 5) ? 1 + random.integer(11) : 0,
  );
  const x = tensor(ids, [rows, 6], 'int32');
  const y = tensor(
    Array.from({ length: rows }, (_, row) => ids[row * 6]! % 2),
    [rows],
  );
  await net.fit(x, y, { epochs: 1, batchSize: 16 }); // optimizer slots exist from here on
  const readings: number[] = [];
  const start = memoryStats().bytesUndisposed;
  await net.fit(x, y, {
    epochs: 4,
    batchSize: 12,
    validationSplit: 0.25,
    callbacks: [
      earlyStopping({ monitor: 'loss', patience: 5, restoreBestWeights: true }),
      { onBatchEnd: () => void readings.push(memoryStats().bytesUndisposed) },
    ],
  });
  // From the second epoch on, early stopping holds one copy of the best weights: no other growth.
  const later = readings.slice(3);
  assert.equal(new Set(later).size, 1, `bytes not disposed after each batch: ${[...new Set(later)]}`);
  assert.equal(memoryStats().bytesUndisposed, start, 'the best weights kept by early stopping are freed at the end');
  net.predict(x).dispose();
  assert.equal(memoryStats().bytesUndisposed, start);
});
