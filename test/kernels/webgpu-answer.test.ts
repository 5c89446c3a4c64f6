// The handshake between the WebGPU bridge and its device worker (protocol.ts), with a plain worker
// thread standing in for the device: the main thread must return only once the worker has answered
// the message it waits for, even when a late wake from an earlier answer arrives first (the cause of
// the webgpu backend's wrong numbers at random under load: a worker preempted between storing one
// answer and its notify woke the main thread during the next job).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import {
  answerFailed,
  CONTROL_BYTES,
  failureMessage,
  signal,
  Status,
  waitForAnswer,
} from '../../src/kernels/webgpu/protocol.js';

const protocolUrl = new URL('../../src/kernels/webgpu/protocol.ts', import.meta.url).href;

/**
 * A worker that, on each message { sequence, stale, delayMs }, re-answers the earlier number `stale`
 * 20 ms in (a late wake), and after `delayMs` writes `sequence` into word 0 of `results` (the "job
 * output"), and answers `sequence` (failed when `fail` is set).
 */
function startDevice(control: Int32Array, results: Int32Array): Worker {
  const body = `
    const { workerData, parentPort } = await import('node:worker_threads');
    const { signal, Status } = await import(${JSON.stringify(protocolUrl)});
    const control = new Int32Array(workerData.control);
    const results = new Int32Array(workerData.results);
    parentPort.on('message', ({ sequence, stale, delayMs, fail }) => {
      // 20 ms in, the main thread is surely waiting when the stale wake comes.
      if (stale !== undefined) setTimeout(() => signal(control, stale, Status.done), 20);
      setTimeout(() => {
        Atomics.store(results, 0, sequence);
        if (fail) signal(control, sequence, Status.failed, 'job ' + sequence + ' failed');
        else signal(control, sequence, Status.done);
      }, delayMs);
    });`;
  const source = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import('data:text/javascript,' + encodeURIComponent(${JSON.stringify(body)})); });`;
  return new Worker(source, { eval: true, workerData: { control: control.buffer, results: results.buffer } });
}

describe('webgpu bridge handshake (waitForAnswer)', () => {
  test('returns only after the awaited answer, past late wakes from earlier answers', async () => {
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
    const results = new Int32Array(new SharedArrayBuffer(4));
    const worker = startDevice(control, results);
    try {
      worker.postMessage({ sequence: 1, delayMs: 0 });
      assert.equal(waitForAnswer(control, 1, 30_000), true);
      assert.equal(Atomics.load(results, 0), 1);
      for (let sequence = 2; sequence <= 6; sequence++) {
        // The stale answer (sequence - 1) wakes the main thread 130 ms before this job's output exists.
        worker.postMessage({ sequence, stale: sequence - 1, delayMs: 150 });
        assert.equal(waitForAnswer(control, sequence, 30_000), true);
        assert.equal(Atomics.load(results, 0), sequence, `job ${sequence}'s output was read before it was written`);
        assert.equal(answerFailed(control), false);
      }
    } finally {
      await worker.terminate();
    }
  });

  test('reports a failure with its message, and a timeout as false', async () => {
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
    const results = new Int32Array(new SharedArrayBuffer(4));
    const worker = startDevice(control, results);
    try {
      worker.postMessage({ sequence: 7, delayMs: 0, fail: true });
      assert.equal(waitForAnswer(control, 7, 30_000), true);
      assert.equal(answerFailed(control), true);
      assert.equal(failureMessage(control), 'job 7 failed');
      assert.equal(waitForAnswer(control, 8, 50), false); // never posted: no answer comes
      signal(control, 8, Status.done); // the main thread may answer itself too: the words are plain shared memory
      assert.equal(waitForAnswer(control, 8, 50), true);
    } finally {
      await worker.terminate();
    }
  });
});
