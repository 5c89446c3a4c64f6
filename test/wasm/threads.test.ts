// The thread pool: kernels split among the main thread and a worker give the reference's numbers,
// every unit is covered once, small work stays on one thread, and thread counts can change.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { poolGeometry } from '../../src/geometry/pool-geometry.js';
import { setThreadCount, threadsReady } from '../../src/kernels/wasm/index.js';
import { getThreadCount, setParallelThreshold, splitCallCount } from '../../src/kernels/wasm/threads.js';
import { describeCores, probeCores } from '../../bench/cores.js';
import { tidy } from '../../src/tensor/scope.js';
import { adaptiveCases, assertSame, check, filled, poisoned, poolCases, reference, wasm } from './harness.js';

before(async () => {
  await setThreadCount(2);
  await threadsReady();
  setParallelThreshold(0); // split even the small random cases
});

after(async () => {
  setParallelThreshold();
  await setThreadCount(1);
});

test('with 2 threads, max/avg/Lp forward and backward match the reference exactly', () => {
  const splitsBefore = splitCallCount();
  check(
    poolCases({ maxChannels: 9 }),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const expected = poisoned(geometry.outputShape);
        const expectedIndices = poisoned(geometry.outputShape, 'int32');
        reference.maxPoolForward(input.values, expected.values, expectedIndices.intValues, geometry);
        const actual = poisoned(geometry.outputShape);
        const indices = poisoned(geometry.outputShape, 'int32');
        wasm().maxPoolForward(input.values, actual.values, indices.intValues, geometry);
        assertSame(actual.values, expected.values, 'max');
        assertSame(indices.intValues, expectedIndices.intValues, 'argmax');
        const divisor = { countIncludePad: seed % 2 === 0, divisorOverride: null };
        reference.avgPoolForward(input.values, expected.values, geometry, divisor);
        wasm().avgPoolForward(input.values, actual.values, geometry, divisor);
        assertSame(actual.values, expected.values, 'avg');
        const positive = filled(geometry.inputShape, 'plain', seed);
        reference.lpPoolForward(positive.values, expected.values, geometry, 2);
        wasm().lpPoolForward(positive.values, actual.values, geometry, 2);
        assertSame(actual.values, expected.values, 'lp');
        const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
        const expectedGrad = poisoned(geometry.inputShape);
        const actualGrad = poisoned(geometry.inputShape);
        reference.avgPoolBackward(gradOutput.values, expectedGrad.values, geometry, divisor);
        wasm().avgPoolBackward(gradOutput.values, actualGrad.values, geometry, divisor);
        assertSame(actualGrad.values, expectedGrad.values, 'avg backward');
        reference.lpPoolBackward(positive.values, expected.values, gradOutput.values, expectedGrad.values, geometry, 2);
        wasm().lpPoolBackward(positive.values, expected.values, gradOutput.values, actualGrad.values, geometry, 2);
        assertSame(actualGrad.values, expectedGrad.values, 'lp backward');
        expectedGrad.values.fill(0);
        actualGrad.values.fill(0);
        const planes = { channelsLast: geometry.channelsLast, batch: geometry.batch, channels: geometry.channels };
        const sizes = {
          largeSpatial: input.size / geometry.batch / geometry.channels,
          smallSpatial: expected.size / geometry.batch / geometry.channels,
        };
        reference.argmaxScatterAdd(gradOutput.values, indices.intValues, expectedGrad.values, { ...planes, ...sizes });
        wasm().argmaxScatterAdd(gradOutput.values, indices.intValues, actualGrad.values, { ...planes, ...sizes });
        assertSame(actualGrad.values, expectedGrad.values, 'scatter-add');
      }),
    120,
  );
  assert.ok(splitCallCount() - splitsBefore > 100, 'the kernels were split among threads');
});

test('maxPoolBackward and avgPoolBackward on 1, 2 and 3 threads match the reference exactly', async () => {
  for (const threads of [1, 2, 3]) {
    await setThreadCount(threads);
    await threadsReady();
    const splitsBefore = splitCallCount();
    check(
      poolCases({ maxChannels: 9 }),
      ({ geometry, values, seed }) =>
        tidy(() => {
          const input = filled(geometry.inputShape, values, seed);
          const argmax = poisoned(geometry.outputShape, 'int32');
          reference.maxPoolForward(input.values, poisoned(geometry.outputShape).values, argmax.intValues, geometry);
          const gradOutput = filled(geometry.outputShape, values, seed + 1);
          const expected = poisoned(geometry.inputShape);
          const actual = poisoned(geometry.inputShape);
          reference.maxPoolBackward(gradOutput.values, argmax.intValues, expected.values, geometry);
          wasm().maxPoolBackward(gradOutput.values, argmax.intValues, actual.values, geometry);
          assertSame(actual.values, expected.values, `max backward, ${threads} threads`);
          // Each thread's call takes its own scratch slot for cached quotient rows.
          const divisor = { countIncludePad: seed % 2 === 0, divisorOverride: null };
          reference.avgPoolBackward(gradOutput.values, expected.values, geometry, divisor);
          wasm().avgPoolBackward(gradOutput.values, actual.values, geometry, divisor);
          assertSame(actual.values, expected.values, `avg backward, ${threads} threads`);
        }),
      60,
    );
    assert.equal(splitCallCount() - splitsBefore > 30, threads > 1, `${threads} threads split the work`);
  }
  await setThreadCount(2);
  await threadsReady();
});

