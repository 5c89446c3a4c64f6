// `poolkit train` refuses what it cannot finish before it trains: an --out that is a file, under a
// file, or not writable; a checkpoint whose bytes were edited; a --resume past its --epochs.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildSeedModel, compileSeedModel } from '../../cli/training/seed-model.js';
import { runTraining, type TrainSettings } from '../../cli/training/train-run.js';
import { saveCheckpoint } from '../../src/io/node.js';

const folder = mkdtempSync(join(tmpdir(), 'poolkit-guards-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const settings: TrainSettings = {
  epochs: 2,
  batchSize: 32,
  learningRate: 0.001,
  pooling: 'max',
  seed: 5,
  trainLimit: 64,
  testLimit: 32,
};

/** Runs train; returns its rejection's message and everything it printed. */
async function refused(out: string, options: { resume?: boolean; epochs?: number } = {}) {
  const printed: string[] = [];
  const stream = { write: (text: string) => printed.push(text) > 0 };
  const given = new Set<keyof TrainSettings>(options.epochs === undefined ? [] : ['epochs']);
  const run = runTraining({
    settings: { ...settings, epochs: options.epochs ?? settings.epochs },
    given,
    out,
    resume: options.resume ?? false,
    stream,
  });
  const error = await run.then(
    () => assert.fail('train should have refused'),
    (reason: Error) => reason,
  );
  return { message: error.message, printed: printed.join('') };
}

/** Nothing was trained: MNIST was not even loaded. */
function assertNoTraining(printed: string): void {
  assert.doesNotMatch(printed, /MNIST from|Epoch \d/);
}

test('--out that is a file is refused before training', async () => {
  const out = join(folder, 'a-file');
  writeFileSync(out, 'user data');
  const { message, printed } = await refused(out);
  assert.match(message, /--out .*a-file is a file, not a folder; choose another folder/);
  assertNoTraining(printed);
  assert.equal(readFileSync(out, 'utf8'), 'user data');
});

test('--out inside a file is refused before training', async () => {
  const { message, printed } = await refused(join(folder, 'a-file', 'run'));
  assert.match(message, /--out .*a-file\/run cannot be written to \(ENOTDIR/);
  assertNoTraining(printed);
});

test('--out in a read-only folder is refused before training', { skip: process.getuid?.() === 0 }, async () => {
  const locked = join(folder, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o555);
  try {
    const { message, printed } = await refused(join(locked, 'run'));
    assert.match(message, /cannot be written to \((EACCES|EROFS)/);
    assertNoTraining(printed);
  } finally {
    chmodSync(locked, 0o755);
  }
});

test(
  '--out the kernel refuses to make (under /proc) is refused, not a hang',
  { skip: !existsSync('/proc/self'), timeout: 60_000 },
  async () => {
    const { message, printed } = await refused('/proc/poolkit-run/deeper');
    assert.match(message, /--out \/proc\/poolkit-run\/deeper cannot be written to \(ENOENT/);
    assertNoTraining(printed);
  },
);

/** A checkpoint of the seed model after `epochsDone` epochs (untrained weights suffice here). */
async function checkpointIn(out: string, epochsDone: number): Promise<string> {
  const model = buildSeedModel(settings);
  compileSeedModel(model, settings.learningRate);
  const path = join(out, 'checkpoint.bin');
  const history = Array.from({ length: epochsDone }, (_, epoch) => ({ epoch: epoch + 1 }));
  await saveCheckpoint(path, model, { epochsDone, settings: { ...settings }, history });
  model.dispose();
  return path;
}

test('--resume with an edited checkpoint header (epochsDone 1 → 9) fails its checksum and trains nothing', async () => {
  const out = join(folder, 'edited');
  const path = await checkpointIn(out, 1);
  const bytes = readFileSync(path);
  bytes[bytes.indexOf('"epochsDone":1') + '"epochsDone":'.length] = '9'.charCodeAt(0);
  writeFileSync(path, bytes);
  const { message, printed } = await refused(out, { resume: true });
  assert.match(message, /checkpoint\.bin: is corrupt: its checksum/);
  assert.doesNotMatch(printed, /epochs done/);
  assertNoTraining(printed);
});

test('--resume with fewer --epochs than the checkpoint has done is refused', async () => {
  const out = join(folder, 'done');
  await checkpointIn(out, 2);
  const { message, printed } = await refused(out, { resume: true, epochs: 1 });
  assert.match(message, /--resume: the checkpoint has 2 epochs done, more than --epochs 1/);
  assertNoTraining(printed);
});
