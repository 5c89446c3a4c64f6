// What the command line says when it is asked for its version or usage, given a bad number, run
// before any training, or shown an image with no digit: a short answer, never a stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PNG } from 'pngjs';

const root = process.cwd();
const folder = mkdtempSync(join(tmpdir(), 'poolkit-usage-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const shippedModel = join(root, 'web/public/models/seed-cnn');

/** Runs a TypeScript entry point of the repository as a user would, from `cwd`. */
function run(script: string, args: string[], cwd = root): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(root, script), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const poolkit = (...args: string[]) => run('cli/main.ts', args);

/** A white PNG with black pixels at `marks`. */
function writePng(name: string, side: number, marks: [number, number][]): string {
  const png = new PNG({ width: side, height: side });
  png.data.fill(255);
  for (const [row, column] of marks) png.data.set([0, 0, 0, 255], (row * side + column) * 4);
  const path = join(folder, name);
  writeFileSync(path, PNG.sync.write(png));
  return path;
}

test('poolkit --version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-v']) {
    const result = poolkit(flag);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `poolkit ${version}\n`);
  }
  assert.match(poolkit('--help').stdout, /'poolkit --version' for the version/);
});

test('a negative number after an option is its value, and its check says what is wrong', () => {
  for (const [args, message] of [
    [['train', '--epochs', '-1'], "--epochs must be a whole number from 1 to 10000, got '-1'"],
    [['eval', '--test-limit', '-5'], "--test-limit must be a whole number from 1 to 2147483647, got '-5'"],
    [['predict', 'x.png', '--index', '-2'], "--index must be a whole number from 0 to 2147483647, got '-2'"],
  ] as const) {
    const result = poolkit(...args);
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stderr, `poolkit ${args[0]}: ${message}\nRun 'poolkit ${args[0]} --help' for usage.\n`);
  }
});

test('the benchmarks print their usage for --help, and a short error for an unknown option or a bad number', () => {
  for (const [script, name, option] of [
    ['bench/pooling.ts', 'bench', '--ours'],
    ['bench/train.ts', 'bench:train', '--train-limit <n>'],
    ['bench/matmul.ts', 'bench:matmul', '--quick'],
  ] as const) {
    const help = run(script, ['--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.ok(help.stdout.startsWith(`Usage: npm run ${name} -- [options]\n`), help.stdout);
    assert.ok(help.stdout.includes(option), help.stdout);
  }
  const wrong = run('bench/train.ts', ['--no-such-flag']);
  assert.equal(wrong.status, 2, wrong.stderr);
  assert.equal(
    wrong.stderr,
    "npm run bench:train: Unknown option '--no-such-flag'\nRun 'npm run bench:train -- --help' for usage.\n",
  );
  const negative = run('bench/train.ts', ['--tfjs-batches', '-1']);
  assert.equal(negative.status, 2);
  assert.match(negative.stderr, /^npm run bench:train: --tfjs-batches must be a whole number from 0 to/);
});

test('eval and predict before any training say to train first', () => {
  const image = writePng('seven.png', 28, [[14, 14]]);
  const cases = [
    [['eval'], /no trained model in runs\/seed-cnn: train one first with `poolkit train` \(in a clone: `npm start`\)/],
    [['predict', image], /no trained model in runs\/seed-cnn: train one first with `poolkit train`/],
    [
      ['eval', '--model', join(folder, 'mine')],
      /no trained model in .*mine: train one first with `poolkit train --out /,
    ],
  ] as const;
  const cwd = join(folder, 'empty-project');
  mkdirSync(cwd, { recursive: true });
  for (const [args, message] of cases) {
    const result = run('cli/main.ts', [...args], cwd);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, message);
    assert.match(result.stderr, /or name a saved model folder with --model <folder>\n$/);
  }
  mkdirSync(join(folder, 'stopped'));
  writeFileSync(join(folder, 'stopped', 'checkpoint.bin'), new Uint8Array(8));
  const stopped = run('cli/main.ts', ['eval', '--model', join(folder, 'stopped')]);
  assert.match(stopped.stderr, /its training was interrupted: finish it with `poolkit train --out .*stopped --resume`/);
});

test('predict on a blank or nearly blank image says no digit was found instead of guessing', () => {
  const blank = writePng('blank.png', 64, []);
  const speck = writePng('speck.png', 64, [
    [30, 30],
    [30, 31],
  ]);
  for (const [path, reason] of [
    [blank, 'it is blank'],
    [speck, 'it is nearly blank: its only marks fit in 2x1 pixels, too small for a digit'],
  ] as const) {
    const result = poolkit('predict', path, '--model', shippedModel);
    assert.equal(result.status, 1, result.stdout);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      `poolkit predict: no digit found in ${path}: ${reason}. Nothing to classify; draw or crop one digit\n`,
    );
  }
  const stroke = Array.from({ length: 40 }, (_, row): [number, number] => [row + 12, 32]);
  const one = poolkit('predict', writePng('one.png', 64, stroke), '--model', shippedModel);
  assert.equal(one.status, 0, one.stderr);
  assert.match(one.stdout, /Prediction: \d with probability/);
});
