// Backend selection at import: 'wasm' by default where SIMD validates, POOLKIT_BACKEND,
// POOLKIT_THREADS and POOLKIT_WASM_SIMD honoured, bad values reported and ignored; setBackend
// switches both ways.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { getBackend, kernelSource, listBackends, maxPool2d, setBackend, tensor } from '../../src/index.js';

interface Choice {
  backend: string;
  threads: number;
  max: number;
  relaxed: [boolean | null, boolean | null];
  stderr: string;
}

function importWith(environment: Record<string, string>): Choice {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/wasm/fixtures/print-backend.ts'], {
    env: { ...process.env, POOLKIT_BACKEND: '', POOLKIT_THREADS: '', POOLKIT_WASM_SIMD: '', ...environment },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  return { ...(JSON.parse(child.stdout.trim().split('\n').pop()!) as Omit<Choice, 'stderr'>), stderr: child.stderr };
}

test('wasm is active by default, on every core', () => {
  const choice = importWith({});
  assert.deepEqual([choice.backend, choice.threads, choice.max], ['wasm', availableParallelism(), 5]);
});

test('POOLKIT_BACKEND and POOLKIT_THREADS choose the backend and the thread count', () => {
  assert.deepEqual(importWith({ POOLKIT_BACKEND: 'reference' }).backend, 'reference');
  const choice = importWith({ POOLKIT_BACKEND: 'wasm', POOLKIT_THREADS: '3' });
  assert.deepEqual([choice.backend, choice.threads, choice.max], ['wasm', 3, 5]);
});

test('POOLKIT_WASM_SIMD=plain loads the plain-SIMD build of every kernel module; relaxed is the default', () => {
  assert.deepEqual(importWith({ POOLKIT_WASM_SIMD: 'plain' }).relaxed, [false, false]);
  // Node 20 validates relaxed SIMD once poolkit sets V8's flag, so the default is the relaxed build.
  assert.deepEqual(importWith({}).relaxed, [true, true]);
  assert.deepEqual(importWith({ POOLKIT_WASM_SIMD: 'relaxed' }).relaxed, [true, true]);
});

test('bad environment values are reported and ignored', () => {
  const choice = importWith({ POOLKIT_BACKEND: 'gpu', POOLKIT_THREADS: 'many', POOLKIT_WASM_SIMD: 'fast' });
  assert.equal(choice.backend, 'wasm');
  assert.equal(choice.threads, availableParallelism());
  assert.deepEqual(choice.relaxed, [true, true]);
  assert.match(choice.stderr, /POOLKIT_BACKEND must be one of/);
  assert.match(choice.stderr, /POOLKIT_THREADS must be an integer from 1 to 64, got 'many'/);
  assert.match(choice.stderr, /POOLKIT_WASM_SIMD must be one of relaxed, plain, got 'fast'/);
});

test('setBackend switches the kernels that ops run, both ways', () => {
  const before = getBackend();
  assert.deepEqual(listBackends().sort(), ['reference', 'wasm']);
  try {
    setBackend('reference');
    assert.equal(kernelSource('maxPoolForward'), 'reference');
    setBackend('wasm');
    assert.equal(kernelSource('maxPoolForward'), 'wasm');
    assert.deepEqual(Array.from(maxPool2d(tensor([1, 5, 3, 2], [1, 2, 2, 1]), { kernelSize: 2 }).values), [5]);
  } finally {
    setBackend(before);
  }
});
