// What a loader knows before building: the layer names Sequential will give, and each layer's
// weight shapes (parameterShapes), which must be exactly what build() makes. And building layers
// as they are added gives the same weights as building them all at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { layers, modelFromJSON, sequential, type Layer, type SerializedModel } from '../../src/index.js';
import { planWeights } from '../../src/nn/model-plan.js';

function stack(): Layer[] {
  return [
    layers.conv2d({ filters: 3, kernelSize: [2, 3], inputShape: [7, 6, 2] }),
    layers.batchNormalization(),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.conv2d({ filters: 2, kernelSize: 2, useBias: false, dataFormat: 'channelsFirst' }),
    layers.flatten(),
    layers.dense({ units: 5 }),
    layers.batchNormalization({ center: false }),
    layers.dense({ units: 2, useBias: false }),
  ];
}

test('planned weights are exactly the weights build() makes, names and shapes', () => {
  const planned = planWeights(stack())!.flatMap(({ layer, weights }) =>
    weights!.map((weight) => `${layer.className}/${weight.name} [${weight.shape.join(', ')}]`),
  );
  const model = sequential(stack());
  const built = model.layers.flatMap((layer) =>
    layer.parameters.map((parameter) => `${layer.className}/${parameter.name} [${parameter.tensor.shape.join(', ')}]`),
  );
  assert.deepEqual(planned, built);
  assert.equal(planned.length, 13); // 2 + 4 + 1 + 2 + 3 + 1
  model.dispose();
});

test('a layer that makes no weights plans none; a model without inputShape plans nothing', () => {
  assert.deepEqual(layers.flatten().parameterShapes([null, 2, 2]), []);
  assert.equal(planWeights([layers.dense({ units: 2 })]), null);
});

test('adding layers one by one builds the same weights, bit for bit, as passing them all at once', () => {
  const whole = sequential(stack(), { seed: 9 });
  const oneByOne = sequential([], { seed: 9 });
  for (const layer of stack()) oneByOne.add(layer);
  const bits = (model: typeof whole) => model.getWeights().map((weight) => [...weight.toFloat32Array()]);
  assert.deepEqual(bits(oneByOne), bits(whole));
  assert.deepEqual(
    oneByOne.layers.map((layer) => layer.name),
    whole.layers.map((layer) => layer.name),
  );
  whole.dispose();
  oneByOne.dispose();
});

test("unnamed layers get Keras's names: the smallest free suffix, around names the user chose", () => {
  fc.assert(
    fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }), { maxLength: 12 }), (plan) => {
      const model = sequential();
      const expected: string[] = [];
      for (const suffix of plan) {
        const chosen = suffix === undefined ? undefined : suffix === 0 ? 'flatten' : `flatten_${suffix}`;
        if (chosen !== undefined && expected.includes(chosen)) continue; // a duplicate name is refused
        model.add(layers.flatten(chosen === undefined ? {} : { name: chosen }));
        expected.push(chosen ?? smallestFree(expected));
      }
      assert.deepEqual(
        model.layers.map((layer) => layer.name),
        expected,
      );
    }),
    { numRuns: 200 },
  );
});

/** The old rule, written out: 'flatten', else the smallest n ≥ 1 with 'flatten_n' free. */
function smallestFree(taken: readonly string[]): string {
  if (!taken.includes('flatten')) return 'flatten';
  let suffix = 1;
  while (taken.includes(`flatten_${suffix}`)) suffix++;
  return `flatten_${suffix}`;
}

test('modelFromJSON names unnamed layers as Sequential does, and refuses a repeated name', () => {
  const json = (lastName: string): SerializedModel => ({
    className: 'Sequential',
    config: {
      name: 'm',
      layers: [
        { className: 'Flatten', config: { inputShape: [2, 2] } },
        { className: 'Flatten', config: {} },
        { className: 'Flatten', config: { name: lastName } },
      ],
    },
  });
  assert.throws(
    () => modelFromJSON(json('flatten_1')),
    /modelFromJSON: layer name must be unique in the model, got 'flatten_1'/,
  );
  assert.deepEqual(
    modelFromJSON(json('last')).layers.map((layer) => layer.name),
    ['flatten', 'flatten_1', 'last'],
  );
});
