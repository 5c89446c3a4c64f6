// GPU jobs whose arrays all live on the GPU are queued, not waited for (bridge.ts): the device
// worker runs every message in order, so a read after them sees their results, and a queued job's
// failure is thrown by the next call that waits, naming the job.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matmul, relu, setBackend, tensor, tidy, webGpuStatus, type Tensor } from '../../src/index.js';
import { deviceStore, residentBufferOf } from '../../src/tensor/device.js';
import { skip } from './harness.js';

/** relu(a·b), then 20 rounds of relu(x·m): on resident tensors when `onGpu`. */
function chain(onGpu: boolean): number[][] {
  return tidy(() => {
    const place = (x: Tensor) => (onGpu ? x.to('webgpu') : x);
    const m = place(tensor([1, -1, 0.5, 2], [2, 2]));
    let x = relu(
      matmul(place(tensor([1, -2, 3, -4, 5, -6], [2, 3])), place(tensor([0.5, -1, 2, 0.25, -3, 1], [3, 2]))),
    );
    for (let step = 0; step < 20; step++) x = relu(matmul(x, m));
    assert.equal(x.home, onGpu ? 'webgpu' : 'heap');
    return x.toArray() as number[][];
  });
}

test('a chain of ops on resident tensors is queued, and a read after it sees every result', { skip }, () => {
  setBackend('wasm');
  const expected = chain(false);
  setBackend('webgpu');
  const before = webGpuStatus()!;
  const result = chain(true);
  const after = webGpuStatus()!;
  setBackend('wasm');
  assert.equal(after.queuedJobs - before.queuedJobs, 42, 'every product and relu was queued');
  assert.equal(after.transfers.readBacks - before.transfers.readBacks, 1, 'only the final read waited');
  assert.deepEqual(result, expected);
  assert.ok(
    expected[0]!.some((value) => value > 0),
    'the chain keeps some positive values',
  );
});

test("a queued job's failure is thrown by the next call that waits, naming the job", { skip }, () => {
  setBackend('webgpu');
  const a = tensor([1, -2, 3, -4], [2, 2]).to('webgpu');
  deviceStore()!.free(residentBufferOf(a.kernelValues)!); // the buffer goes out from under the tensor
  const queued = webGpuStatus()!.queuedJobs;
  const y = relu(a); // queued: its failure cannot be thrown here
  assert.equal(webGpuStatus()!.queuedJobs, queued + 1);
  assert.throws(
    () => tensor([7], [1]).to('webgpu'),
    /a queued GPU job \('relu[^']*'\) failed: .*no resident GPU buffer/,
  );
  const next = tensor([7, 8], [2]).to('webgpu'); // reported once: the device goes on
  assert.deepEqual(Array.from(next.dataSync()), [7, 8]);
  for (const t of [a, y, next]) t.dispose();
  setBackend('wasm');
});
