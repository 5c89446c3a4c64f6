// An epoch's metric sums in fit: numbers added on the CPU, or, for a metric counted on the GPU
// (sparse accuracy of resident predictions: ResolvedMetric.deviceSum), the running count kept there
// and read back only when a log entry is read or the epoch ends, so that a step's one read-back
// stays its loss.
import type { Tensor } from '../tensor/tensor.js';
import { metricKey, type ResolvedMetric } from './metrics.js';

/** A metric's sum over one batch: a number, or int32 [batch sum, running sum] on the GPU. */
export type BatchSum = number | Tensor;

export class MetricTally {
  private readonly sums: number[];
  /** Per metric, the newest counts on the GPU (the next batch's `previous`). */
  private readonly newest: (Tensor | null)[];
  /** Every batch's counts of this epoch, freed by end(). */
  private readonly held: Tensor[] = [];

  constructor(private readonly metrics: readonly ResolvedMetric[]) {
    this.sums = metrics.map(() => 0);
    this.newest = metrics.map(() => null);
  }

  /** What the next batch's GPU counts continue from. */
  get previous(): readonly (Tensor | null)[] {
    return this.newest;
  }

  /**
   * Adds one batch of `size` rows; returns its log entries (each metric's running mean over `seen`
   * rows and `batch`-prefixed own mean). Entries counted on the GPU are read when first read.
   */
  add(batchSums: readonly BatchSum[], size: number, seen: number): Record<string, number> {
    const logs: Record<string, number> = {};
    this.metrics.forEach((metric, index) => {
      const sum = batchSums[index]!;
      const [runningKey, ownKey] = [metricKey(metric), metricKey(metric, 'batch')];
      if (typeof sum === 'number') {
        this.sums[index]! += sum;
        [logs[runningKey], logs[ownKey]] = [this.sums[index]! / seen, sum / size];
        return;
      }
      this.held.push(sum);
      this.newest[index] = sum;
      let read: Int32Array | null = null;
      const counts = () => (read ??= readCounts(sum, metric.name));
      const onCpu = this.sums[index]!; // batches summed on the CPU, if any
      Object.defineProperty(logs, runningKey, { enumerable: true, get: () => (counts()[1]! + onCpu) / seen });
      Object.defineProperty(logs, ownKey, { enumerable: true, get: () => counts()[0]! / size });
    });
    return logs;
  }

  /** Each metric's sum over the epoch: one read-back per metric counted on the GPU. */
  totals(): number[] {
    return this.metrics.map((metric, index) => {
      const newest = this.newest[index];
      const onGpu = newest === null || newest === undefined ? 0 : readCounts(newest, metric.name)[1]!;
      return onGpu + this.sums[index]!;
    });
  }

  /** Frees the epoch's counts on the GPU (a batch log read after this throws and says so). */
  release(): void {
    for (const counts of this.held) counts.dispose();
    this.held.length = 0;
  }
}

function readCounts(counts: Tensor, metric: string): Int32Array {
  if (counts.isDisposed)
    throw new Error(`poolkit: fit's batch log '${metric}' was read after its epoch ended (read it in onBatchEnd)`);
  return counts.dataSync() as Int32Array;
}
