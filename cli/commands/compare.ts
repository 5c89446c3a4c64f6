// `poolkit compare`: trains the seed CNN with each pooling kind and several seeds (same data and
// epochs) and writes a markdown table (accuracy and shift consistency over seeds, seconds per epoch,
// parameters), an SVG chart (accuracy against seconds per epoch) and the numbers as JSON.
import { join } from 'node:path';
import { datasetTensors, layers, Pooling, sequential, type Sequential } from '../../src/index.js';
import { loadMnist, writeFileAtomic } from '../../src/io/node.js';
import { integerOption, parseCommand, UsageError, type CommandSpec } from '../args.js';
import { chooseBackend } from '../backend-choice.js';
import { compareChart } from '../compare/chart.js';
import { shiftConsistency, shiftDistances, shiftRule, shiftRuleSentence } from '../compare/shift.js';
import { compareTable, summarizeRuns, type CompareRow, type SeedRun } from '../compare/table.js';
import { compileSeedModel, poolingChoices, seedKindNamed, seedPoolingLayer } from '../training/seed-model.js';

const spec: CommandSpec = {
  name: 'compare',
  summary: [
    "Trains the seed articles' CNN with each pooling kind in the POOL position:",
    '  Conv2D(32, 3x3, relu) -> POOL -> Flatten -> Dense(128, relu) -> Dense(10, softmax), Adam',
    'with --seeds seeds (--seed, --seed + 1, ...), the same data and epochs, and writes compare.md',
    '(test accuracy and shift consistency as mean ± sample std over seeds, seconds per epoch,',
    "parameters, diffStride's learned strides), compare.svg (accuracy with ±1 std error bars against",
    "seconds per epoch) and compare.json (every seed's numbers) into --out.",
    shiftRuleSentence,
    `Kinds: ${poolingChoices().join(', ')}.`,
  ].join('\n'),
  options: {
    epochs: { type: 'string', value: '<n>', default: '1', description: 'Epochs per kind' },
    'train-limit': {
      type: 'string',
      value: '<n>',
      default: '6000',
      description: 'Train on the first n training images',
    },
    'test-limit': { type: 'string', value: '<n>', default: '1000', description: 'Test on the first n test images' },
    kinds: {
      type: 'string',
      value: '<list>',
      default: poolingChoices().join(','),
      description: 'Comma-separated pooling kinds',
    },
    'batch-size': { type: 'string', value: '<n>', default: '128', description: 'Examples per training step' },
    seed: {
      type: 'string',
      value: '<n>',
      default: '42',
      description: 'First seed of the weights, shuffles, pooling draws and shift directions',
    },
    seeds: { type: 'string', value: '<n>', default: '3', description: 'Seeds per kind: seed, seed + 1, ...' },
    backend: {
      type: 'string',
      value: '<name>',
      description: 'Kernel backend: reference or wasm (default: wasm when built)',
    },
    out: {
      type: 'string',
      value: '<folder>',
      default: 'runs/compare',
      description: 'Where compare.md, compare.svg and compare.json go',
    },
  },
  examples: [
    'poolkit compare                                          # every kind, 1 epoch on 6000 images',
    'poolkit compare --kinds max,stochastic,mixed --epochs 3',
    'poolkit compare --kinds max,blur --seeds 1 --train-limit 2000',
    'poolkit compare --train-limit 60000 --test-limit 10000 --epochs 5 --out runs/compare-full',
  ],
};

function seedModel(kind: string, seed: number): Sequential {
  const model = sequential(
    [
      layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      seedPoolingLayer(seedKindNamed('compare', 'kinds', kind)),
      layers.flatten(),
      layers.dense({ units: 128, activation: 'relu' }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ],
    { name: `seed_cnn_${kind}`, seed },
  );
  compileSeedModel(model, 0.001);
  return model;
}

interface Settings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly seeds: number;
}

function readSettings(values: Record<string, unknown>): Settings {
  const epochs = integerOption('compare', 'epochs', values.epochs, 1, 1000);
  const batchSize = integerOption('compare', 'batch-size', values['batch-size'], 1, 65536);
  const seeds = integerOption('compare', 'seeds', values.seeds, 1, 100);
  const seed = integerOption('compare', 'seed', values.seed, -(2 ** 31), 2 ** 31 - seeds);
  return { epochs, batchSize, seed, seeds };
}

