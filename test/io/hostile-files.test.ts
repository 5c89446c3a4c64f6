// Hostile saved models: a device or a FIFO in place of a file, a 100,000-layer topology, layers
// whose weights would fill memory. Each load answers with a clear error naming the file (or, for
// the deep model, loads) in a child process given a timeout, so a hang fails instead of blocking.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeWeights, layers, sequential } from '../../src/index.js';
import { saveModel } from '../../src/io/node.js';

const folder = mkdtempSync(join(tmpdir(), 'poolkit-hostile-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** The seed article's model (Dense 5408 → 128), saved; `change` edits its model.json. */
async function seedCopy(name: string, change: (json: { modelTopology: SeedTopology }) => void = () => {}) {
  const target = join(folder, name);
  const model = sequential([
    layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: 128, activation: 'relu' }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  await saveModel(model, target);
  model.dispose();
  const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8'));
  change(json);
  writeFileSync(join(target, 'model.json'), JSON.stringify(json));
  return target;
}

interface SeedTopology {
  config: { layers: { config: Record<string, unknown> }[] };
}

/** A saved model of `modelLayers` and `weights`, written by hand as a hostile file would be. */
function handMadeModel(name: string, modelLayers: object[], weights: Parameters<typeof encodeWeights>[0]): string {
  const target = join(folder, name);
  mkdirSync(target);
  const { manifest, bytes } = encodeWeights(weights);
  const json = {
    format: 'poolkit-model',
    formatVersion: 1,
    modelTopology: { className: 'Sequential', config: { name, layers: modelLayers } },
    weightsManifest: { file: 'weights.bin', ...manifest },
    metadata: {},
  };
  writeFileSync(join(target, 'model.json'), JSON.stringify(json));
  writeFileSync(join(target, 'weights.bin'), bytes);
  return target;
}

/** 100,000 unnamed Flatten layers (named flatten, flatten_1, ... on loading), then Dense(3). */
function deepFlattenModel(): string {
  const flattens = Array.from({ length: 100_000 }, (_, index) => ({
    className: 'Flatten',
    config: index === 0 ? { inputShape: [2, 2] } : {},
  }));
  return handMadeModel(
    'deep-flatten',
    [...flattens, { className: 'Dense', config: { units: 3 } }],
    [
      { name: 'dense/kernel', shape: [4, 3], values: new Float32Array(12).fill(0.5) },
      { name: 'dense/bias', shape: [3], values: new Float32Array(3) },
    ],
  );
}

/**
 * Two LSTM poolings of 15,000 units: each weight fits the heap (a single one of 4 GiB or more is
 * refused by the layer itself, naming units), but together they need 10.8 GB, more than it holds.
 */
function oversizedLstmModel(): string {
  const first = { className: 'LSTMPooling2D', config: { poolSize: 2, units: 15000, inputShape: [4, 4, 1] } };
  const second = { className: 'LSTMPooling2D', config: { poolSize: 2, units: 15000 } };
  return handMadeModel('oversized-lstm', [first, second], []);
}

type Outcome = { path: string; error?: string; layers?: number; heapGrowth: number };
/** Devices, FIFOs and symlinks to them are POSIX's. */
const POSIX = process.platform !== 'win32';
const outcomes = new Map<string, Outcome>();
const cases: Record<string, string> = {};

before(async () => {
  if (!POSIX) return;
  cases.zeroWeights = await seedCopy('zero-weights');
  rmSync(join(cases.zeroWeights, 'weights.bin'));
  symlinkSync('/dev/zero', join(cases.zeroWeights, 'weights.bin'));
  cases.randomJson = await seedCopy('random-json');
  rmSync(join(cases.randomJson, 'model.json'));
  symlinkSync('/dev/urandom', join(cases.randomJson, 'model.json'));
  cases.fifoWeights = await seedCopy('fifo-weights');
  rmSync(join(cases.fifoWeights, 'weights.bin'));
  spawnSync('mkfifo', [join(cases.fifoWeights, 'weights.bin')]);
  cases.deepFlatten = deepFlattenModel();
  cases.oversizedLstm = oversizedLstmModel();
  cases.wideDense = await seedCopy(
    'wide-dense',
    (json) => (json.modelTopology.config.layers[3]!.config.units = 150000),
  );
  cases.hugeDense = await seedCopy('huge-dense', (json) => (json.modelTopology.config.layers[3]!.config.units = 1e308));
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'test/helpers/file-child.ts', 'load', 'model', ...Object.values(cases)],
    { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' },
  );
  for (const line of child.stdout.split('\n').filter(Boolean)) {
    const outcome = JSON.parse(line) as Outcome;
    outcomes.set(outcome.path, outcome);
  }
  assert.equal(child.status, 0, `the child finished in time (signal ${child.signal}): ${child.stderr}`);
});

function outcome(name: string): Outcome {
  const found = outcomes.get(cases[name]!);
  assert.ok(found !== undefined, `${name} was loaded`);
  return found;
}

test('/dev/zero as weights.bin is refused unread: not a regular file', { skip: !POSIX }, () => {
  assert.match(
    outcome('zeroWeights').error ?? '',
    /zero-weights\/weights\.bin: is a character device, not a regular file/,
  );
});

test('/dev/urandom as model.json is refused unread: not a regular file', { skip: !POSIX }, () => {
  assert.match(
    outcome('randomJson').error ?? '',
    /random-json\/model\.json: is a character device, not a regular file/,
  );
});

test(
  'a FIFO as weights.bin is refused without waiting for a writer',
  { skip: !POSIX || (!existsSync('/usr/bin/mkfifo') && !existsSync('/bin/mkfifo')) },
  () => {
    assert.match(
      outcome('fifoWeights').error ?? '',
      /fifo-weights\/weights\.bin: is a FIFO \(named pipe\), not a regular file/,
    );
  },
);

test('100,000 Flatten layers load (names flatten ... flatten_99999 given in linear time)', { skip: !POSIX }, () => {
  const result = outcome('deepFlatten');
  assert.equal(result.error, undefined);
  assert.equal(result.layers, 100_001);
});

test(
  'units: 1e+308 is refused from model.json alone by the layer, naming units, before any weight is made',
  {
    skip: !POSIX,
  },
  () => {
    const result = outcome('hugeDense');
    assert.match(
      result.error ?? '',
      /huge-dense\/model\.json: .*Dense: units must be a positive integer of at most 2147483647/,
    );
    assert.ok(result.heapGrowth < 64 * 2 ** 20, `the heap grew by ${result.heapGrowth} bytes`);
  },
);

for (const [name, units] of [['wideDense', '150000']] as const) {
  test(
    `units: ${units} is refused from model.json alone, naming the layer, before any weight is made`,
    { skip: !POSIX },
    () => {
      const result = outcome(name);
      const needs = `\\[5408, ${units.replace('+', '\\+')}\\]`;
      assert.match(
        result.error ?? '',
        new RegExp(
          `model\\.json: weight 'dense/kernel' has shape \\[5408, 128\\], the model needs ${needs} for layer 'dense' \\(Dense\\)`,
        ),
      );
      assert.ok(result.heapGrowth < 64 * 2 ** 20, `the heap grew by ${result.heapGrowth} bytes`);
    },
  );
}

test('a layer too large for memory gives an out-of-memory error that names model.json', { skip: !POSIX }, () => {
  assert.match(
    outcome('oversizedLstm').error ?? '',
    /oversized-lstm\/model\.json: describes a model too large for memory: /,
  );
});
