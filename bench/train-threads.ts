// The seed CNN's training step per thread count, poolkit against PyTorch in the same run: for each
// count, poolkit's step is timed on `batches` batches, then (where python3 has torch) the same recipe
// in PyTorch (bench/accuracy-torch.py --time, channels_last) on as many threads; both projected to
// an epoch, and the ratio printed. Used by `npm run bench:train -- --threads 1,2,4,8,16`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { datasetTensors, setThreadCount, slice, threadsReady, type Tensor } from '../src/index.js';
import { loadMnist } from '../src/io/node.js';
import { buildSeedModel } from '../cli/training/seed-model.js';

const BATCH = 128;
const BATCHES_PER_EPOCH = Math.ceil(60000 / BATCH);
const TORCH_SCRIPT = fileURLToPath(new URL('../../bench/accuracy-torch.py', import.meta.url));

export interface ThreadRow {
  readonly threads: number;
  readonly poolkitEpoch: number;
  /** null where no python3 with torch was found. */
  readonly torchEpoch: number | null;
}

/** The first of /usr/bin/python3 and python3 that imports torch, with its version; null if none. */
export function findTorchPython(): { python: string; version: string } | null {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return null;
}

/** Seconds per batch of poolkit's seed-model step on `threads` threads, after 3 warm-up batches. */
async function poolkitSecondsPerBatch(threads: number, x: Tensor, y: Tensor, batches: number): Promise<number> {
  await setThreadCount(threads);
  await threadsReady();
  const model = buildSeedModel({ pooling: 'max', seed: 1, learningRate: 0.001 });
  const warm = { x: slice(x, [0, 0, 0, 0], [3 * BATCH, 28, 28, 1]), y: slice(y, [0], [3 * BATCH]) };
  await model.fit(warm.x, warm.y, { epochs: 1, batchSize: BATCH, seed: 1 }); // kernels and buffers set up once
  warm.x.dispose();
  warm.y.dispose();
  const started = performance.now();
  await model.fit(x, y, { epochs: 1, batchSize: BATCH, seed: 1 });
  return (performance.now() - started) / 1000 / batches;
}

function torchSecondsPerBatch(python: string, threads: number, batches: number): number {
  const args = [TORCH_SCRIPT, '--time', String(batches), '--threads', String(threads), '--channels-last'];
  const run = spawnSync(python, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${python} ${args.join(' ')} failed: ${run.stderr.slice(-500)}`);
  return (JSON.parse(run.stdout.trim().split('\n').pop()!) as { secondsPerBatch: number }).secondsPerBatch;
}

/** Times every thread count in turn (poolkit, then PyTorch) and returns one row per count. */
export async function timeThreadCounts(counts: readonly number[], batches: number): Promise<ThreadRow[]> {
  const torch = findTorchPython();
  const train = await loadMnist('train', { limit: batches * BATCH });
  const { x, y } = datasetTensors(train);
  const rows: ThreadRow[] = [];
  for (const threads of counts) {
    const poolkit = await poolkitSecondsPerBatch(threads, x, y, batches);
    const torchSeconds = torch === null ? null : torchSecondsPerBatch(torch.python, threads, batches);
    rows.push({
      threads,
      poolkitEpoch: poolkit * BATCHES_PER_EPOCH,
      torchEpoch: torchSeconds === null ? null : torchSeconds * BATCHES_PER_EPOCH,
    });
  }
  x.dispose();
  y.dispose();
  return rows;
}

/** The table: threads, both epochs (projected from `batches` batches) and PyTorch's time over poolkit's. */
export function threadTable(rows: readonly ThreadRow[], batches: number): string {
  const torch = findTorchPython();
  const torchLabel = torch === null ? 'PyTorch (no python3 with torch found)' : `PyTorch ${torch.version} s/epoch`;
  const lines = [
    `  seed CNN step per thread count, ${batches} batches each projected to ${BATCHES_PER_EPOCH}; PyTorch channels_last`,
    `  ${'threads'.padStart(7)}  ${'poolkit s/epoch'.padStart(15)}  ${torchLabel.padStart(24)}  PyTorch/poolkit`,
  ];
  for (const row of rows) {
    const torchText = row.torchEpoch === null ? '–' : row.torchEpoch.toFixed(2);
    const ratio = row.torchEpoch === null ? '–' : `${(row.torchEpoch / row.poolkitEpoch).toFixed(2)}x`;
    lines.push(
      `  ${String(row.threads).padStart(7)}  ${row.poolkitEpoch.toFixed(2).padStart(15)}  ${torchText.padStart(24)}  ${ratio}`,
    );
  }
  return lines.join('\n');
}
