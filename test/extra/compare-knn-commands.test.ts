// The compare and knn commands: the nearest-neighbour rule on a hand-made set, the table and chart
// writers, flag errors, and tiny real runs that write their files.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../cli/args.js';
import { compareChart, compareTable, run as runCompare } from '../../cli/commands/compare.js';
import { knnAccuracy, run as runKnn } from '../../cli/commands/knn.js';

test('knnAccuracy: 1-NN and a 3-NN vote on points of a line', () => {
  const references = Float32Array.from([0, 1, 2, 10, 11, 12]);
  const labels = Int32Array.from([0, 0, 1, 1, 1, 1]);
  const queries = Float32Array.from([0.4, 2.2, 9]);
  assert.equal(knnAccuracy(references, labels, queries, Int32Array.from([0, 1, 1]), 1, 1), 1);
  // 3-NN of 2.2 is {2, 1, 0} → labels 1, 0, 0 → 0 wins; of 0.4 {0, 1, 2} → 0
  assert.equal(knnAccuracy(references, labels, queries, Int32Array.from([0, 1, 1]), 1, 3), 2 / 3);
});

test('the comparison table and chart hold every row', () => {
  const rows = [
    { kind: 'max', testAccuracy: 0.9812, secondsPerEpoch: 12.34, parameters: 693962 },
    { kind: 'lstm', testAccuracy: 0.5, secondsPerEpoch: 99, parameters: 702282 },
  ];
  const table = compareTable(rows, 'a slice');
  assert.match(table, /\| max \| 98\.12% \| 12\.3 \| 693,962 \|/);
  assert.match(table, /\| lstm \| 50\.00% \| 99\.0 \| 702,282 \|/);
  const svg = compareChart(rows, 'a <slice>');
  assert.match(svg, /^<svg /);
  assert.equal(svg.match(/<rect x="110"/g)?.length, 2);
  assert.match(svg, /a &lt;slice&gt;/);
});

test('compare and knn run on a few images and write their files', async () => {
  const out = mkdtempSync(join(tmpdir(), 'poolkit-extra-'));
  const log = console.log;
  console.log = () => {};
  try {
    await runCompare([
      '--kinds',
      'mixed',
      '--train-limit',
      '32',
      '--test-limit',
      '16',
      '--batch-size',
      '16',
      '--out',
      out,
    ]);
    await runKnn(['--train-limit', '60', '--test-limit', '20', '--out', out]);
  } finally {
    console.log = log;
  }
  const table = readFileSync(join(out, 'compare.md'), 'utf8');
  assert.match(table, /\| mixed \| .* \| 693,963 \|/);
  assert.match(readFileSync(join(out, 'compare.svg'), 'utf8'), /<\/svg>/);
  assert.equal(JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')).rows.length, 1);
  assert.equal(readFileSync(join(out, 'knn.md'), 'utf8').match(/^\| (pixels|max|average|L2) /gm)?.length, 7);
});

test('bad flags are usage errors that name the flag', async () => {
  await assert.rejects(
    runCompare(['--kinds', 'max,nosuchkind']),
    (error: unknown) => error instanceof UsageError && /--kinds/.test(error.message),
  );
  await assert.rejects(
    runCompare(['--epochs', '0']),
    (error: unknown) => error instanceof UsageError && /--epochs/.test(error.message),
  );
  await assert.rejects(
    runKnn(['--k', 'two']),
    (error: unknown) => error instanceof UsageError && /--k/.test(error.message),
  );
});
