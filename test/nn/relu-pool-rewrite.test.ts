// Property: Sequential's rewrite of relu → max pooling into max pooling → relu gives exactly the
// outputs and gradients of running the layers one by one, on random shapes, options and values
// with many ties, zeros and negatives (values on a coarse grid).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  backward,
  layers,
  noGrad,
  Random,
  sequential,
  tensor,
  tidy,
  type Sequential,
  type Tensor,
} from '../../src/index.js';

/**
 * Runs `forward`, back-propagates `upstream` through it, and returns the output, every parameter's
 * gradient (then cleared) and the op that made the pooled tensor (under a relu moved after it).
 */
function outputsAndGrads(model: Sequential, forward: () => Tensor, upstream: Float32Array) {
  return tidy(() => {
    const output = forward();
    backward(output, tensor(upstream, output.shape));
    const grads = model.parameters.map((parameter) => parameter.tensor.grad!.toFloat32Array());
    for (const parameter of model.parameters) parameter.tensor.grad = null;
    const node = output.gradNode?.name === 'relu' ? output.gradNode.inputs[0]!.gradNode : output.gradNode;
    return { output: output.toFloat32Array(), grads, op: node?.name };
  });
}

test('relu then max pooling equals max pooling then relu: outputs and gradients, bit for bit', () => {
  fc.assert(
    fc.property(
      fc.record({
        height: fc.integer({ min: 2, max: 7 }),
        width: fc.integer({ min: 2, max: 7 }),
        channels: fc.integer({ min: 1, max: 3 }),
        poolSize: fc.integer({ min: 1, max: 3 }),
        strides: fc.integer({ min: 1, max: 3 }),
        padding: fc.constantFrom('valid' as const, 'same' as const),
        seed: fc.integer({ min: 0, max: 1000 }),
      }),
      ({ height, width, channels, poolSize, strides, padding, seed }) => {
        fc.pre(padding === 'same' || (poolSize <= height && poolSize <= width));
        const model = sequential(
          [
            layers.dense({ units: channels, activation: 'relu', inputShape: [height, width, 2] }),
            layers.maxPooling2d({ poolSize, strides, padding }),
          ],
          { seed },
        );
        const random = new Random(seed);
        const grid = (count: number) => Float32Array.from({ length: count }, () => random.integer(5) - 2);
        model.setWeights([tensor(grid(2 * channels), [2, channels]), tensor(grid(channels), [channels])]);
        const input = tensor(grid(2 * height * width * 2), [2, height, width, 2]);
        const [dense, pool] = model.layers as [ReturnType<typeof layers.dense>, ReturnType<typeof layers.maxPooling2d>];
        const options = { training: true, random: new Random(1) };
        const outputSize = model.outputShape!.slice(1).reduce<number>((total, extent) => total * extent!, 2);
        const upstream = grid(outputSize).map((value) => value + 0.5); // one gradient for both runs
        const rewritten = outputsAndGrads(model, () => model.call(input, options), upstream);
        const layered = outputsAndGrads(model, () => pool.call(dense.call(input, options), options), upstream);
        assert.deepEqual(rewritten.output, layered.output);
        assert.deepEqual(rewritten.grads, layered.grads);
        noGrad(() => assert.deepEqual(model.predict(input).values, rewritten.output));
        model.dispose();
      },
    ),
    { numRuns: 60, seed: 5 },
  );
});

test('Conv2D then MaxPooling2D runs fused and equals the two layers one by one: outputs and gradients, bit for bit', () => {
  fc.assert(
    fc.property(
      fc.record({
        size: fc.integer({ min: 4, max: 9 }),
        channels: fc.integer({ min: 1, max: 3 }),
        filters: fc.constantFrom(3, 8, 16), // 8 and 16 take the wasm backend's fused kernels when VALID
        kernelSize: fc.integer({ min: 1, max: 3 }),
        convStrides: fc.integer({ min: 1, max: 2 }),
        convPadding: fc.constantFrom('valid' as const, 'same' as const),
        activation: fc.constantFrom('relu' as const, 'linear' as const),
        poolSize: fc.integer({ min: 1, max: 3 }),
        poolStrides: fc.integer({ min: 1, max: 3 }),
        poolPadding: fc.constantFrom('valid' as const, 'same' as const),
        seed: fc.integer({ min: 0, max: 1000 }),
      }),
      (spec) => {
        const convSize = Math.ceil(
          (spec.convPadding === 'same' ? spec.size : spec.size - spec.kernelSize + 1) / spec.convStrides,
        );
        fc.pre(spec.poolPadding === 'same' || spec.poolSize <= convSize);
        const model = sequential(
          [
            layers.conv2d({
              filters: spec.filters,
              kernelSize: spec.kernelSize,
              strides: spec.convStrides,
              padding: spec.convPadding,
              activation: spec.activation,
              inputShape: [spec.size, spec.size, spec.channels],
            }),
            layers.maxPooling2d({ poolSize: spec.poolSize, strides: spec.poolStrides, padding: spec.poolPadding }),
          ],
          { seed: spec.seed },
        );
        const random = new Random(spec.seed);
        const values = (count: number) => Float32Array.from({ length: count }, () => random.uniform() * 2 - 1);
        const input = tensor(values(2 * spec.size * spec.size * spec.channels), [
          2,
          spec.size,
          spec.size,
          spec.channels,
        ]);
        const [conv, pool] = model.layers as [ReturnType<typeof layers.conv2d>, ReturnType<typeof layers.maxPooling2d>];
        const options = { training: true, random: new Random(1) };
        const outputSize = model.outputShape!.slice(1).reduce<number>((total, extent) => total * extent!, 2);
        const upstream = values(outputSize);
        const fused = outputsAndGrads(model, () => model.call(input, options), upstream);
        const layered = outputsAndGrads(model, () => pool.call(conv.call(input, options), options), upstream);
        assert.equal(fused.op, 'conv2dMaxPool2d');
        assert.equal(layered.op, 'maxPool2d');
        assert.deepEqual(fused.output, layered.output);
        assert.deepEqual(fused.grads, layered.grads);
        model.dispose();
      },
    ),
    { numRuns: 60, seed: 6 },
  );
});
