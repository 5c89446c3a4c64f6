// Shared pieces of the webgpu kernel tests: starting the device (or the reason to skip), the GPU
// kernels, proof that a call ran on the GPU rather than the reference fallback, and comparisons
// within a stated bound in units of float32's last place.
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { closeWebGpu, initWebGpu, webGpuStatus } from '../../src/index.js';
import { webGpuBackend } from '../../src/kernels/webgpu/index.js';
import type { GpuKernels } from '../../src/kernels/webgpu/gpu-kernels.js';

/** Why the tests are skipped (no adapter: no GPU, or no SwiftShader; see docs/webgpu.md), or false. */
export const skip: string | false = await initWebGpu({ activate: false }).then(
  () => false,
  (error: unknown) => `no WebGPU adapter here (${error instanceof Error ? error.message : String(error)})`,
);
if (skip !== false) console.info(`test/webgpu: skipped: ${skip}`);
after(() => closeWebGpu());

export function gpu(): GpuKernels {
  assert.ok(webGpuBackend !== null, 'the webgpu backend did not start');
  return webGpuBackend.kernels as GpuKernels;
}

/** Runs `call` and asserts that it ran kernel `name` on the GPU `times` times, never on the fallback. */
export function onGpu<Result>(name: keyof GpuKernels, times: number, call: () => Result): Result {
  const before = webGpuStatus()!;
  const result = call();
  const now = webGpuStatus()!;
  assert.equal((now.gpuCalls[name] ?? 0) - (before.gpuCalls[name] ?? 0), times, `${name} ran on the GPU`);
  assert.equal(now.fallbackCalls[name] ?? 0, before.fallbackCalls[name] ?? 0, `${name} did not fall back`);
  return result;
}

/** float32's unit in the last place at |value| (subnormal spacing below 2^-126). */
export function ulp(value: number): number {
  const magnitude = Math.abs(value);
  if (magnitude < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(magnitude)) - 23);
}

/**
 * actual[i] within bound[i] of expected[i]; where expected is NaN or infinite, actual must be the
 * same (NaN for NaN), and a finite expected value needs a finite actual one.
 */
export function assertWithin(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  bound: (index: number) => number,
  label: string,
): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let index = 0; index < actual.length; index++) {
    const got = actual[index]!;
    const want = expected[index]!;
    if (Number.isNaN(want) || !Number.isFinite(want)) {
      if (!(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)))) {
        assert.fail(`${label}[${index}]: webgpu ${got} != reference ${want}`);
      }
    } else if (!(Math.abs(got - want) <= bound(index))) {
      assert.fail(
        `${label}[${index}]: webgpu ${got} vs reference ${want}: off by ${got - want}, bound ${bound(index)}`,
      );
    }
  }
}
