// Checkpoints trust nothing they did not check: one CRC-32 covers the whole file, header included,
// so an edited byte anywhere is refused; the header's fields must agree with each other and with
// the model; the first format (no checksum over its header) is refused by name.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  decodeBundle,
  encodeBundle,
  layers,
  memoryStats,
  randomUniform,
  sequential,
  tensor,
  type Sequential,
} from '../../src/index.js';
import { loadCheckpoint, saveCheckpoint, writeFileAtomic } from '../../src/io/node.js';

const folder = mkdtempSync(join(tmpdir(), 'poolkit-checkpoint-'));
after(() => rmSync(folder, { recursive: true, force: true }));

function smallModel(): Sequential {
  const model = sequential(
    [
      layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 1] }),
      layers.flatten(),
      layers.dense({ units: 3, activation: 'softmax' }),
    ],
    { seed: 4 },
  );
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const x = randomUniform([4, 6, 6, 1], { seed: 1 });
  const y = tensor(Int32Array.from([0, 1, 2, 1]), [4], 'int32');
  model.trainOnBatch(x, y); // Adam's slots exist from the first step on
  x.dispose();
  y.dispose();
  return model;
}

/** A checkpoint of two epochs, saved at `name`; returns its path. */
async function saved(name: string): Promise<string> {
  const path = join(folder, name);
  const model = smallModel();
  await saveCheckpoint(path, model, { epochsDone: 2, settings: { epochs: 2 }, history: [{ epoch: 1 }, { epoch: 2 }] });
  model.dispose();
  return path;
}

/** Re-encodes a checkpoint with a valid checksum after `change` edits its header or weights. */
async function rewritten(path: string, change: (header: Record<string, unknown>, weights: WeightList) => void) {
  const { header, weights } = decodeBundle(readFileSync(path), path);
  change(header, weights);
  const { weights: _manifest, ...rest } = header;
  await writeFileAtomic(path, encodeBundle(rest, weights));
}

type WeightList = { name: string; shape: readonly number[]; values: Float32Array }[];

test('a checkpoint round-trips: epochs, history, model and optimizer slots', async () => {
  const restored = await loadCheckpoint(await saved('round-trip.bin'));
  assert.equal(restored.epochsDone, 2);
  assert.deepEqual(restored.history, [{ epoch: 1 }, { epoch: 2 }]);
  assert.equal(restored.model.layers.length, 3);
  assert.equal(restored.optimizerState.iterations, 1);
  assert.equal(restored.optimizerState.slots['dense/kernel']!.m!.length, 32 * 3);
  restored.model.dispose();
});

test('an edited header byte (epochsDone 2 → 9) fails the checksum, naming the file', async () => {
  const path = await saved('edited-header.bin');
  const bytes = readFileSync(path);
  const at = bytes.indexOf('"epochsDone":2');
  assert.ok(at > 0);
  bytes[at + '"epochsDone":'.length] = '9'.charCodeAt(0);
  writeFileSync(path, bytes);
  await assert.rejects(
    loadCheckpoint(path),
    /edited-header\.bin: is corrupt: its checksum is crc32:[0-9a-f]{8}, the file says crc32:[0-9a-f]{8}/,
  );
});

test('a flipped weight bit fails the same checksum', async () => {
  const path = await saved('flipped-weight.bin');
  const bytes = readFileSync(path);
  bytes[bytes.length - 20]! ^= 0x01;
  writeFileSync(path, bytes);
  await assert.rejects(loadCheckpoint(path), /flipped-weight\.bin: is corrupt: its checksum/);
});

test('a checkpoint in the first format is refused by name (its header had no checksum)', async () => {
  const path = join(folder, 'first-format.bin');
  const header = new TextEncoder().encode('{"format":"poolkit-checkpoint","epochsDone":1}');
  const prefix = new Uint8Array(12);
  prefix.set(new TextEncoder().encode('PKBUNDL1'));
  new DataView(prefix.buffer).setUint32(8, header.length, true);
  writeFileSync(path, Buffer.concat([prefix, header]));
  await assert.rejects(
    loadCheckpoint(path),
    /first-format\.bin: is in an older poolkit checkpoint format \(PKBUNDL1\), whose header no checksum covers/,
  );
});

test('epochsDone must agree with the history, even under a valid checksum', async () => {
  const path = await saved('disagreeing.bin');
  await rewritten(path, (header) => (header.epochsDone = 99));
  await assert.rejects(
    loadCheckpoint(path),
    /disagreeing\.bin: epochsDone \(99\) must equal the history's length \(2\)/,
  );
});

test("an optimizer slot must have its weight's size", async () => {
  const path = await saved('bad-slot.bin');
  await rewritten(path, (_header, weights) => {
    const slot = weights.findIndex((weight) => weight.name === 'optimizer/dense/kernel/m');
    weights[slot] = { ...weights[slot]!, shape: [5], values: new Float32Array(5) };
  });
  await assert.rejects(
    loadCheckpoint(path),
    /bad-slot\.bin: holds optimizer slot 'optimizer\/dense\/kernel\/m' of 5 values, which fits no weight/,
  );
});

test('a topology asking for a huge layer is refused before any weight is made', async () => {
  const path = await saved('huge-layer.bin');
  await rewritten(path, (header) => {
    const topology = header.modelTopology as { config: { layers: { config: { units?: number } }[] } };
    topology.config.layers[2]!.config.units = 150000;
  });
  const heapBefore = memoryStats().heapBytes;
  await assert.rejects(
    loadCheckpoint(path),
    /huge-layer\.bin: weight 'dense\/kernel' has shape \[32, 3\], the model needs \[32, 150000\] for layer 'dense' \(Dense\)/,
  );
  assert.ok(memoryStats().heapBytes - heapBefore < 2 ** 20, 'no weight was made');
});
