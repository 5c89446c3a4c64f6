// The heap's accounting: requests it cannot meet leave it as it was, statistics stay exact, and
// bytesUndisposed does not move when the garbage collector reclaims a tensor nobody disposed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { memoryStats, PoolkitArgumentError, tensor, zeros } from '../../src/index.js';
import { Heap, MAX_ALLOCATION_BYTES, RESERVED_BYTES } from '../../src/tensor/heap.js';

test('the heap refuses sizes that are not safe integers, or too large, and stays usable', () => {
  const heap = new Heap(1);
  const first = heap.alloc(100);
  const before = heap.stats();
  for (const bytes of [Infinity, NaN, -1, 1.5, 2 ** 53, 1e300, MAX_ALLOCATION_BYTES + 1]) {
    assert.throws(() => heap.alloc(bytes), RangeError, `alloc(${bytes})`);
    assert.deepEqual(heap.stats(), before, `alloc(${bytes}) changed the statistics`);
  }
  const second = heap.alloc(100);
  assert.equal(second, first + 128, 'the bump pointer stayed where it was');
  assert.ok(Number.isInteger(second) && second >= RESERVED_BYTES);
});

test('an allocation past the 4 GiB the memory can grow to fails without counting its bytes', () => {
  const heap = new Heap(1);
  heap.alloc(100);
  const before = heap.stats();
  // Within the largest single allocation, but the bump pointer already stands past the reserve.
  assert.throws(() => heap.alloc(MAX_ALLOCATION_BYTES - 64), /out of memory/);
  assert.deepEqual(heap.stats(), before);
  assert.equal(heap.alloc(64), RESERVED_BYTES + 128);
});

test('zeros([1e5, 1e5]) is refused before any allocation, and the statistics stay exact', () => {
  const before = memoryStats();
  assert.throws(() => zeros([1e5, 1e5]), /zeros: shape must describe at most/);
  assert.deepEqual(memoryStats(), before);
  const after = tensor([1, 2, 3]);
  assert.deepEqual(Array.from(after.values), [1, 2, 3]);
  after.dispose();
});

test('shapes too large for the heap are argument errors naming shape', () => {
  for (const shape of [
    [1e200, 1e200],
    [2 ** 31, 1],
    [2 ** 20, 2 ** 20],
  ]) {
    assert.throws(
      () => zeros(shape),
      (error: unknown) => error instanceof PoolkitArgumentError && error.argument === 'shape',
      `zeros([${shape}])`,
    );
  }
  assert.equal(Number.isNaN(memoryStats().bytesInUse), false);
});

test('a large block split or handed out whole is counted by its size class only', () => {
  const heap = new Heap(1);
  const big = heap.alloc(5 << 20);
  heap.alloc(64); // keeps the freed block from merging into the top
  heap.free(big, 5 << 20);
  const inUse = heap.stats().bytesInUse;
  const taken = heap.alloc(4.5 * (1 << 20)); // leaves a tail under 1 MiB: handed out whole
  assert.equal(taken, big);
  assert.equal(heap.stats().bytesInUse, inUse + Heap.sizeClass(4.5 * (1 << 20)));
  heap.free(taken, 4.5 * (1 << 20));
  assert.equal(heap.stats().bytesInUse, inUse);
  assert.equal(heap.alloc(5 << 20), big, 'the whole block, tail included, came back');
});

test('bytes the collector reclaims leave bytesInUse and move to bytesCollected', () => {
  const heap = new Heap(1);
  const offset = heap.alloc(1000);
  heap.free(offset, 1000, true);
  assert.deepEqual(
    { ...heap.stats(), heapBytes: 0 },
    { bytesInUse: 0, bytesCollected: 1024, bytesUndisposed: 1024, heapBytes: 0, shared: heap.shared },
  );
});

test('bytesUndisposed stays put while the garbage collector reclaims dropped tensors', () => {
  const script = `
    import { memoryStats, zeros } from './src/index.js';
    const before = memoryStats();
    (() => { for (let index = 0; index < 8; index++) zeros([1000]); })();
    const made = memoryStats();
    let rounds = 0;
    while (memoryStats().bytesCollected === before.bytesCollected && rounds < 200) {
      globalThis.gc();
      await new Promise((resolve) => setTimeout(resolve, 1));
      rounds++;
    }
    console.log(JSON.stringify({ before, made, after: memoryStats() }));
  `;
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  const { before, made, after } = JSON.parse(run.stdout) as Record<string, ReturnType<typeof memoryStats>>;
  assert.equal(made!.bytesInUse - before!.bytesInUse, 8 * 4032);
  assert.ok(after!.bytesCollected > before!.bytesCollected, 'the collector reclaimed the dropped tensors');
  assert.ok(after!.bytesInUse < made!.bytesInUse);
  assert.equal(after!.bytesUndisposed, made!.bytesUndisposed);
});
