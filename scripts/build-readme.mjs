// README.md is assembled from its parts so that each area's engineer edits one file: the intro
// (docs/readme/intro.md), each area's docs/<area>.md (headings moved down one level), the
// benchmark table the benchmark writes (BENCHMARKS.md) with its notes, and the code layout.
//   node scripts/build-readme.mjs          rewrites README.md (atomically)
//   node scripts/build-readme.mjs --check  exits 1 when README.md is not what the parts give
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';

const AREAS = [
  'docs/pool-avg-lp.md',
  'docs/pool-adaptive-global-unpool.md',
  'docs/extra-pooling.md',
  'docs/tensors.md',
  'docs/nn.md',
  'docs/formats.md',
  'docs/app.md',
  'docs/train-kernels.md',
  'docs/wasm.md',
  'docs/web.md',
];

/** Moves every heading (outside code fences) one level down: '# X' becomes '## X'. */
function demote(markdown) {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^(```|~~~)/.test(line)) fenced = !fenced;
      return !fenced && /^#{1,5} /.test(line) ? `#${line}` : line;
    })
    .join('\n');
}

/** BENCHMARKS.md without its title, under the README's own heading. */
function benchmarkSection() {
  const table = readFileSync('BENCHMARKS.md', 'utf8').replace(/^# .*\n/, '');
  const notes = readFileSync('docs/readme/benchmark-notes.md', 'utf8');
  return `# Benchmark table\n${table}\n${notes}`;
}

export async function buildReadme() {
  const parts = [
    readFileSync('docs/readme/intro.md', 'utf8'),
    ...AREAS.map((file) => demote(readFileSync(file, 'utf8'))),
    demote(benchmarkSection()),
    readFileSync('docs/readme/layout.md', 'utf8'),
  ];
  const text = parts.map((part) => part.trim()).join('\n\n') + '\n';
  const options = (await prettier.resolveConfig('README.md')) ?? {};
  return prettier.format(text, { ...options, parser: 'markdown' });
}

const readme = await buildReadme();
if (process.argv.includes('--check')) {
  if (readFileSync('README.md', 'utf8') !== readme) {
    console.error('README.md is out of date with docs/: run node scripts/build-readme.mjs');
    process.exit(1);
  }
} else {
  writeFileSync('README.md.tmp', readme);
  renameSync('README.md.tmp', 'README.md');
}
