// Checkpoint and resume: a run that dies in its second epoch, resumed with --resume, ends with the
// same weights (bit for bit) and the same history as a run that was never interrupted.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runTraining, type TrainSettings } from '../../cli/training/train-run.js';
import { loadCheckpoint } from '../../src/io/node.js';

const folder = mkdtempSync(join(tmpdir(), 'poolkit-resume-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const settings: TrainSettings = {
  epochs: 2,
  batchSize: 32,
  learningRate: 0.001,
  pooling: 'max',
  seed: 5,
  trainLimit: 96,
  testLimit: 32,
};

/** Collects output; throws once `crashAt` appears, as a process killed at that moment would stop. */
function stream(crashAt?: string) {
  const lines: string[] = [];
  return {
    lines,
    write(text: string) {
      if (crashAt !== undefined && text.includes(crashAt)) throw new Error('simulated kill');
      lines.push(text);
      return true;
    },
  };
}

const withoutSeconds = (history: readonly { seconds: number }[]) => history.map(({ seconds: _, ...rest }) => rest);

test('a run killed in epoch 2 and resumed equals an uninterrupted run, bit for bit', async () => {
  const straight = join(folder, 'straight');
  const reference = await runTraining({ settings, given: new Set(), out: straight, resume: false, stream: stream() });
  assert.equal(reference.history.length, 2);

  const interrupted = join(folder, 'interrupted');
  await assert.rejects(
    runTraining({ settings, given: new Set(), out: interrupted, resume: false, stream: stream('Epoch 2/2') }),
    /simulated kill/,
  );
  const halfway = await loadCheckpoint(join(interrupted, 'checkpoint.bin'));
  assert.equal(halfway.epochsDone, 1);

  const output = stream();
  const resumed = await runTraining({ settings, given: new Set(), out: interrupted, resume: true, stream: output });
  assert.match(output.lines.join(''), /Resuming from .*checkpoint\.bin: 1 of 2 epochs done/);
  assert.equal(resumed.history.length, 2);
  assert.deepEqual(withoutSeconds(resumed.history), withoutSeconds(reference.history));
  assert.ok(readFileSync(join(interrupted, 'weights.bin')).equals(readFileSync(join(straight, 'weights.bin'))));
  const final = await loadCheckpoint(join(interrupted, 'checkpoint.bin'));
  const straightFinal = await loadCheckpoint(join(straight, 'checkpoint.bin'));
  assert.equal(final.optimizerState.iterations, 6); // 2 epochs of 3 batches
  assert.deepEqual(final.optimizerState.slots, straightFinal.optimizerState.slots);
});

test('resume refuses settings that differ from the checkpoint (but lets --epochs grow)', async () => {
  const out = join(folder, 'straight');
  await assert.rejects(
    runTraining({
      settings: { ...settings, batchSize: 64 },
      given: new Set(['batchSize']),
      out,
      resume: true,
      stream: stream(),
    }),
    /--resume: batchSize 64 differs from the checkpoint's 32/,
  );
  const output = stream();
  const longer = await runTraining({
    settings: { ...settings, epochs: 3 },
    given: new Set(['epochs']),
    out,
    resume: true,
    stream: output,
  });
  assert.equal(longer.history.length, 3);
  assert.match(output.lines.join(''), /2 of 3 epochs done/);
  assert.equal((output.lines.join('').match(/Epoch \d\/3 96\/96/g) ?? []).length, 1); // only epoch 3 ran
});
