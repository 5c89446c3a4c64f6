// docs/formats.md's table of pooling kinds in ONNX is the registry's: every kind has its row, the
// exportable ones say how, the refused one says so, and the import column lists each kind's operators.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { poolingKinds, type KindDefinition } from '../../src/index.js';

test('the pooling table of docs/formats.md matches every kind’s ONNX hook', () => {
  const rows = new Map(
    readFileSync('docs/formats.md', 'utf8')
      .split('\n')
      .filter((line) => /^\| [a-z]\w* +\|/.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()))
      .map((cells) => [cells[1]!, { export: cells[3]!, import: cells[4]! }]),
  );
  for (const kind of poolingKinds) {
    const row = rows.get(kind.name);
    assert.ok(row, `docs/formats.md has no row for '${kind.name}'`);
    const hook = (kind as KindDefinition).onnx;
    if (typeof hook?.export === 'function') assert.doesNotMatch(row.export, /^(—|refused)/, kind.name);
    else assert.match(row.export, kind.layer === null ? /^—$/ : /^refused/, kind.name);
    assert.equal(row.import, hook?.import?.ops.join(', ') ?? '—', kind.name);
  }
  assert.equal(rows.size, poolingKinds.length, 'no row for a kind the registry lacks');
});
