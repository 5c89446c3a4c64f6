// Choosing the webgpu backend, with or without an adapter: never active by default, setBackend
// before initWebGpu says how to start it, POOLKIT_BACKEND=webgpu starts it at import or says why not.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { getBackend, listBackends, setBackend } from '../../src/index.js';

test('webgpu is not registered until started, and setBackend says how to start it', () => {
  assert.ok(!listBackends().includes('webgpu'));
  assert.notEqual(getBackend(), 'webgpu');
  assert.throws(() => setBackend('webgpu'), /'webgpu' must be started first: await initWebGpu\(\) first/);
});

test('POOLKIT_BACKEND=webgpu starts it at import, or reports why and keeps the default', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/wasm/fixtures/print-backend.ts'], {
    env: { ...process.env, POOLKIT_BACKEND: 'webgpu', POOLKIT_THREADS: '' },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  const backend = (JSON.parse(child.stdout.trim().split('\n').pop()!) as { backend: string }).backend;
  if (backend === 'webgpu') {
    // The count names the list that follows (kernels are added by other work: no fixed number here).
    const [, count, list] = /poolkit: webgpu on .*: (\d+) kernels on the GPU \(([^)]*)\)/.exec(child.stdout) ?? [];
    assert.ok(count !== undefined && list !== undefined, child.stdout);
    assert.equal(list.split(', ').length, Number(count));
    assert.ok(list.includes('maxPoolForward') && list.includes('argmaxCompare'));
  } else {
    assert.equal(backend, 'wasm');
    assert.match(child.stderr, /poolkit: the webgpu backend cannot start: .*; using reference or wasm/);
  }
});
