// Property: Sequential's rewrite of a Conv2D followed by a pooling layer that picks one cell per
// window (min, median, random and stochastic pooling: KindDefinition.selectCells) into the one op
// conv2dSelectPool2d gives exactly the outputs and gradients of running the layers one by one, on
// random shapes, options and values, with the input's gradient too (a Dense layer before the pair).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { backward, layers, Random, sequential, tensor, tidy, type Sequential, type Tensor } from '../../src/index.js';
import type { Layer } from '../../src/nn/layer.js';

const KINDS = ['min', 'median', 'random', 'stochastic'] as const;
type Kind = (typeof KINDS)[number];

function poolingLayer(kind: Kind, config: { poolSize: number; strides: number; padding: 'valid' | 'same' }) {
  const factories = {
    min: layers.minPooling2d,
    median: layers.medianPooling2d,
    random: layers.randomPooling2d,
    stochastic: layers.stochasticPooling2d,
  };
  return factories[kind](config);
}

/** The output, every parameter's gradient (then cleared) and the op that made the pooled tensor. */
function outputsAndGrads(model: Sequential, forward: () => Tensor, upstream: Float32Array) {
  return tidy(() => {
    const output = forward();
    backward(output, tensor(upstream, output.shape));
    const grads = model.parameters.map((parameter) => parameter.tensor.grad!.toFloat32Array());
    for (const parameter of model.parameters) parameter.tensor.grad = null;
    return { output: output.toFloat32Array(), grads, op: output.gradNode?.name };
  });
}

/** Runs `layers` in turn, as Sequential would without its rewrites. */
const inTurn = (stack: readonly Layer[], input: Tensor, options: { training: boolean; random: Random }) =>
  stack.reduce((tensor, layer) => layer.call(tensor, options), input);

const specs = fc.record({
  kind: fc.constantFrom(...KINDS),
  size: fc.integer({ min: 4, max: 9 }),
  channels: fc.integer({ min: 1, max: 3 }),
  filters: fc.constantFrom(3, 8, 16), // 8 and 16 take the wasm backend's fused filter gradient when VALID 2x2/2
  kernelSize: fc.integer({ min: 1, max: 3 }),
  activation: fc.constantFrom('relu' as const, 'linear' as const),
  poolSize: fc.integer({ min: 1, max: 3 }),
  poolStrides: fc.integer({ min: 1, max: 3 }),
  poolPadding: fc.constantFrom('valid' as const, 'same' as const),
  inputGradient: fc.boolean(),
  training: fc.constantFrom(true, true, false),
  seed: fc.integer({ min: 0, max: 1000 }),
});

test('Conv2D then a cell-selecting pooling layer runs as one op and equals the layers one by one, bit for bit', () => {
  let fusedCount = 0;
  fc.assert(
    fc.property(specs, (spec) => {
      const convSize = spec.size - spec.kernelSize + 1;
      fc.pre(spec.poolPadding === 'same' || spec.poolSize <= convSize);
      const inputShape = [spec.size, spec.size, spec.channels];
      const stack = [
        ...(spec.inputGradient ? [layers.dense({ units: spec.channels, inputShape })] : []),
        layers.conv2d({
          filters: spec.filters,
          kernelSize: spec.kernelSize,
          activation: spec.activation,
          ...(spec.inputGradient ? {} : { inputShape }),
        }),
        poolingLayer(spec.kind, { poolSize: spec.poolSize, strides: spec.poolStrides, padding: spec.poolPadding }),
      ];
      const model = sequential(stack, { seed: spec.seed });
      const random = new Random(spec.seed);
      // Coarse values: ties, zeros and negatives in every window.
      const values = (count: number) => Float32Array.from({ length: count }, () => (random.integer(9) - 4) / 4);
      const input = tensor(values(2 * spec.size * spec.size * spec.channels), [2, ...inputShape]);
      const outputSize = model.outputShape!.slice(1).reduce<number>((total, extent) => total * extent!, 2);
      const upstream = values(outputSize).map((value) => value + 0.125);
      const options = () => ({ training: spec.training, random: new Random(7) });
      const fused = outputsAndGrads(model, () => model.call(input, options()), upstream);
      const layered = outputsAndGrads(model, () => inTurn(model.layers, input, options()), upstream);
      const draws = spec.kind === 'random' || spec.kind === 'stochastic';
      const selects = !draws || (spec.training && (spec.kind === 'random' || spec.activation === 'relu'));
      assert.equal(fused.op, selects ? 'conv2dSelectPool2d' : layered.op);
      if (selects) fusedCount++;
      assert.deepEqual(fused.output, layered.output);
      assert.deepEqual(fused.grads, layered.grads);
      model.dispose();
    }),
    { numRuns: 80, seed: 11 },
  );
  assert.ok(fusedCount > 30, `only ${fusedCount} cases ran fused`);
});
