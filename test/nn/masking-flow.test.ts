// Keras's masks flowing through a Sequential model: Embedding (maskZero) or Masking makes the mask,
// Dense, Dropout and a stride-1 'same' Conv1D pass it on, and global 1D pooling and MaskedPooling1D
// ignore the padded steps; a layer that does not support masking (Flatten, a 'valid' Conv1D) drops it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layers, noGrad, sequential, tensor, tidy, type Layer, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

/** Token rows with trailing padding (0), one fully padded row. */
const TOKENS = [
  [4, 2, 7, 0, 0, 0],
  [1, 1, 1, 1, 5, 3],
  [6, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0],
];
const tokens = (): Tensor => tensor(TOKENS.flat(), [4, 6]);

/** The features of each row pooled over its real steps, by hand from the layers' own outputs. */
function poolRealSteps(features: Tensor, mode: 'max' | 'average'): number[] {
  const [rows, steps, width] = features.shape as [number, number, number];
  const result: number[] = [];
  for (let row = 0; row < rows; row++) {
    const real = TOKENS[row]!.map((token, step) => (token === 0 ? -1 : step)).filter((step) => step >= 0);
    for (let feature = 0; feature < width; feature++) {
      const picked = real.map((step) => features.values[(row * steps + step) * width + feature]!);
      if (picked.length === 0) result.push(0);
      else if (mode === 'max') result.push(Math.max(...picked));
      else result.push(picked.reduce((a, b) => a + b, 0) / picked.length);
    }
  }
  return result;
}

function stack(...stacked: Layer[]) {
  return sequential(stacked, { seed: 3 });
}

test('embedding(maskZero) → conv1d(same) → globalMaxPooling1d takes the max over real steps only', () => {
  const model = stack(
    layers.embedding({ inputDim: 8, outputDim: 4, maskZero: true, inputShape: [6] }),
    layers.conv1d({ filters: 5, kernelSize: 3, padding: 'same', activation: 'relu' }),
    layers.globalMaxPooling1d(),
  );
  tidy(() =>
    noGrad(() => {
      const convolved = model.layers[1]!.apply(model.layers[0]!.apply(tokens()));
      assertClose(model.predict(tokens()).values, poolRealSteps(convolved, 'max'), { label: 'masked max' });
      // Without the mask the padded steps' outputs would count: the result differs.
      const unmasked = model.layers[2]!.apply(convolved).toFloat32Array();
      assert.notDeepEqual(Array.from(unmasked), poolRealSteps(convolved, 'max'));
    }),
  );
});

test('globalAveragePooling1d after embedding → dense averages the real steps (Keras), 0 for an empty row', () => {
  const model = stack(
    layers.embedding({ inputDim: 8, outputDim: 3, maskZero: true, inputShape: [6] }),
    layers.dense({ units: 2 }),
    layers.dropout({ rate: 0.5 }),
    layers.globalAveragePooling1d(),
  );
  tidy(() =>
    noGrad(() => {
      const dense = model.layers[1]!.apply(model.layers[0]!.apply(tokens()));
      assertClose(model.predict(tokens()).values, poolRealSteps(dense, 'average'), { label: 'masked average' });
    }),
  );
});

test('maskedPooling1d uses the mask from Masking in place of its own maskValue rule', () => {
  const steps = tensor([1, 2, 9, 9, -3, 0.5, 9, 9, 9, 9, 9, 9], [2, 3, 2]);
  const model = stack(
    layers.masking({ maskValue: 9, inputShape: [3, 2] }),
    layers.maskedPooling1d({ mode: 'average', maskValue: 5 }),
  );
  // Its own rule (maskValue 5) would count the masked steps, which Masking zeroed.
  assertClose(model.predict(steps).values, [(1 - 3) / 2, (2 + 0.5) / 2, 0, 0]);
});

test('a layer without mask support drops the mask: valid conv1d then global pooling sees every step', () => {
  const model = stack(
    layers.embedding({ inputDim: 8, outputDim: 4, maskZero: true, inputShape: [6] }),
    layers.conv1d({ filters: 2, kernelSize: 2 }),
    layers.globalAveragePooling1d(),
  );
  tidy(() =>
    noGrad(() => {
      const convolved = model.layers[1]!.apply(model.layers[0]!.apply(tokens()));
      const everyStep = layers.globalAveragePooling1d().apply(convolved);
      assertClose(model.predict(tokens()).values, everyStep.values);
    }),
  );
});

test('masked text model trains: gradients reach the embeddings of real tokens only', () => {
  const model = stack(
    layers.embedding({ inputDim: 8, outputDim: 4, maskZero: true, inputShape: [6] }),
    layers.conv1d({ filters: 3, kernelSize: 1, padding: 'same' }),
    layers.globalMaxPooling1d(),
    layers.dense({ units: 2, activation: 'softmax' }),
  );
  model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const before = model.layers[0]!.parameters[0]!.tensor.toFloat32Array();
  model.trainOnBatch(tokens(), tensor([0, 1, 0, 1], [4]));
  const after = model.layers[0]!.parameters[0]!.tensor.toFloat32Array();
  const changed = (row: number) => [0, 1, 2, 3].some((column) => before[row * 4 + column] !== after[row * 4 + column]);
  assert.equal(changed(0), false, 'the padding row gets no gradient through the masked pooling');
  assert.ok(changed(6), "the row of the third example's only token is trained");
});
