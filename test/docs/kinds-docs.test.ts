// README.md's table of kinds and docs/kinds.md are what the registry gives: a kind added, renamed
// or redocumented without `npx tsx scripts/kind-docs.ts` fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { poolingKinds } from '../../src/index.js';
import { formatted, kindsReference, readmeWithTable } from '../../scripts/kind-docs.js';

test("README.md's kinds table lists every kind of the registry, as scripts/kind-docs.ts writes it", async () => {
  const readme = readFileSync('README.md', 'utf8');
  assert.equal(readme, await formatted('README.md', readmeWithTable(readme)), 'run npx tsx scripts/kind-docs.ts');
  for (const kind of poolingKinds) assert.ok(readme.includes(`docs/kinds.md#${kind.name.toLowerCase()}`), kind.name);
});

test('docs/kinds.md documents every kind and option, as scripts/kind-docs.ts writes it', async () => {
  const reference = readFileSync('docs/kinds.md', 'utf8');
  assert.equal(reference, await formatted('docs/kinds.md', kindsReference()), 'run npx tsx scripts/kind-docs.ts');
  for (const kind of poolingKinds) assert.ok(reference.includes(`## ${kind.name}\n`), kind.name);
});
