// Trains a one-layer pooling model (the layer, then Flatten) towards fixed random targets with an
// optimizer: the kinds with learnable weights check that fit() reaches and moves them.
import { Adam, layers, sequential, tidy, type Pooling } from '../../src/index.js';
import { uniformTensor } from './uniform.js';

export interface PoolingFit {
  lossBefore: number;
  lossAfter: number;
  /** Per weight, in Keras's order: its name and the largest change of any element. */
  changes: { name: string; largest: number }[];
}

/** `inputShape` includes the batch; the targets are uniform in [-1, 1), shaped like the flattened output. */
export async function fitPoolingLayer(layer: Pooling, inputShape: number[], epochs = 20): Promise<PoolingFit> {
  const model = sequential([layer, layers.flatten()], { seed: 5 });
  model.build([null, ...inputShape.slice(1)]);
  model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
  const x = uniformTensor(inputShape, 11);
  const outputSize = tidy(() => (model.predict(x) as { shape: readonly number[] }).shape[1]!);
  const y = uniformTensor([inputShape[0]!, outputSize], 12);
  const before = model.getWeights();
  const lossBefore = model.evaluate(x, y).loss!;
  await model.fit(x, y, { epochs, batchSize: inputShape[0]! });
  const lossAfter = model.evaluate(x, y).loss!;
  const changes = model.parameters.map(({ name, tensor }, index) => ({
    name,
    largest: Math.max(...Array.from(tensor.values, (value, at) => Math.abs(value - before[index]!.values[at]!))),
  }));
  for (const tensor of [...before, x, y]) tensor.dispose();
  model.dispose();
  return { lossBefore, lossAfter, changes };
}
