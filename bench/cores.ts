// How much arithmetic the machine's cores deliver right now: a multiply-add loop with no memory
// traffic (assembly/train/probe.ts) on one thread, then on every thread of the pool. On the shared
// 2-core VM this project is measured on, two threads gave 1.1 to 2.0 times one thread's rate from one
// second to the next (the host sometimes runs both vCPUs on one core's arithmetic units), so the
// benchmarks print this next to their figures: a compute-bound kernel cannot scale past it.
import { getThreadCount, parallelFor, threadsReady } from '../src/kernels/wasm/threads.js';
import { trainKernelModule } from '../src/kernels/wasm/train-kernels.js';
import { placeScratch } from '../src/kernels/wasm/train-arguments.js';

/** Must equal PROBE_STEPS in assembly/train/probe.ts. */
const PROBE_STEPS = 1 << 19;
const FLOPS_PER_UNIT = PROBE_STEPS * 10 * 4 * 2;

export interface CoreProbe {
  /** GFLOP/s of the loop on one thread (median of the rounds). */
  readonly oneThread: number;
  /** GFLOP/s on all threads (median of the rounds). */
  readonly allThreads: number;
  /** allThreads / oneThread per round, lowest and highest. */
  readonly scaling: readonly [number, number];
  readonly threads: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Runs `rounds` alternating pairs (one thread, all threads) of `units` units each; null without the wasm kernels. */
export async function probeCores(rounds = 5, units = 8): Promise<CoreProbe | null> {
  const train = trainKernelModule;
  if (train === null) return null;
  await threadsReady();
  const threads = getThreadCount();
  placeScratch(train, { packedBBytes: 0, partialBytes: 0, slotBytes: 0, slots: threads });
  const rate = (run: () => void): number => {
    const started = performance.now();
    run();
    return (units * FLOPS_PER_UNIT) / (performance.now() - started) / 1e6;
  };
  const one: number[] = [];
  const all: number[] = [];
  train.exports.fmaProbe!(train.argumentBlock, 0, 1); // out of the baseline tier
  for (let round = 0; round < rounds; round++) {
    one.push(rate(() => train.exports.fmaProbe!(train.argumentBlock, 0, units)));
    all.push(rate(() => parallelFor(train, 'fmaProbe', units, Number.MAX_SAFE_INTEGER)));
  }
  const ratios = all.map((value, index) => value / one[index]!);
  return {
    oneThread: median(one),
    allThreads: median(all),
    scaling: [Math.min(...ratios), Math.max(...ratios)],
    threads,
  };
}

/** One line for a benchmark's header. */
export function describeCores(probe: CoreProbe | null): string {
  if (probe === null) return 'cores delivered: not measured (no WebAssembly SIMD)';
  const [low, high] = probe.scaling;
  return (
    `cores delivered (multiply-add probe): ${probe.threads} threads ran ${low.toFixed(2)} to ${high.toFixed(2)}x ` +
    `one thread's rate (${probe.oneThread.toFixed(1)} GFLOP/s on one, ${probe.allThreads.toFixed(1)} on ${probe.threads}, medians)`
  );
}
