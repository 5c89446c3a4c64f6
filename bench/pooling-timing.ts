// Timing helpers of the pooling benchmark: contenders timed together, in interleaved rounds, with
// the memory-copy ceiling as one more contender. The machine is shared and its speed drifts from
// one minute to the next; timing every contender of a row in the same rounds puts the same drift
// into each, so their ratios (and the share of the copy ceiling) stay comparable. Each timed run
// follows untimed runs of the same work (LEAD_MS), so it finds the machine as a run repeated back
// to back would: its input in L3 where it fits rather than the previous contender's dirty lines,
// and the worker threads' vCPUs awake (on this VM an idle vCPU takes about half a millisecond to
// wake: a 0.6 ms kernel timed right after the copy took 1.2 ms, after 5 ms of its own runs 0.67).

export interface Measurement {
  /** Median milliseconds per run. */
  readonly ms: number;
  readonly runs: number;
  /** Every timed run's milliseconds, in round order (for differences paired by round). */
  readonly times?: readonly number[];
}

/** One thing to time: a name and the work of one run. */
export interface Timed {
  readonly name: string;
  readonly run: () => Promise<void> | void;
}

/** Untimed running of a contender before each of its timed runs (at least one call). */
const LEAD_MS = 20;
/** A call slower than this is timed once, after one warm-up call. */
const SLOW_MS = 2000;
/** Per contender: runs until this much time is spent (at least 3 runs)... */
const BUDGET_MS = 3000;

interface Progress {
  readonly timed: Timed;
  readonly times: number[];
  spent: number;
  wanted: number;
}

/**
 * Warms each contender up (at least 3 calls and 300 ms, so WebAssembly has left V8's baseline
 * tier), then times them in rounds, each round one run (after LEAD_MS of untimed ones) of every
 * contender still short of samples, in alternating order. A contender stops at 9 runs (3 when quick), or
 * earlier once it has 3 and has spent 3 s of timed runs; one slower than 2 s is timed once, with no
 * untimed run before. Returns each contender's median.
 */
export async function measureTogether(contenders: readonly Timed[], quick: boolean): Promise<Map<string, Measurement>> {
  const progress: Progress[] = [];
  for (const timed of contenders) progress.push({ timed, times: [], spent: 0, wanted: await warmUp(timed, quick) });
  for (let round = 0; progress.some(needsMore); round++) {
    const order = round % 2 === 0 ? progress : [...progress].reverse();
    for (const entry of order) {
      if (!needsMore(entry)) continue;
      if (entry.wanted > 1) await runFor(entry.timed, LEAD_MS);
      const ms = await timeOnce(entry.timed.run);
      entry.times.push(ms);
      entry.spent += ms;
    }
  }
  return new Map(progress.map(({ timed, times }) => [timed.name, { ms: median(times), runs: times.length, times }]));
}

/** Warm-up calls; returns how many timed runs the contender should get. */
async function warmUp(timed: Timed, quick: boolean): Promise<number> {
  const first = await timeOnce(timed.run);
  if (first > SLOW_MS) return 1;
  let warm = first;
  for (let calls = 1; calls < 3 || warm < 300; calls++) warm += await timeOnce(timed.run);
  return quick ? 3 : 9;
}

async function runFor(timed: Timed, ms: number): Promise<void> {
  const end = performance.now() + ms;
  do await timed.run();
  while (performance.now() < end);
}

function needsMore({ times, spent, wanted }: Progress): boolean {
  return times.length < wanted && (times.length < 3 || spent < BUDGET_MS);
}

async function timeOnce(work: () => Promise<void> | void): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Median CPU milliseconds of `rounds` calls of `body`, each after one untimed call (on one thread
 * the process's CPU time is the kernel's): the kernel benchmarks' steadier measure on a shared machine.
 */
export function medianCpuMs(body: () => void, rounds = 15): number {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    body();
    const start = process.cpuUsage();
    body();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  return median(times);
}

/** Bytes the copy ceiling moves per run: 256 MiB read and 256 MiB written. */
export const COPY_BYTES = 2 * (256 << 20);

/** The copy ceiling as a contender: `Float32Array.prototype.set` of 256 MiB. */
export function copyCeilingContender(name: string): Timed {
  const source = new Float32Array(64 << 20);
  const target = new Float32Array(64 << 20);
  source.fill(1);
  target.fill(0);
  return { name, run: () => target.set(source) };
}

/** GB/s of the copy ceiling from its timing. */
export function copyRate(timing: Measurement): number {
  return COPY_BYTES / (timing.ms * 1e6);
}
