// Examples are tests: every TypeScript or JavaScript code block in README.md and docs/**/*.md runs
// here against the built package (imported as 'poolkit' and 'poolkit/node', the names a user
// writes), and a line `console.log(EXPR); // → VALUE` asserts that EXPR prints as VALUE.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const root = process.cwd();
const scratch = join(root, '.scratch', 'examples');
const LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);

interface Block {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly code: string;
}

function markdownFiles(): string[] {
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return [join(root, 'README.md'), ...walk(join(root, 'docs'))];
}

/** The runnable blocks of a markdown file: fenced, in one of LANGUAGES. */
export function codeBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const opening = /^(```+|~~~+)\s*(\w+)?/.exec(lines[index]!);
    if (opening === null) continue;
    const end = lines.findIndex((line, after) => after > index && line.startsWith(opening[1]!));
    if (end < 0) break;
    if (LANGUAGES.has(opening[2] ?? '')) {
      blocks.push({ file, line: index + 1, code: lines.slice(index + 1, end).join('\n') });
    }
    index = end;
  }
  return blocks;
}

/**
 * `console.log(A, B); // → VALUE` becomes a check that A, B print (util.format, as console.log) as
 * VALUE, white space folded (Node breaks long arrays across lines).
 */
export function withChecks(code: string, fenceLine: number): string {
  const checked = code
    .split('\n')
    .map((line, index) => {
      const match = /^(\s*)console\.log\((.*)\);\s*\/\/\s*→\s*(.*)$/.exec(line);
      if (match === null) {
        // A wrapped line (prettier breaks long ones) would leave the check a mere comment.
        if (/\/\/\s*→/.test(line))
          return `throw new Error('line ${fenceLine + index + 1}: a "// →" check must end a one-line console.log(...)');`;
        return line;
      }
      const [, indent, expression, expected] = match;
      const folded = expected!.trim().replace(/\s+/g, ' ');
      return `${indent}__expect([${expression}], ${JSON.stringify(folded)}, ${fenceLine + index + 1});`;
    })
    .join('\n');
  const helper =
    "import { format as __format } from 'node:util';\n" +
    'const __expect = (values: unknown[], expected: string, line: number): void => {\n' +
    "  const printed = __format(...values).replace(/\\s+/g, ' ');\n" +
    '  if (printed !== expected) throw new Error(`line ${line} printed ${printed}, the docs say ${expected}`);\n' +
    '};\n';
  return helper + checked;
}

/** Runs a file's blocks in order in one child process; returns the error of each (null when it ran). */
function runBlocks(file: string, blocks: readonly Block[]): (string | null)[] {
  const folder = join(scratch, relative(root, file).replace(/[^\w.-]+/g, '_'));
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const paths = blocks.map((block, index) => {
    const path = join(folder, `block-${index}.ts`);
    writeFileSync(path, withChecks(block.code, block.line));
    return pathToFileURL(path).href;
  });
  const script = `
    const results = [];
    for (const path of ${JSON.stringify(paths)}) {
      try { await import(path); results.push(null); }
      catch (error) { results.push(String(error?.stack ?? error)); }
    }
    process.stdout.write('\\n@@results ' + JSON.stringify(results) + '\\n');
    process.exit(0);
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, POOLKIT_EXAMPLES: '1' },
  });
  const marker = /@@results (.*)\n/.exec(run.stdout ?? '');
  if (marker === null) {
    const reason = run.error?.message ?? `exit ${run.status}: ${run.stderr.slice(-2000)}`;
    return blocks.map(() => `the examples of ${relative(root, file)} did not finish: ${reason}`);
  }
  return JSON.parse(marker[1]!) as (string | null)[];
}

const files = markdownFiles();
let total = 0;
for (const file of files) {
  const blocks = codeBlocks(file, readFileSync(file, 'utf8'));
  if (blocks.length === 0) continue;
  total += blocks.length;
  test(`the ${blocks.length} code blocks of ${relative(root, file)} run as written`, () => {
    const errors = runBlocks(file, blocks);
    const failures = blocks
      .map((block, index) =>
        errors[index] === null ? null : `${relative(root, block.file)}:${block.line}: ${errors[index]}`,
      )
      .filter((failure): failure is string => failure !== null);
    assert.deepEqual(failures, [], failures.join('\n\n'));
  });
}

test('the docs hold runnable examples (the runner finds them)', () => {
  assert.ok(total >= 10, `only ${total} code blocks found`);
});
