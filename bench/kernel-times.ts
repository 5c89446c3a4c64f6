// Where a seed-CNN training epoch spends its time, per kernel: wraps every kernel of the wasm
// backend with a CPU-time meter (the process's, so run with POOLKIT_THREADS=1, where the main
// thread does all the work), trains one epoch per kind, and prints each kernel's CPU milliseconds.
// Run: POOLKIT_THREADS=1 npx tsx bench/kernel-times.ts --kinds max,average [--train-limit 6000]
import { scriptOptions } from '../cli/args.js';
import { buildSeedModel } from '../cli/training/seed-model.js';
import { loadMnist } from '../src/data/mnist-files.js';
import { datasetTensors } from '../src/data/mnist.js';
import { threadsReady } from '../src/index.js';
import { wasmBackend } from '../src/kernels/wasm/index.js';

const options = scriptOptions(
  {
    name: 'bench:kernel-times',
    script: 'npx tsx bench/kernel-times.ts',
    summary: 'CPU milliseconds per kernel of one seed-CNN training epoch per pooling kind (wasm backend).',
    options: {
      kinds: { type: 'string', value: '<list>', default: 'max,average', description: 'Comma-separated pooling kinds' },
      'train-limit': { type: 'string', value: '<n>', default: '6000', description: 'Training images' },
      top: { type: 'string', value: '<n>', default: '12', description: 'Kernels listed per kind' },
    },
    examples: ['POOLKIT_THREADS=1 npx tsx bench/kernel-times.ts --kinds max,soft'],
  },
  process.argv.slice(2),
  ({ values }) => ({
    kinds: String(values.kinds).split(','),
    limit: Number(values['train-limit']),
    top: Number(values.top),
  }),
);
if (options === null) process.exit(0);
if (wasmBackend === null) throw new Error('bench:kernel-times needs the wasm backend');

const spent = new Map<string, { ms: number; system: number; calls: number }>();
const kernels = wasmBackend.kernels as Record<string, unknown>;
for (const [name, kernel] of Object.entries(kernels)) {
  if (typeof kernel !== 'function') continue;
  const timed = (...args: unknown[]): unknown => {
    const started = process.cpuUsage();
    try {
      return (kernel as (...a: unknown[]) => unknown)(...args);
    } finally {
      const used = process.cpuUsage(started);
      const entry = spent.get(name) ?? { ms: 0, system: 0, calls: 0 };
      entry.ms += (used.user + used.system) / 1000;
      entry.system += used.system / 1000;
      entry.calls += 1;
      spent.set(name, entry);
    }
  };
  kernels[name] = timed;
}

await threadsReady();
const data = datasetTensors(await loadMnist('train', { limit: options.limit }));
for (const kind of options.kinds) {
  const model = buildSeedModel({ pooling: kind, seed: 42, learningRate: 0.001 });
  spent.clear();
  const started = process.cpuUsage();
  await model.fit(data.x, data.y, { epochs: 1, batchSize: 128, seed: 42 });
  const usage = process.cpuUsage(started);
  const epoch = (usage.user + usage.system) / 1000;
  model.dispose();
  const rows = [...spent.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const inKernels = rows.reduce((sum, [, entry]) => sum + entry.ms, 0);
  console.log(
    `\n${kind}: epoch ${epoch.toFixed(0)} CPU ms, in kernels ${inKernels.toFixed(0)} ms (nested calls count twice)`,
  );
  for (const [name, entry] of rows.slice(0, options.top))
    console.log(
      `  ${name.padEnd(34)} ${entry.ms.toFixed(1).padStart(8)} ms (system ${entry.system.toFixed(1).padStart(6)})  ${String(entry.calls).padStart(5)} calls`,
    );
}
process.exit(0);
