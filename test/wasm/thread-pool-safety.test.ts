// The thread pool under misuse and failure: overlapping setThreadCount calls, bad thread counts, and
// a thread that throws or exits mid-job. Scenarios that could hang run in a child process with a
// time limit (a main thread blocked in Atomics.wait cannot be interrupted from inside), so a hang
// fails its test instead of stalling the suite.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { PoolkitArgumentError } from '../../src/errors.js';
import { MAX_THREADS } from '../../src/index.js';
import { getThreadCount, isThreadCount, setThreadCount } from '../../src/kernels/wasm/threads.js';

interface PoolState {
  threads: number;
  liveWorkers: number;
  idleWorkers: number;
}
interface Check {
  same: boolean;
  split: boolean;
}
interface FaultReport {
  error: string | null;
  afterFailure: PoolState;
  nextCall: Check;
  rebuilt: PoolState;
  rebuiltError: string | null;
  final: Check;
}

/** Runs a scenario of fixtures/thread-pool-run.ts in a child process; fails on a hang (time limit) or a crash. */
function runScenario<Report>(scenario: string): Report {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/wasm/fixtures/thread-pool-run.ts', scenario], {
    env: { ...process.env, POOLKIT_BACKEND: 'wasm', POOLKIT_THREADS: '' },
    encoding: 'utf8',
    timeout: 90_000, // far more than the scenario needs on a loaded machine: only a hang reaches it
    killSignal: 'SIGKILL',
  });
  assert.notEqual(child.signal, 'SIGKILL', `scenario '${scenario}' hung (killed after the time limit)`);
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Report;
}

test('overlapping setThreadCount calls take effect in order; the next split kernel returns the reference bits', () => {
  const report = runScenario<Record<'issueCase' | 'mixed', Check & { state: PoolState }>>('overlapping');
  assert.deepEqual(report.issueCase, {
    state: { threads: 4, liveWorkers: 3, idleWorkers: 3 },
    same: true,
    split: true,
  });
  assert.deepEqual(report.mixed, { state: { threads: 3, liveWorkers: 2, idleWorkers: 2 }, same: true, split: true });
});

/** What every fault scenario shares: the pool after the failure, the next calls, the rebuilt pool. */
function assertRecovers(report: FaultReport, expectedError: RegExp, failedWorkers: number): void {
  assert.match(report.error ?? 'no error', expectedError);
  const live = 2 - failedWorkers;
  assert.deepEqual(report.afterFailure, { threads: 3, liveWorkers: live, idleWorkers: live }, 'every helper stopped');
  assert.deepEqual(report.nextCall, { same: true, split: true }, 'the next call, on the remaining threads');
  assert.deepEqual(report.rebuilt, { threads: 3, liveWorkers: 2, idleWorkers: 2 }, 'the pool is whole again');
  assert.deepEqual(report.final, { same: true, split: true }, 'a call on the rebuilt pool');
}

test('a worker that throws mid-job fails the job clearly; the pool replaces it and later calls are exact', () => {
  const report = runScenario<FaultReport>('worker-throws');
  assertRecovers(report, /^poolkit: kernel '\w+' \(module 'pool'\) failed: worker thread 1 threw an error/, 1);
  assert.match(report.rebuiltError ?? 'no error', /worker thread 1 threw/, 'the replacement takes part in jobs');
});

test('a worker whose thread exits mid-job fails the job (no hang); it is replaced and later calls are exact', () => {
  const report = runScenario<FaultReport>('worker-exits');
  assertRecovers(report, /failed: worker thread 2 exited, so part of its output was not computed/, 1);
  assert.match(report.rebuiltError ?? 'no error', /worker thread 2 threw/, 'the replacement takes part in jobs');
});

test("when the main thread's share throws, the job waits for every helper before the error comes out", () => {
  const report = runScenario<FaultReport>('main-throws');
  assertRecovers(report, /^poolkit: test fault on the main thread$/, 0);
});

test('a thread count that is not an integer from 1 to MAX_THREADS is refused, naming count', async () => {
  assert.equal(MAX_THREADS, 64);
  const before = getThreadCount();
  for (const count of [0, -1, 1.5, NaN, Infinity, 1e9, MAX_THREADS + 1, '2', null, undefined]) {
    await assert.rejects(setThreadCount(count as number), (error: unknown) => {
      assert.ok(error instanceof PoolkitArgumentError, String(error));
      assert.equal(error.argument, 'count');
      assert.match(
        error.message,
        /^setThreadCount: count must be an integer from 1 to 64 \(the thread pool's slots\), got /,
      );
      return true;
    });
    assert.equal(isThreadCount(count), false);
  }
  assert.equal(getThreadCount(), before, 'a refused count changes nothing');
  assert.ok(isThreadCount(1) && isThreadCount(MAX_THREADS));
});
