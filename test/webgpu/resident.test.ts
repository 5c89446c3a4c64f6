// Tensors on the GPU (Tensor.to('webgpu')): where they live, what reading them costs (counted in
// webGpuStatus().transfers), how the GPU kernels bind them in place, how other backends refuse
// them, and that dispose, tidy and closeWebGpu free or bring home their buffers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  closeWebGpu,
  initWebGpu,
  matmul,
  memoryStats,
  relu,
  setBackend,
  tensor,
  tidy,
  webGpuStatus,
  Tensor,
} from '../../src/index.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import type { Kernels } from '../../src/kernels/types.js';
import { skip } from './harness.js';

const transfers = () => webGpuStatus()!.transfers;
/** Uploads and read-backs `call` makes. */
function counted<Result>(call: () => Result): { result: Result; uploads: number; readBacks: number } {
  const before = transfers();
  const result = call();
  const after = transfers();
  return { result, uploads: after.uploads - before.uploads, readBacks: after.readBacks - before.readBacks };
}

test('to(webgpu) moves the values to a GPU buffer; copies read back, values brings them home', { skip }, () => {
  const before = memoryStats();
  const x = tensor([1, -2, 3.5, NaN, 5, 6], [2, 3]);
  const moved = counted(() => x.to('webgpu'));
  assert.equal(moved.result, x);
  assert.equal(moved.uploads, 1);
  assert.equal(x.home, 'webgpu');
  assert.equal(memoryStats().gpuBytesInUse - before.gpuBytesInUse, 24);
  assert.equal(memoryStats().bytesUndisposed, before.bytesUndisposed, 'the heap bytes were freed');
  const view = x.reshape([3, 2]);
  assert.equal(view.home, 'webgpu', 'a reshaped view shares the buffer');
  const copies = counted(() => [x.dataSync(), x.toArray(), x.toFloat32Array(), x.toString(), x.clone()] as const);
  assert.equal(copies.readBacks, 5);
  assert.deepEqual(Array.from(copies.result[0]), [1, -2, 3.5, NaN, 5, 6]);
  assert.deepEqual(copies.result[1], [
    [1, -2, 3.5],
    [NaN, 5, 6],
  ]);
  assert.equal(copies.result[4].home, 'heap');
  copies.result[4].dispose();
  assert.equal(x.home, 'webgpu', 'reading a copy leaves the values on the GPU');
  const live = counted(() => view.values);
  assert.equal(live.readBacks, 1);
  assert.deepEqual(Array.from(live.result), [1, -2, 3.5, NaN, 5, 6]);
  assert.equal(x.home, 'heap', 'values brought them home, for every view');
  assert.equal(counted(() => x.to('heap')).readBacks, 0);
  view.dispose();
  x.dispose();
  assert.deepEqual(
    [memoryStats().bytesUndisposed, memoryStats().gpuBytesUndisposed],
    [before.bytesUndisposed, before.gpuBytesUndisposed],
  );
});

test(
  'a transfer larger than 64 MiB gets staging of its own, let go after (a dataset does not pin it)',
  { skip },
  () => {
    const length = 17 << 20; // 68 MiB of float32
    const x = Tensor.allocate([length]);
    for (let index = 0; index < length; index += 4099) x.values[index] = index;
    x.to('webgpu');
    assert.ok(webGpuStatus()!.stagingBytes <= 64 << 20, `staging held: ${webGpuStatus()!.stagingBytes}`);
    const back = x.dataSync();
    assert.ok(webGpuStatus()!.stagingBytes <= 64 << 20, `staging held: ${webGpuStatus()!.stagingBytes}`);
    assert.equal(back[4099 * 1000], 4099 * 1000);
    assert.equal(back[length - 1], 0);
    x.dispose();
  },
);

test('dispose and tidy free GPU buffers; an empty tensor stays in the heap', { skip }, () => {
  const before = memoryStats().gpuBytesUndisposed;
  const kept = tidy(() => {
    tensor([1, 2, 3, 4], [4]).to('webgpu');
    return tensor([5, 6], [2]).to('webgpu');
  });
  assert.equal(memoryStats().gpuBytesUndisposed - before, 8, 'tidy freed what it did not return');
  kept.dispose();
  assert.equal(memoryStats().gpuBytesUndisposed, before);
  assert.equal(tensor([], [0, 3]).to('webgpu').home, 'heap');
});

test('the GPU kernels bind a resident tensor in place; other backends refuse it and name the move', { skip }, () => {
  const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = tensor([1, 0, -1, 2, 0.5, 3], [3, 2]);
  const expected = matmul(a, b).toArray();
  b.to('webgpu');
  setBackend('webgpu');
  let product: Tensor;
  try {
    const run = counted(() => matmul(a, b));
    product = run.result;
    assert.deepEqual([run.uploads, run.readBacks], [1, 0], 'a uploaded, b bound in place, the product left beside b');
  } finally {
    setBackend('reference');
  }
  assert.equal(product.home, 'webgpu');
  assert.deepEqual(product.toArray(), expected);
  assert.throws(
    () => matmul(a, b),
    /lives on the GPU, and the active backend 'reference' cannot read it: move it with tensor\.to\('heap'\)/,
  );
  setBackend('webgpu');
  let standIn: Float32Array;
  try {
    standIn = b.kernelValues;
  } finally {
    setBackend('reference');
  }
  // A CPU kernel handed the stand-in throws rather than reading zeros.
  const reference = referenceBackend.kernels as Kernels;
  const options = { m: 2, k: 3, n: 2, transposeA: false, transposeB: false, accumulate: false };
  assert.throws(() => reference.matmul(a.values, standIn, new Float32Array(4), options), /lives on the GPU/);
  assert.equal(b.home, 'webgpu');
  for (const tensorMade of [a, b, product]) tensorMade.dispose();
});

test('an op on webgpu puts its output beside a resident input; on another backend in the heap', { skip }, () => {
  const x = tensor([-1, 2, -3, 4], [2, 2]).to('webgpu');
  setBackend('webgpu');
  let output: Tensor;
  try {
    const run = counted(() => relu(x));
    output = run.result;
    assert.deepEqual([run.uploads, run.readBacks], [0, 0]);
  } finally {
    setBackend('reference');
  }
  assert.equal(output.home, 'webgpu');
  assert.deepEqual(output.toArray(), [
    [0, 2],
    [0, 4],
  ]);
  assert.equal(Tensor.allocate([2], 'float32', [x]).home, 'heap', 'the reference backend allocates in the heap');
  output.dispose();
  x.dispose();
});

test('closeWebGpu brings every resident tensor home first', { skip }, async () => {
  const x = tensor([7, 8, 9], [3]).to('webgpu');
  await closeWebGpu();
  assert.equal(x.home, 'heap');
  assert.deepEqual(Array.from(x.values), [7, 8, 9]);
  assert.equal(memoryStats().gpuBytesInUse, 0);
  assert.throws(() => x.to('webgpu'), /the webgpu backend is not started/);
  await initWebGpu({ activate: false });
  x.dispose();
});
