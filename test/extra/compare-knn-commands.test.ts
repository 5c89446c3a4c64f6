// The knn command: the nearest-neighbour rule on a hand-made set, flag errors, and a tiny real run
// that writes its files (compare's tests are in test/cli/compare.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../cli/args.js';
import { knnAccuracy, run as runKnn } from '../../cli/commands/knn.js';

test('knnAccuracy: 1-NN and a 3-NN vote on points of a line', () => {
  const references = Float32Array.from([0, 1, 2, 10, 11, 12]);
  const labels = Int32Array.from([0, 0, 1, 1, 1, 1]);
  const queries = Float32Array.from([0.4, 2.2, 9]);
  assert.equal(knnAccuracy(references, labels, queries, Int32Array.from([0, 1, 1]), 1, 1), 1);
  // 3-NN of 2.2 is {2, 1, 0} → labels 1, 0, 0 → 0 wins; of 0.4 {0, 1, 2} → 0
  assert.equal(knnAccuracy(references, labels, queries, Int32Array.from([0, 1, 1]), 1, 3), 2 / 3);
});

test('knn runs on a few images and writes its files', async () => {
  const out = mkdtempSync(join(tmpdir(), 'poolkit-extra-'));
  const log = console.log;
  console.log = () => {};
  try {
    await runKnn(['--train-limit', '60', '--test-limit', '20', '--out', out]);
  } finally {
    console.log = log;
  }
  assert.equal(readFileSync(join(out, 'knn.md'), 'utf8').match(/^\| (pixels|max|average|L2) /gm)?.length, 7);
});

test('bad flags are usage errors that name the flag', async () => {
  await assert.rejects(
    runKnn(['--k', 'two']),
    (error: unknown) => error instanceof UsageError && /--k/.test(error.message),
  );
});
