// `poolkit compare`: trains the seed CNN once per pooling kind (same seed, data and epochs) and
// writes a markdown table (test accuracy, seconds per epoch, parameters) and an SVG bar chart.
import { join } from 'node:path';
import { datasetTensors, layers, sequential, type Sequential } from '../../src/index.js';
import { loadMnist, writeFileAtomic } from '../../src/io/node.js';
import { integerOption, parseCommand, UsageError, type CommandSpec } from '../args.js';
import { chooseBackend } from '../backend-choice.js';
import { compileSeedModel, poolingChoices, seedKindNamed, seedPoolingLayer } from '../training/seed-model.js';

const spec: CommandSpec = {
  name: 'compare',
  summary: [
    "Trains the seed articles' CNN with each pooling kind in the POOL position:",
    '  Conv2D(32, 3x3, relu) -> POOL -> Flatten -> Dense(128, relu) -> Dense(10, softmax), Adam',
    'with the same seed, data and epochs, and writes compare.md (a table), compare.svg (a bar chart)',
    `and compare.json into --out. Kinds: ${poolingChoices().join(', ')}.`,
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
      description: 'Seed of the weights, shuffles and pooling draws',
    },
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
    'poolkit compare --train-limit 60000 --test-limit 10000 --epochs 5 --out runs/compare-full',
  ],
};

export interface CompareRow {
  readonly kind: string;
  readonly testAccuracy: number;
  readonly secondsPerEpoch: number;
  readonly parameters: number;
}

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

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(spec, args);
  if (parsed === null) return;
  const { values } = parsed;
  const epochs = integerOption('compare', 'epochs', values.epochs, 1, 1000);
  const batchSize = integerOption('compare', 'batch-size', values['batch-size'], 1, 65536);
  const seed = integerOption('compare', 'seed', values.seed, -(2 ** 31), 2 ** 31 - 1);
  const trainLimit = integerOption('compare', 'train-limit', values['train-limit'], 1, 60000);
  const testLimit = integerOption('compare', 'test-limit', values['test-limit'], 1, 10000);
  const listed = String(values.kinds)
    .split(',')
    .map((kind) => kind.trim())
    .filter((kind) => kind !== '');
  if (listed.length === 0) {
    throw new UsageError(
      'compare',
      `--kinds must list some of ${poolingChoices().join(', ')}, got '${String(values.kinds)}'`,
    );
  }
  const kinds = listed.map((name) => seedKindNamed('compare', 'kinds', name).name);
  const backend = await chooseBackend('compare', values.backend as string | undefined);
  const [train, test] = await Promise.all([
    loadMnist('train', { limit: trainLimit }),
    loadMnist('test', { limit: testLimit }),
  ]);
  const slice = `${train.count} training and ${test.count} test images of MNIST, ${epochs} epoch${epochs === 1 ? '' : 's'}, batch ${batchSize}, seed ${seed}, backend ${backend}`;
  console.log(`Comparing ${kinds.join(', ')} on ${slice}.`);
  const trainTensors = datasetTensors(train);
  const testTensors = datasetTensors(test);
  const rows: CompareRow[] = [];
  try {
    for (const kind of kinds) {
      rows.push(await trainKind(kind, { epochs, batchSize, seed }, trainTensors, testTensors));
      const row = rows[rows.length - 1]!;
      console.log(
        `  ${kind.padEnd(10)} test accuracy ${(100 * row.testAccuracy).toFixed(2)}%  ${row.secondsPerEpoch.toFixed(1)} s/epoch  ${row.parameters} parameters`,
      );
    }
  } finally {
    for (const tensor of [trainTensors.x, trainTensors.y, testTensors.x, testTensors.y]) tensor.dispose();
  }
  const out = String(values.out);
  const table = compareTable(rows, slice);
  await writeFileAtomic(join(out, 'compare.md'), table);
  await writeFileAtomic(join(out, 'compare.svg'), compareChart(rows, slice));
  await writeFileAtomic(join(out, 'compare.json'), `${JSON.stringify({ slice, rows }, null, 2)}\n`);
  console.log(`\n${table}\nWrote compare.md, compare.svg and compare.json into ${out}.`);
}

type Tensors = ReturnType<typeof datasetTensors>;

async function trainKind(
  kind: string,
  settings: { epochs: number; batchSize: number; seed: number },
  train: Tensors,
  test: Tensors,
): Promise<CompareRow> {
  const model = seedModel(kind, settings.seed);
  try {
    const seconds: number[] = [];
    let testAccuracy = NaN;
    await model.fit(train.x, train.y, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      seed: settings.seed,
      validationData: [test.x, test.y],
      callbacks: {
        onEpochEnd: (_epoch, logs) => {
          seconds.push(logs.seconds);
          testAccuracy = logs.valAccuracy ?? NaN;
        },
      },
    });
    const secondsPerEpoch = seconds.reduce((total, value) => total + value, 0) / seconds.length;
    return { kind, testAccuracy, secondsPerEpoch, parameters: model.countParams() };
  } finally {
    model.dispose();
  }
}

/** The markdown table of a comparison, with the slice it ran on. */
export function compareTable(rows: readonly CompareRow[], slice: string): string {
  const lines = [
    `Seed CNN with each pooling kind; ${slice}.`,
    '',
    '| pooling | test accuracy | seconds / epoch | parameters |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.kind} | ${(100 * row.testAccuracy).toFixed(2)}% | ${row.secondsPerEpoch.toFixed(1)} | ${row.parameters.toLocaleString('en-US')} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar chart of test accuracy per kind (the axis starts at 0 so bars compare honestly). */
export function compareChart(rows: readonly CompareRow[], slice: string): string {
  const [left, top, barHeight, gap, plotWidth] = [110, 50, 22, 8, 420];
  const height = top + rows.length * (barHeight + gap) + 40;
  const width = left + plotWidth + 80;
  const bars = rows.map((row, index) => {
    const y = top + index * (barHeight + gap);
    const length = Number.isFinite(row.testAccuracy) ? row.testAccuracy * plotWidth : 0;
    return [
      `<text x="${left - 8}" y="${y + barHeight / 2 + 4}" text-anchor="end">${escapeXml(row.kind)}</text>`,
      `<rect x="${left}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" fill="#3b6ea8"/>`,
      `<text x="${left + length + 6}" y="${y + barHeight / 2 + 4}">${(100 * row.testAccuracy).toFixed(2)}%</text>`,
    ].join('');
  });
  const axisY = top + rows.length * (barHeight + gap);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (tick) =>
      `<line x1="${left + tick * plotWidth}" y1="${top - 4}" x2="${left + tick * plotWidth}" y2="${axisY}" stroke="#ddd"/><text x="${left + tick * plotWidth}" y="${axisY + 16}" text-anchor="middle">${tick * 100}%</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">Test accuracy by pooling kind</text>`,
    `<text x="${left}" y="36" fill="#555">${escapeXml(slice)}</text>`,
    ...ticks,
    ...bars,
    '</svg>',
    '',
  ].join('\n');
}