test('with 2 threads, adaptive pooling matches the reference exactly', () => {
  check(
    adaptiveCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const expected = poisoned(geometry.outputShape);
        const actual = poisoned(geometry.outputShape);
        reference.adaptiveAvgPoolForward(input.values, expected.values, geometry);
        wasm().adaptiveAvgPoolForward(input.values, actual.values, geometry);
        assertSame(actual.values, expected.values, 'adaptive avg');
        const expectedGrad = poisoned(geometry.inputShape);
        const actualGrad = poisoned(geometry.inputShape);
        reference.adaptiveAvgPoolBackward(expected.values, expectedGrad.values, geometry);
        wasm().adaptiveAvgPoolBackward(expected.values, actualGrad.values, geometry);
        assertSame(actualGrad.values, expectedGrad.values, 'adaptive avg backward');
      }),
    80,
  );
});

test('a large NHWC max pool (the benchmark shape, smaller batch) splits and matches', () => {
  setParallelThreshold();
  tidy(() => {
    const geometry = poolGeometry('test', [2, 112, 112, 64], 2, { kernelSize: 3, stride: 2, padding: 'same' });
    const input = filled(geometry.inputShape, 'plain', 77);
    const expected = poisoned(geometry.outputShape);
    const actual = poisoned(geometry.outputShape);
    reference.maxPoolForward(input.values, expected.values, null, geometry);
    const splitsBefore = splitCallCount();
    wasm().maxPoolForward(input.values, actual.values, null, geometry);
    assert.equal(splitCallCount(), splitsBefore + 1);
    assertSame(actual.values, expected.values, 'max 3x3/2');
  });
  setParallelThreshold(0);
});

test('small work stays on the main thread under the default threshold', () => {
  setParallelThreshold();
  tidy(() => {
    const geometry = poolGeometry('test', [1, 8, 8, 4], 2, { kernelSize: 2 });
    const input = filled(geometry.inputShape, 'plain', 1);
    const output = poisoned(geometry.outputShape);
    const splitsBefore = splitCallCount();
    wasm().maxPoolForward(input.values, output.values, null, geometry);
    assert.equal(splitCallCount(), splitsBefore);
  });
  setParallelThreshold(0);
});

test('thread counts change both ways; 1 thread never splits', async () => {
  await setThreadCount(1);
  assert.equal(getThreadCount(), 1);
  tidy(() => {
    const geometry = poolGeometry('test', [4, 6, 6, 8], 2, { kernelSize: 2 });
    const input = filled(geometry.inputShape, 'plain', 2);
    const output = poisoned(geometry.outputShape);
    const splitsBefore = splitCallCount();
    wasm().avgPoolForward(input.values, output.values, geometry, { countIncludePad: false, divisorOverride: null });
    assert.equal(splitCallCount(), splitsBefore);
  });
  await setThreadCount(3);
  await threadsReady();
  assert.equal(getThreadCount(), 3);
  tidy(() => {
    const geometry = poolGeometry('test', [3, 7, 7, 5], 2, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true });
    const input = filled(geometry.inputShape, 'special', 3);
    const expected = poisoned(geometry.outputShape);
    const actual = poisoned(geometry.outputShape);
    reference.maxPoolForward(input.values, expected.values, null, geometry);
    wasm().maxPoolForward(input.values, actual.values, null, geometry);
    assertSame(actual.values, expected.values, 'max with 3 threads');
  });
  await setThreadCount(2);
});

test("the benchmarks' core probe runs its multiply-add loop on one thread and on all, and rates both", async () => {
  const probe = await probeCores(2, 4);
  assert.ok(probe !== null);
  assert.equal(probe.threads, getThreadCount());
  assert.ok(probe.oneThread > 0 && Number.isFinite(probe.oneThread), `one thread: ${probe.oneThread} GFLOP/s`);
  assert.ok(probe.allThreads > 0 && Number.isFinite(probe.allThreads), `all threads: ${probe.allThreads} GFLOP/s`);
  const [low, high] = probe.scaling;
  // Only sanity: the rates themselves are timings, which belong to the benchmarks (other tests run alongside).
  assert.ok(low > 0 && low <= high && Number.isFinite(high), `scaling ${low} to ${high}`);
  assert.match(describeCores(probe), /^cores delivered \(multiply-add probe\): 2 threads ran \d+\.\d\d to \d+\.\d\dx/);
});
