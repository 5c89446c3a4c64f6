// Benchmark: one MNIST epoch of the seed CNN (469 batches of 128) with poolkit on its active
// backend, against TensorFlow.js (tfjs-layers on tfjs-backend-cpu) timed on a few batches of the
// same model and extrapolated to the epoch. Run: npm run bench:train
//   --train-limit <n>  time poolkit on n images and project to 60000 (default: the whole epoch)
//   --tfjs-batches <n> tfjs batches to time after one warm-up batch (default 3; 0 skips tfjs)
//   --scaling-batches <n> batches per run of the one-thread against all-threads comparison (default 40; 0 skips it)
//   --threads <list>   instead: the step per thread count (e.g. 1,2,4,8,16) against PyTorch's in the same run
//   --thread-batches <n> batches timed per thread count (default 100)
import { cpus } from 'node:os';
import { datasetTensors, getBackend, getThreadCount, setThreadCount, threadsReady } from '../src/index.js';
import { loadMnist } from '../src/io/node.js';
import { buildSeedModel } from '../cli/training/seed-model.js';
import { describeCores, probeCores } from './cores.js';
import { integerOption, scriptOptions, UsageError, type CommandSpec } from '../cli/args.js';
import { threadTable, timeThreadCounts } from './train-threads.js';

const EPOCH_IMAGES = 60000;
const BATCH = 128;
const BATCHES_PER_EPOCH = Math.ceil(EPOCH_IMAGES / BATCH);

interface Timing {
  readonly label: string;
  readonly epochSeconds: number;
  readonly how: string;
}

async function timePoolkit(limit: number): Promise<Timing> {
  const model = buildSeedModel({ pooling: 'max', seed: 1, learningRate: 0.001 });
  const train = await loadMnist('train', { limit });
  const { x, y } = datasetTensors(train);
  (globalThis as { gc?: () => void }).gc?.();
  const started = performance.now();
  const history = await model.fit(x, y, { epochs: 1, batchSize: BATCH, seed: 1 });
  const seconds = (performance.now() - started) / 1000;
  x.dispose();
  y.dispose();
  const projected = (seconds * EPOCH_IMAGES) / train.count;
  const how =
    train.count === EPOCH_IMAGES
      ? `measured over the whole epoch, final loss ${history.history.loss[0]!.toFixed(4)}`
      : `measured on ${train.count} images (${seconds.toFixed(1)} s), projected to ${EPOCH_IMAGES}`;
  return { label: `poolkit (${getBackend()}, ${getThreadCount()} threads)`, epochSeconds: projected, how };
}

/**
 * Steps on one thread and on all, alternated (three runs each of `batches` batches, after a warm-up),
 * so both see the same host: how much of a second core the training step gets.
 */
async function timeThreadScaling(batches: number): Promise<string> {
  const threads = getThreadCount();
  if (threads < 2 || batches === 0 || getBackend() !== 'wasm') return '';
  const model = buildSeedModel({ pooling: 'max', seed: 1, learningRate: 0.001 });
  const train = await loadMnist('train', { limit: batches * BATCH });
  const { x, y } = datasetTensors(train);
  const fitMilliseconds = async (count: number): Promise<number> => {
    await setThreadCount(count);
    await threadsReady();
    const started = performance.now();
    await model.fit(x, y, { epochs: 1, batchSize: BATCH, seed: 1 });
    return (performance.now() - started) / batches;
  };
  await fitMilliseconds(threads);
  const perBatch: Record<'one' | 'all', number[]> = { one: [], all: [] };
  for (let run = 0; run < 3; run++) {
    perBatch.one.push(await fitMilliseconds(1));
    perBatch.all.push(await fitMilliseconds(threads));
  }
  await setThreadCount(threads);
  x.dispose();
  y.dispose();
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[1]!;
  const [one, all] = [median(perBatch.one), median(perBatch.all)];
  const list = (values: number[]): string => values.map((value) => value.toFixed(1)).join(', ');
  return (
    `poolkit step, 1 thread against ${threads}, alternated: ${one.toFixed(1)} against ${all.toFixed(1)} ms per batch ` +
    `(medians of ${list(perBatch.one)} and ${list(perBatch.all)}; ${batches} batches a run): ${threads} threads run ${(one / all).toFixed(2)}x one`
  );
}

