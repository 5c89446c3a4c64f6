// Every kind of the registry, iterated: a kind added to src/pooling/kinds/index.ts is covered here
// with no edit. Each is an op, a layer in a one-layer model that runs forward and backward, saves
// and loads with identical outputs, a name the CLI accepts, and a documented entry.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as poolkit from '../../src/index.js';
import { findPoolingKind, layers, poolingKinds, sequential, tidy } from '../../src/index.js';
import { loadModel, saveModel } from '../../src/io/node.js';
import { uniformTensor } from '../helpers/uniform.js';

const folder = mkdtempSync(join(tmpdir(), 'poolkit-registry-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** An input shape the kind accepts at a rank: small, but larger than every seed window. */
function inputShape(rank: number): number[] {
  return rank === 1 ? [2, 9, 3] : rank === 2 ? [2, 7, 7, 3] : [1, 4, 5, 4, 2];
}

test('kind names and aliases are unique, canonical names camelCase, and each kind is found by every name', () => {
  const seen = new Set<string>();
  for (const kind of poolingKinds) {
    assert.match(kind.name, /^[a-z][a-zA-Z0-9]*$/);
    for (const name of [kind.name, ...kind.aliases]) {
      assert.ok(!seen.has(name.toLowerCase()), `'${name}' names two kinds`);
      seen.add(name.toLowerCase());
      assert.equal(findPoolingKind(name), kind);
      assert.equal(findPoolingKind(name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)), kind);
    }
  }
});

test('every kind documents itself and exports its op under its name at each rank', () => {
  const api = poolkit as unknown as Record<string, unknown>;
  for (const kind of poolingKinds) {
    for (const field of ['label', 'summary', 'formula', 'gradient', 'source'] as const)
      assert.ok(kind.docs[field].length > 3, `${kind.name}: docs.${field}`);
    for (const spec of kind.options) assert.ok(spec.doc.length > 3, `${kind.name}: option ${spec.name} has no doc`);
    for (const rank of kind.ranks) assert.equal(typeof api[kind.opName(rank)], 'function', kind.opName(rank));
  }
});

test('only a kind whose op needs another op’s output (max unpooling) has no layer', () => {
  const layerless = poolingKinds.filter((kind) => kind.layer === null).map((kind) => kind.name);
  assert.deepEqual(layerless.sort(), ['maxUnpool']);
});

for (const kind of poolingKinds) {
  if (kind.layer === null) continue;
  const rank = kind.ranks.includes(2) ? 2 : kind.ranks[0]!;
  test(`${kind.name}: a one-layer model runs forward and backward, then saves and loads with identical outputs`, async () => {
    const config = { ...(kind.layer!.seedConfig ?? {}), inputShape: inputShape(rank).slice(1) };
    const layer = new poolkit.Pooling(kind, rank, config);
    const model = sequential([layer, layers.flatten()], { seed: 3 });
    const input = uniformTensor(inputShape(rank), 5);
    tidy(() => {
      const x = poolkit.requireGrad(input.clone());
      const y = model.call(x, { training: true, random: new poolkit.Random(1) });
      poolkit.backward(poolkit.sum(y));
      assert.equal(x.grad!.shape.join(), x.shape.join());
      assert.ok(Array.from(x.grad!.values).every(Number.isFinite), `${kind.name}: gradient is finite`);
      for (const { name, tensor } of model.parameters)
        assert.ok(tensor.grad === null || tensor.grad.values.every(Number.isFinite), `${kind.name}: ${name}`);
    });
    const out = join(folder, kind.name);
    await saveModel(model, out);
    const { model: loaded } = await loadModel(out);
    assert.equal(loaded.layers[0]!.className, layer.className);
    assert.deepEqual(loaded.layers[0]!.getConfig(), layer.getConfig());
    const [first, second] = [model.predict(input), loaded.predict(input)] as poolkit.Tensor[];
    assert.deepEqual(Array.from(second!.values), Array.from(first!.values));
    for (const tensor of [first!, second!, input]) tensor.dispose();
    model.dispose();
    loaded.dispose();
  });
}

test('N-d factories take the rank from the first input: layers.maxPooling() on 4D input is a MaxPooling2D', () => {
  const factories = layers as unknown as Record<string, (config?: object) => poolkit.Pooling>;
  for (const kind of poolingKinds) {
    if (kind.layer === null || !kind.layer.className.includes('{rank}')) continue;
    const stem = kind.layer.className.replace('{rank}D', '');
    const factory = factories[stem.charAt(0).toLowerCase() + stem.slice(1)] ?? factories[`lstmPooling`];
    assert.equal(typeof factory, 'function', `${kind.name}: the N-d factory`);
  }
  const layer = layers.maxPooling({ poolSize: 2 });
  assert.equal(layer.className, 'MaxPooling');
  const output = layer.apply(uniformTensor([1, 4, 4, 2], 1));
  assert.equal(layer.className, 'MaxPooling2D');
  assert.deepEqual(output.shape, [1, 2, 2, 2]);
  assert.equal(
    layers
      .averagePooling({ poolSize: 2 })
      .apply(uniformTensor([1, 6, 2], 2))
      .shape.join(),
    '1,3,2',
  );
});
