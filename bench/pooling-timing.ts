// Timing helpers of the benchmarks: warm-up past V8's baseline tier, medians, the copy ceiling.

export interface Measurement {
  /** Median milliseconds per run. */
  readonly ms: number;
  readonly runs: number;
}

/**
 * Runs `work` until warm (at least 3 calls and 300 ms, so WebAssembly has left V8's baseline tier),
 * then times it: the median of up to 9 runs (3 when quick) within about 3 s. A call slower than
 * 2 s is timed once after one warm-up call.
 */
export async function measure(work: () => Promise<void> | void, quick: boolean): Promise<Measurement> {
  const first = await timeOnce(work);
  if (first > 2000) return { ms: await timeOnce(work), runs: 1 };
  let warm = first;
  for (let calls = 1; calls < 3 || warm < 300; calls++) warm += await timeOnce(work);
  const wanted = quick ? 3 : 9;
  const times: number[] = [];
  let spent = 0;
  while (times.length < wanted && (times.length < 3 || spent < 3000)) {
    const ms = await timeOnce(work);
    times.push(ms);
    spent += ms;
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, runs: times.length };
}

async function timeOnce(work: () => Promise<void> | void): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** GB/s of Float32Array.prototype.set over 256 MiB (read + write counted): the best of `runs`. */
export function copyCeiling(runs: number): number {
  const source = new Float32Array(64 << 20);
  const target = new Float32Array(64 << 20);
  source.fill(1);
  target.fill(0);
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    target.set(source);
    best = Math.min(best, performance.now() - started);
  }
  return (2 * source.byteLength) / (best * 1e6);
}