async function timeTfjs(batches: number): Promise<Timing> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const tfl = await import('@tensorflow/tfjs-layers');
  await tf.setBackend('cpu');
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 128, activation: 'relu' }),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const train = await loadMnist('train', { limit: BATCH * (batches + 1) });
  const batch = (index: number) => ({
    x: tf.tensor4d(train.images.subarray(index * BATCH * 784, (index + 1) * BATCH * 784), [BATCH, 28, 28, 1]),
    y: tf.tensor1d(Float32Array.from(train.labels.subarray(index * BATCH, (index + 1) * BATCH))),
  });
  const warm = batch(0);
  await model.trainOnBatch(warm.x, warm.y); // kernels and gradients set up once
  const started = performance.now();
  for (let index = 1; index <= batches; index++) {
    const { x, y } = batch(index);
    await model.trainOnBatch(x, y);
    tf.dispose([x, y]);
  }
  const perBatch = (performance.now() - started) / 1000 / batches;
  return {
    label: 'tfjs-layers 4.22 on tfjs-backend-cpu',
    epochSeconds: perBatch * BATCHES_PER_EPOCH,
    how: `${batches} batches timed (${perBatch.toFixed(2)} s each), projected to ${BATCHES_PER_EPOCH}`,
  };
}

const spec: CommandSpec & { script: string } = {
  name: 'bench:train',
  script: 'npm run bench:train',
  summary:
    'Times one MNIST epoch of the seed CNN (469 batches of 128) with poolkit on its active backend, ' +
    'against tfjs-layers on tfjs-backend-cpu timed on a few batches and projected to the epoch.',
  options: {
    'train-limit': {
      type: 'string',
      value: '<n>',
      description: `Time poolkit on n images (${BATCH} to ${EPOCH_IMAGES}) and project to the epoch (default: all)`,
    },
    'tfjs-batches': {
      type: 'string',
      value: '<n>',
      default: '3',
      description: 'tfjs batches to time after one warm-up batch (0 skips tfjs)',
    },
    'scaling-batches': {
      type: 'string',
      value: '<n>',
      default: '40',
      description: 'Batches per run of the one-thread against all-threads comparison (0 skips it)',
    },
    threads: {
      type: 'string',
      value: '<list>',
      description:
        'Instead of the epoch: time the step at each thread count (1,2,4,8,16), and PyTorch (python3 with torch) at the same counts in the same run',
    },
    'thread-batches': {
      type: 'string',
      value: '<n>',
      default: '100',
      description: 'Batches timed per thread count with --threads, projected to the epoch',
    },
  },
  examples: [
    'npm run bench:train',
    'npm run bench:train -- --train-limit 6400 --tfjs-batches 0',
    'npm run bench:train -- --threads 1,2,4,8,16',
  ],
};

const settings = scriptOptions(spec, process.argv.slice(2), ({ values }) => ({
  limit:
    values['train-limit'] === undefined
      ? EPOCH_IMAGES
      : integerOption(spec.name, 'train-limit', values['train-limit'], BATCH, EPOCH_IMAGES),
  tfjsBatches: integerOption(spec.name, 'tfjs-batches', values['tfjs-batches'], 0),
  scalingBatches: integerOption(spec.name, 'scaling-batches', values['scaling-batches'], 0, BATCHES_PER_EPOCH - 1),
  threadCounts: values.threads === undefined ? null : threadList(values.threads),
  threadBatches: integerOption(spec.name, 'thread-batches', values['thread-batches'], 1, BATCHES_PER_EPOCH - 3),
}));
if (settings === null) process.exit(0);
const { limit, tfjsBatches, scalingBatches, threadCounts, threadBatches } = settings;

/** --threads: a comma-separated list of thread counts from 1 to 64. */
function threadList(value: unknown): number[] {
  if (typeof value !== 'string' || value.trim() === '')
    throw new UsageError(spec.name, '--threads must be a comma-separated list of thread counts, e.g. 1,2,4,8,16');
  return value.split(',').map((part) => integerOption(spec.name, 'threads', part.trim(), 1, 64));
}

console.log(
  `Seed CNN, one MNIST epoch (${BATCHES_PER_EPOCH} batches of ${BATCH}), Adam; ${cpus().length} cores, Node ${process.version}`,
);
console.log(`  ${describeCores(await probeCores())}`);
if (threadCounts !== null) {
  console.log(threadTable(await timeThreadCounts(threadCounts, threadBatches), threadBatches));
  process.exit(0);
}
const timings = [await timePoolkit(limit)];
if (tfjsBatches > 0) timings.push(await timeTfjs(tfjsBatches));
for (const timing of timings) {
  console.log(
    `  ${timing.label.padEnd(40)} ${timing.epochSeconds.toFixed(1).padStart(8)} s/epoch  ${Math.round(
      EPOCH_IMAGES / timing.epochSeconds,
    )
      .toString()
      .padStart(6)} images/s  (${timing.how})`,
  );
}
const scaling = await timeThreadScaling(scalingBatches);
if (scaling !== '') console.log(`  ${scaling}`);
if (timings.length === 2) {
  console.log(
    `  ratio: poolkit takes ${(timings[0]!.epochSeconds / timings[1]!.epochSeconds).toFixed(4)} of tfjs-cpu's time (${(timings[1]!.epochSeconds / timings[0]!.epochSeconds).toFixed(0)}x faster)`,
  );
}
console.log('  PyTorch: not measured here (no torch in CI).');
