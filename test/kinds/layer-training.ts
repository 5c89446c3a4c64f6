// The learnable kinds' layers in a small model: their weights carry the paper's names and shapes and
// start at the documented values, and fitting moves every entry of them (the optimizers train them
// through the tape like any other weight).
import assert from 'node:assert/strict';
import { layers, sequential, tensor, type Layer } from '../../src/index.js';
import { spacedValues } from '../helpers/gradcheck.js';

export interface ExpectedWeight {
  /** The weight's name within the layer ('p', 'alpha'). */
  name: string;
  shape: number[];
  initial: number;
}

/** conv2d (2 channels, relu) → `pooling` → flatten → dense softmax, fitted two epochs with Adam on 16 samples. */
export async function assertTrainsWeights(pooling: Layer, expected: readonly ExpectedWeight[]): Promise<void> {
  const model = sequential({
    seed: 1,
    layers: [
      layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 1] }),
      pooling,
      layers.flatten(),
      layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const owned = model.parameters.filter((parameter) => parameter.name.startsWith(`${pooling.name}/`));
  assert.deepEqual(
    owned.map((parameter) => [parameter.name.slice(pooling.name.length + 1), parameter.tensor.shape]),
    expected.map((weight) => [weight.name, weight.shape]),
  );
  owned.forEach((parameter, index) =>
    assert.ok(parameter.tensor.values.every((value) => value === Math.fround(expected[index]!.initial))),
  );
  const before = owned.map((parameter) => Array.from(parameter.tensor.values));
  const x = tensor(Float32Array.from(spacedValues(16 * 36, 3, 0.05)), [16, 6, 6, 1]);
  const y = tensor(
    Array.from({ length: 16 }, (_, index) => index % 2),
    [16],
  );
  await model.fit(x, y, { epochs: 2, batchSize: 8 });
  owned.forEach((parameter, index) =>
    parameter.tensor.values.forEach((value, entry) =>
      assert.notEqual(value, before[index]![entry], `${parameter.name}[${entry}] did not move`),
    ),
  );
  model.dispose();
}
