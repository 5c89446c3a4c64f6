// Runs every test file under test/ with Node's test runner (TypeScript through tsx), then runs the
// backend-sensitive suites (ops, golden files, reference comparisons) again on the reference backend
// and on the webgpu backend, so the whole op suite passes on every backend with no per-backend
// exclusion lists; the WebGPU kernel tests run in a pass of their own. WebGPU runs on SwiftShader
// (Chromium's software Vulkan) where installed; without an adapter its passes skip, saying why.
// Usage: node scripts/run-tests.mjs [path substring ...]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Folders whose tests exercise kernels through the ops, and so run once per backend. */
const PER_BACKEND = [
  'test/ops/',
  'test/golden/',
  'test/tfjs/',
  'test/extra/',
  'test/kinds/',
  'test/pooling/',
  'test/nn/conv-select-rewrite', // the fused op's two paths on every backend's kernels
];

/**
 * Tests of the kernels whose plain-SIMD build differs from the relaxed one (fused multiply-adds:
 * the training products, the weighted kinds' e^x / ln x, the filter kinds' and covariance's
 * products), run again on the plain build, the one engines without relaxed SIMD run
 * (POOLKIT_WASM_SIMD=plain; docs/wasm.md): their wasm kernel tests, and the kinds' suites with
 * their PyTorch golden files.
 */
const PLAIN_SIMD = [
  'test/wasm/backend.test.ts',
  'test/kernels/train-',
  'test/wasm/kinds-weighted',
  'test/wasm/kinds-filters',
  ...[
    'soft',
    'gem',
    'lse',
    'lip',
    'ada-pool',
    'detail-preserving',
    'blur',
    'max-blur',
    'spectral',
    'diff-stride',
    'covariance',
  ].map((kind) => `test/kinds/${kind}.test.ts`),
];

/** Tests that need a WebGPU adapter (they skip, saying why, without one). */
const WEBGPU = 'test/webgpu/';
/** Debian's chromium package ships SwiftShader; Dawn (the npm package `webgpu`) finds it through these. */
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The environment that gives Dawn a software GPU, unless one is configured already or absent. */
function softwareGpu() {
  if (process.env.VK_ICD_FILENAMES || !existsSync(SWIFTSHADER_ICD)) return {};
  const libraries = ['/usr/lib/chromium', process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return {
    VK_ICD_FILENAMES: SWIFTSHADER_ICD,
    LD_LIBRARY_PATH: libraries,
    XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR || tmpdir(),
  };
}

/** Why Dawn (the npm package `webgpu`) gives no adapter in `environment`, or null when it gives one. */
function noAdapter(environment) {
  const probe =
    "const { create } = await import('webgpu'); const adapter = await create([]).requestAdapter();" +
    "process.stdout.write(adapter === null ? 'no adapter' : 'adapter'); process.exit(0);";
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
    env: { ...process.env, ...environment },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.stdout === 'adapter') return null;
  const reason = result.stdout || result.stderr.trim().split('\n').pop() || `exit ${result.status ?? result.signal}`;
  return `Dawn gives no WebGPU adapter here (${reason})`;
}

function findTests(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Runs node --test on files with extra environment (and modules to preload); echoes output, returns the counts. */
function runPass(label, files, environment, preload = []) {
  console.log(`\n=== ${label}: ${files.length} test files ===`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        ...preload.flatMap((module) => ['--import', module]),
        '--test',
        '--test-reporter=spec',
        '--test-concurrency=2',
        ...files,
      ],
      { env: { ...process.env, ...environment }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk;
    });
    child.on('close', (code) => {
      const count = (name) => Number(output.match(new RegExp(`ℹ ${name} (\\d+)`))?.[1] ?? 0);
      console.log(`=== ${label}: ${((Date.now() - started) / 1000).toFixed(0)} s ===`);
      resolve({ passed: count('pass'), failed: count('fail') + count('cancelled'), code: code ?? 1 });
    });
  });
}

const filters = process.argv.slice(2);
const files = findTests('test')
  .map((file) => file.split('\\').join('/'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`run-tests: no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const perBackend = files.filter((file) => PER_BACKEND.some((folder) => file.startsWith(folder)));
const gpuFiles = files.filter((file) => file.startsWith(WEBGPU));
const cpuFiles = files.filter((file) => !file.startsWith(WEBGPU));
const passes = cpuFiles.length > 0 ? [await runPass('default backend (wasm where available)', cpuFiles, {})] : [];
const plainFiles = cpuFiles.filter((file) => PLAIN_SIMD.some((prefix) => file.startsWith(prefix)));
if (plainFiles.length > 0) passes.push(await runPass('plain-SIMD build', plainFiles, { POOLKIT_WASM_SIMD: 'plain' }));
if (gpuFiles.length > 0) {
  const environment = softwareGpu();
  const label = environment.VK_ICD_FILENAMES ? 'webgpu on SwiftShader' : 'webgpu (the adapter the machine has, if any)';
  passes.push(await runPass(label, gpuFiles, environment));
}
if (perBackend.length > 0) {
  passes.push(await runPass('reference backend', perBackend, { POOLKIT_BACKEND: 'reference' }));
  // The same suites on webgpu (POOLKIT_BACKEND=webgpu starts it when the library is imported), where
  // Dawn gives an adapter; POOLKIT_WEBGPU_OPS=0 leaves them out (a quicker run while working).
  const environment = softwareGpu();
  const reason =
    process.env.POOLKIT_WEBGPU_OPS === '0' ? 'POOLKIT_WEBGPU_OPS=0 leaves them out' : noAdapter(environment);
  if (reason === null) {
    const label = `webgpu backend${environment.VK_ICD_FILENAMES ? ' on SwiftShader' : ''}`;
    const preload = ['./test/helpers/require-webgpu.ts']; // a process where webgpu did not start fails
    passes.push(await runPass(label, perBackend, { ...environment, POOLKIT_BACKEND: 'webgpu' }, preload));
  } else console.log(`\n=== webgpu backend: ${perBackend.length} test files skipped: ${reason} ===`);
}
const passed = passes.reduce((sum, pass) => sum + pass.passed, 0);
const failed = passes.reduce((sum, pass) => sum + pass.failed, 0);
const exitCode = passes.some((pass) => pass.code !== 0) || failed > 0 ? 1 : 0;
console.log(`\nall backends: ${passed} passed, ${failed} failed`);
process.exit(exitCode);
