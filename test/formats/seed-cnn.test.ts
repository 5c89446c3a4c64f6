// The seed CNN travels: trained briefly on an MNIST slice, exported to ONNX and to TensorFlow.js's
// layers format, it classifies test digits the same in onnxruntime-node, in tfjs-layers and in
// poolkit; and a tfjs-made CNN, compiled there, keeps training in poolkit after loading.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { buildSeedModel } from '../../cli/training/seed-model.js';
import { tensor, type Tensor } from '../../src/index.js';
import { loadMnist, loadModel, modelToOnnx, saveTfjsModel } from '../../src/io/node.js';
import { loadWithTfjs, saveWithTfjs, tf, tfjsPredict, tfl, tfjsTestFolder } from './tfjs-helpers.js';

const folder = tfjsTestFolder('poolkit-seed-');

function argmaxRows(values: ArrayLike<number>, classes: number): number[] {
  return Array.from({ length: values.length / classes }, (_, row) => {
    let best = 0;
    for (let column = 1; column < classes; column++)
      if (values[row * classes + column]! > values[row * classes + best]!) best = column;
    return best;
  });
}

test('the seed CNN classifies test digits the same in poolkit, onnxruntime-node and TensorFlow.js', async () => {
  const train = await loadMnist('train', { limit: 1024 });
  const test = await loadMnist('test', { limit: 200 });
  const model = buildSeedModel({ pooling: 'max', seed: 42, learningRate: 0.001 });
  await model.fit(
    tensor(train.images, [train.count, 28, 28, 1]),
    tensor(Float32Array.from(train.labels), [train.count]),
    {
      epochs: 1,
      batchSize: 64,
    },
  );
  const shape = [test.count, 28, 28, 1];
  const ours = argmaxRows((model.predict(tensor(test.images, shape)) as Tensor).values, 10);

  const session = await ort.InferenceSession.create(modelToOnnx(model), { logSeverityLevel: 4 });
  const onnx = await session.run({ input: new ort.Tensor('float32', test.images, shape) });
  await session.release();
  await saveTfjsModel(model, join(folder, 'seed-tfjs'));
  const tfjs = tfjsPredict(await loadWithTfjs(join(folder, 'seed-tfjs')), test.images, shape);

  const accuracy = (predicted: number[]) =>
    predicted.filter((label, index) => label === test.labels[index]).length / test.count;
  assert.ok(accuracy(ours) > 0.8, `poolkit's accuracy after one short epoch is ${accuracy(ours)}`);
  assert.deepEqual(argmaxRows(onnx.output!.data as Float32Array, 10), ours, 'ONNX Runtime');
  assert.deepEqual(argmaxRows(tfjs, 10), ours, 'TensorFlow.js');
  model.dispose();
});

test('a CNN made and compiled in TensorFlow.js keeps training in poolkit after loading', async () => {
  const theirs = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  theirs.compile({ optimizer: tf.train.adam(0.002), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await saveWithTfjs(theirs, join(folder, 'tfjs-made'));
  const { model, warnings } = await loadModel(join(folder, 'tfjs-made'));
  assert.deepEqual(warnings, []);
  assert.equal(model.optimizer?.className, 'Adam');
  assert.equal(model.optimizer?.getConfig().learningRate, 0.002);
  const data = await loadMnist('train', { limit: 512 });
  const [x, y] = [tensor(data.images, [data.count, 28, 28, 1]), tensor(Float32Array.from(data.labels), [data.count])];
  const before = model.evaluate(x, y, { batchSize: 128 });
  const history = await model.fit(x, y, { epochs: 2, batchSize: 32 });
  const afterFit = model.evaluate(x, y, { batchSize: 128 });
  assert.ok(afterFit.loss < before.loss / 2, `loss ${before.loss} → ${afterFit.loss}`);
  assert.ok(afterFit.accuracy! > before.accuracy! + 0.3, `accuracy ${before.accuracy} → ${afterFit.accuracy}`);
  assert.equal(history.epoch.length, 2);
  model.dispose();
});
