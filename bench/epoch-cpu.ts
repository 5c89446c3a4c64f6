// CPU seconds (every thread) of one training epoch of the seed CNN per pooling kind, and each as a
// multiple of max pooling's: on a machine shared with other work, wall-clock seconds per epoch
// (poolkit compare) vary several-fold with the load, CPU seconds much less. Run on one thread
// (POOLKIT_THREADS=1) for the steadiest figures.
// Run: npx tsx bench/epoch-cpu.ts --kinds max,lstm,fractionalMax [--train-limit 6000]
import { scriptOptions } from '../cli/args.js';
import { buildSeedModel } from '../cli/training/seed-model.js';
import { loadMnist } from '../src/data/mnist-files.js';
import { datasetTensors } from '../src/data/mnist.js';
import { threadsReady } from '../src/index.js';

const options = scriptOptions(
  {
    name: 'bench:epoch-cpu',
    script: 'npx tsx bench/epoch-cpu.ts',
    summary: "CPU seconds of one seed-CNN training epoch per pooling kind, and each kind's multiple of max pooling's.",
    options: {
      kinds: { type: 'string', value: '<list>', default: 'max,lstm', description: 'Comma-separated pooling kinds' },
      'train-limit': { type: 'string', value: '<n>', default: '6000', description: 'Training images' },
    },
    examples: ['POOLKIT_THREADS=1 npx tsx bench/epoch-cpu.ts --kinds max,lstm,fractionalMax,spatialPyramid,s3'],
  },
  process.argv.slice(2),
  ({ values }) => ({ kinds: String(values.kinds).split(','), limit: Number(values['train-limit']) }),
);
if (options === null) process.exit(0);

await threadsReady();
const data = datasetTensors(await loadMnist('train', { limit: options.limit }));
const rows: { kind: string; cpu: number; wall: number }[] = [];
for (const kind of options.kinds) {
  const model = buildSeedModel({ pooling: kind, seed: 42, learningRate: 0.001 });
  const [cpuBefore, wallBefore] = [process.cpuUsage(), performance.now()];
  await model.fit(data.x, data.y, { epochs: 1, batchSize: 128, seed: 42 });
  const used = process.cpuUsage(cpuBefore);
  rows.push({ kind, cpu: (used.user + used.system) / 1e6, wall: (performance.now() - wallBefore) / 1000 });
  model.dispose();
}
const max = rows.find((row) => row.kind === 'max')?.cpu ?? Number.NaN;
console.log('| kind | CPU s / epoch | × max | wall s |\n|---|---:|---:|---:|');
for (const row of rows)
  console.log(`| ${row.kind} | ${row.cpu.toFixed(2)} | ${(row.cpu / max).toFixed(1)} | ${row.wall.toFixed(1)} |`);
process.exit(0);
