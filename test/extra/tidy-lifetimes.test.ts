// Every extra op's backward still works when its output leaves a tidy() (the saved tensors it
// reads are kept with the graph), and gives the same gradient as without tidy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backward,
  fractionalMaxPool2d,
  gatedPool2d,
  initLstmPoolWeights,
  lstmPool2d,
  maskedPool1d,
  mixedPool2d,
  randomPool2d,
  requireGrad,
  reshape,
  spatialPyramidPool,
  stochasticPool2d,
  tensor,
  tidy,
  zeros,
  type Tensor,
} from '../../src/index.js';
import { spacedValues } from '../helpers/gradcheck.js';

const ops: [string, (x: Tensor) => Tensor][] = [
  ['stochastic', (x) => stochasticPool2d(x, { kernelSize: 2, training: true, seed: 1 })],
  ['random', (x) => randomPool2d(x, { kernelSize: 2, training: true, seed: 1 })],
  ['mixed', (x) => mixedPool2d(x, tensor([0.3]), { kernelSize: 2 })],
  ['gated', (x) => gatedPool2d(x, zeros([4]), { kernelSize: 2 })],
  ['fractional', (x) => fractionalMaxPool2d(x, { outputSize: 3, kernelSize: 2, seed: 1 })],
  ['spp', (x) => spatialPyramidPool(x, { levels: [1, 2] })],
  ['masked', (x) => maskedPool1d(reshape(x, [2, 16, 2]), { lengths: [5, 16] })],
  ['lstm', (x) => lstmPoolWithWeights(x)],
];

function lstmPoolWithWeights(x: Tensor): Tensor {
  return lstmPool2d(x, initLstmPoolWeights(2, 3, 1), { kernelSize: 2 });
}

for (const [name, op] of ops) {
  test(`${name}: y = tidy(() => op(x)); backward(y) works and matches the untidied gradient`, () => {
    const values = Float32Array.from(spacedValues(2 * 4 * 4 * 2, 3), (value) => value + 2);
    const gradients = [true, false].map((useTidy) => {
      const x = requireGrad(tensor(values, [2, 4, 4, 2]));
      const y = useTidy ? tidy(() => op(x)) : op(x);
      backward(y, tensor(Float32Array.from(spacedValues(y.size, 4)), y.shape));
      return Array.from(x.grad!.values);
    });
    assert.deepEqual(gradients[0], gradients[1]);
    assert.ok(gradients[0]!.some((value) => value !== 0));
  });
}
