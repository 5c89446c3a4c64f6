// conv2d with activation 'relu' (one op, relu fused into the kernels) against relu(conv2d(...)):
// the same forward and gradients bit for bit, finite differences, the seed layer's shape, and a bad
// activation rejected. Runs on every backend (scripts/run-tests.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, conv2d, Random, relu, requireGrad, tensor, tidy, type Tensor } from '../../src/index.js';
import { PoolkitArgumentError } from '../../src/errors.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';

/** Output and input, filter and bias gradients of `run` under weights w (Σ w·output). */
function outputsAndGrads(run: (x: Tensor, f: Tensor, b: Tensor) => Tensor, inputs: Tensor[], seed: number) {
  return tidy(() => {
    const leaves = inputs.map((input) => requireGrad(input.clone()));
    const output = run(leaves[0]!, leaves[1]!, leaves[2]!);
    backward(output, uniformTensor([...output.shape], seed));
    return [output.toFloat32Array(), ...leaves.map((leaf) => leaf.grad!.toFloat32Array())];
  });
}

const shapes = [
  { input: [2, 7, 6, 1], filter: [3, 3, 1, 8], options: {} }, // direct path
  { input: [2, 6, 6, 3], filter: [2, 2, 3, 16], options: { stride: 2 } }, // direct, strided
  { input: [1, 5, 5, 2], filter: [3, 3, 2, 5], options: { padding: 'same' as const } }, // packed path
  { input: [1, 2, 5, 5], filter: [3, 3, 2, 8], options: { dataFormat: 'channelsFirst' as const } },
];

test('conv2d activation relu equals relu(conv2d): output and every gradient, bit for bit', () => {
  shapes.forEach(({ input, filter, options }, index) => {
    const inputs = [
      uniformTensor(input, 10 * index + 1),
      uniformTensor(filter, 10 * index + 2),
      uniformTensor([filter[3]!], 10 * index + 3),
    ];
    const fused = outputsAndGrads((x, f, b) => conv2d(x, f, b, { ...options, activation: 'relu' }), inputs, 9);
    const composed = outputsAndGrads((x, f, b) => relu(conv2d(x, f, b, options)), inputs, 9);
    assert.ok(fused[0]!.some((value) => value === 0) && fused[0]!.some((value) => value > 0));
    fused.forEach((array, which) => assert.deepEqual(array, composed[which], `shape ${index}, array ${which}`));
  });
});

test('conv2d activation relu: finite differences of input, filter and bias', () => {
  const grid = (shape: number[], random: Random) => {
    const count = shape.reduce((total, extent) => total * extent, 1);
    return tensor(
      Float32Array.from({ length: count }, () => (Math.floor(random.uniform() * 9) - 4) / 8 + 1 / 64),
      shape,
    );
  };
  // A difference step moves a pre-activation by at most 1e-3 · 0.52 (every value is under 0.52):
  // inputs whose pre-activations all lie 0.01 or more from relu's kink give clean differences.
  const awayFromKink = (shape: (typeof shapes)[number], seed: number) => {
    const random = new Random(seed);
    const inputs = [grid(shape.input, random), grid(shape.filter, random), grid([shape.filter[3]!], random)];
    const preActivations = conv2d(inputs[0]!, inputs[1]!, inputs[2]!, shape.options);
    const clear = preActivations.values.every((value) => Math.abs(value) >= 0.01);
    preActivations.dispose();
    return clear ? inputs : null;
  };
  for (const shape of shapes.slice(0, 3)) {
    let inputs: Tensor[] | null = null;
    for (let seed = 4; inputs === null; seed++) inputs = awayFromKink(shape, seed);
    gradcheck((x, f, b) => conv2d(x!, f!, b!, { ...shape.options, activation: 'relu' }), inputs, { epsilon: 1e-3 });
  }
});

test("conv2d rejects an activation other than 'linear' or 'relu'", () => {
  const [x, f] = [uniformTensor([1, 3, 3, 1], 1), uniformTensor([2, 2, 1, 1], 2)];
  assert.throws(() => conv2d(x, f, null, { activation: 'tanh' as 'relu' }), PoolkitArgumentError);
});