function readKinds(value: unknown): string[] {
  const listed = String(value)
    .split(',')
    .map((kind) => kind.trim())
    .filter((kind) => kind !== '');
  if (listed.length === 0)
    throw new UsageError('compare', `--kinds must list some of ${poolingChoices().join(', ')}, got '${String(value)}'`);
  return listed.map((name) => seedKindNamed('compare', 'kinds', name).name);
}

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(spec, args);
  if (parsed === null) return;
  const { values } = parsed;
  const settings = readSettings(values);
  const trainLimit = integerOption('compare', 'train-limit', values['train-limit'], 1, 60000);
  const testLimit = integerOption('compare', 'test-limit', values['test-limit'], 1, 10000);
  const kinds = readKinds(values.kinds);
  const backend = await chooseBackend('compare', values.backend as string | undefined);
  const [train, test] = await Promise.all([
    loadMnist('train', { limit: trainLimit }),
    loadMnist('test', { limit: testLimit }),
  ]);
  const { epochs, batchSize, seed, seeds } = settings;
  const seedList = seeds === 1 ? `seed ${seed}` : `seeds ${seed} to ${seed + seeds - 1}`;
  const slice = `${train.count} training and ${test.count} test images of MNIST, ${epochs} epoch${epochs === 1 ? '' : 's'}, batch ${batchSize}, ${seedList}, backend ${backend}`;
  const command = ['poolkit compare', ...args].join(' ');
  const caption = `\`${command}\`: ${slice}, ${new Date().toISOString().slice(0, 10)}`;
  console.log(`Comparing ${kinds.join(', ')} on ${slice}.`);
  const trainTensors = datasetTensors(train);
  const testTensors = datasetTensors(test);
  const rows: CompareRow[] = [];
  try {
    for (const kind of kinds) rows.push(await compareKind(kind, settings, trainTensors, testTensors));
  } finally {
    for (const tensor of [trainTensors.x, trainTensors.y, testTensors.x, testTensors.y]) tensor.dispose();
  }
  const out = String(values.out);
  const table = compareTable(rows, caption);
  await writeFileAtomic(join(out, 'compare.md'), table);
  await writeFileAtomic(join(out, 'compare.svg'), compareChart(rows, slice));
  const json = { command, slice, date: new Date().toISOString(), shiftRule, shiftDistances, rows };
  await writeFileAtomic(join(out, 'compare.json'), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\n${table}\nWrote compare.md, compare.svg and compare.json into ${out}.`);
}

type Tensors = ReturnType<typeof datasetTensors>;

/** Every seed of one kind, each printed as it ends, summarised into the kind's row. */
async function compareKind(kind: string, settings: Settings, train: Tensors, test: Tensors): Promise<CompareRow> {
  const runs: SeedRun[] = [];
  let parameters = 0;
  for (let index = 0; index < settings.seeds; index++) {
    const result = await trainSeed(kind, settings.seed + index, settings, train, test);
    runs.push(result.run);
    parameters = result.parameters;
    const shift = result.run.shiftConsistency.reduce((total, value) => total + value, 0) / 4;
    console.log(
      `  ${kind.padEnd(10)} seed ${result.run.seed}: test accuracy ${(100 * result.run.testAccuracy).toFixed(2)}%  shift consistency ${(100 * shift).toFixed(2)}%  ${result.run.secondsPerEpoch.toFixed(1)} s/epoch  ${parameters} parameters`,
    );
  }
  return summarizeRuns(kind, parameters, runs);
}

/** Trains one kind with one seed, then measures its shift consistency and reads learned strides. */
async function trainSeed(
  kind: string,
  seed: number,
  settings: Settings,
  train: Tensors,
  test: Tensors,
): Promise<{ run: SeedRun; parameters: number }> {
  const model = seedModel(kind, seed);
  try {
    const seconds: number[] = [];
    let testAccuracy = NaN;
    await model.fit(train.x, train.y, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      seed,
      validationData: [test.x, test.y],
      callbacks: {
        onEpochEnd: (_epoch, logs) => {
          seconds.push(logs.seconds);
          testAccuracy = logs.valAccuracy ?? NaN;
        },
      },
    });
    const secondsPerEpoch = seconds.reduce((total, value) => total + value, 0) / seconds.length;
    const consistency = shiftConsistency(model, test.x, seed, settings.batchSize);
    const strides = learnedStrides(model);
    const run = { seed, testAccuracy, shiftConsistency: consistency, secondsPerEpoch };
    return { run: strides === null ? run : { ...run, learnedStrides: strides }, parameters: model.countParams() };
  } finally {
    model.dispose();
  }
}

/**
 * A learnable-stride layer's strides per axis: its weight 'strides', read after predictions, whose
 * calls project the weight into the layer's bounds in place (so these are the strides it used).
 */
function learnedStrides(model: Sequential): number[] | null {
  const pooling = model.layers.find((layer) => layer instanceof Pooling && layer.kind.name === 'diffStride');
  const weight = pooling?.parameters.find((parameter) => parameter.name === 'strides');
  return weight === undefined ? null : Array.from(weight.tensor.values);
}
