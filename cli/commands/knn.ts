// `poolkit knn`: nearest-neighbour accuracy on MNIST pixels at 28x28, and at 14x14 and 7x7 after
// max, average and L2 pooling: how much of a digit's identity survives each pooling's downsampling.
import { join } from 'node:path';
import { avgPool2d, datasetTensors, lpPool2d, maxPool2d, noGrad, tidy, type Tensor } from '../../src/index.js';
import { loadMnist, writeFileAtomic } from '../../src/io/node.js';
import { integerOption, parseCommand, type CommandSpec } from '../args.js';
import { chooseBackend } from '../backend-choice.js';

const spec: CommandSpec = {
  name: 'knn',
  summary: [
    'k-nearest-neighbour classification (Euclidean distance, majority vote, ties to the nearer) of',
    'MNIST test images against training images, on raw 28x28 pixels and on 14x14 and 7x7 features',
    'made by max, average and L2 pooling (2x2 and 4x4 windows). Prints a table and writes knn.md.',
  ].join('\n'),
  options: {
    'train-limit': {
      type: 'string',
      value: '<n>',
      default: '5000',
      description: 'Reference set: the first n training images',
    },
    'test-limit': { type: 'string', value: '<n>', default: '1000', description: 'Queries: the first n test images' },
    k: { type: 'string', value: '<n>', default: '1', description: 'Neighbours that vote' },
    backend: {
      type: 'string',
      value: '<name>',
      description: 'Kernel backend: reference or wasm (default: wasm when built)',
    },
    out: { type: 'string', value: '<folder>', default: 'runs/knn', description: 'Where knn.md goes' },
  },
  examples: ['poolkit knn', 'poolkit knn --train-limit 20000 --test-limit 2000 --k 3'],
};

/** The feature variants: name, side, and how a [n, 28, 28, 1] batch becomes them. */
const VARIANTS: readonly { name: string; side: number; features: (images: Tensor) => Tensor }[] = [
  { name: 'pixels', side: 28, features: (images) => images.clone() },
  ...[2, 4].flatMap((window) => [
    { name: 'max', side: 28 / window, features: (images: Tensor) => maxPool2d(images, { kernelSize: window }) },
    { name: 'average', side: 28 / window, features: (images: Tensor) => avgPool2d(images, { kernelSize: window }) },
    { name: 'L2', side: 28 / window, features: (images: Tensor) => lpPool2d(images, { kernelSize: window, p: 2 }) },
  ]),
];

export interface KnnRow {
  readonly features: string;
  readonly size: string;
  readonly accuracy: number;
  readonly seconds: number;
}

/**
 * Fraction of queries whose k nearest references (squared Euclidean distance) vote for the true
 * label; a tied vote goes to the label of the nearest among the tied.
 */
export function knnAccuracy(
  references: Float32Array,
  referenceLabels: Int32Array,
  queries: Float32Array,
  queryLabels: Int32Array,
  dimension: number,
  k: number,
): number {
  const referenceCount = referenceLabels.length;
  const distances = new Float64Array(referenceCount);
  let correct = 0;
  for (let query = 0; query < queryLabels.length; query++) {
    const queryBase = query * dimension;
    for (let reference = 0; reference < referenceCount; reference++) {
      let sum = 0;
      const referenceBase = reference * dimension;
      for (let feature = 0; feature < dimension; feature++) {
        const difference = queries[queryBase + feature]! - references[referenceBase + feature]!;
        sum += difference * difference;
      }
      distances[reference] = sum;
    }
    if (vote(nearest(distances, k), referenceLabels) === queryLabels[query]) correct++;
  }
  return correct / queryLabels.length;
}

/** Indices of the k smallest distances, nearest first (ties to the lower index). */
function nearest(distances: Float64Array, k: number): number[] {
  const chosen: number[] = [];
  for (let index = 0; index < distances.length; index++) {
    let position = chosen.length;
    while (position > 0 && distances[chosen[position - 1]!]! > distances[index]!) position--;
    if (position < k) {
      chosen.splice(position, 0, index);
      if (chosen.length > k) chosen.pop();
    }
  }
  return chosen;
}

/** The most common label among the neighbours; a tie goes to the label met first (the nearer). */
function vote(neighbours: readonly number[], labels: Int32Array): number {
  const counts = new Map<number, number>();
  let best = labels[neighbours[0]!]!;
  for (const neighbour of neighbours) {
    const label = labels[neighbour]!;
    counts.set(label, (counts.get(label) ?? 0) + 1);
    if (counts.get(label)! > counts.get(best)!) best = label;
  }
  return best;
}

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(spec, args);
  if (parsed === null) return;
  const { values } = parsed;
  const trainLimit = integerOption('knn', 'train-limit', values['train-limit'], 1, 60000);
  const testLimit = integerOption('knn', 'test-limit', values['test-limit'], 1, 10000);
  const k = integerOption('knn', 'k', values.k, 1, 1000);
  const backend = await chooseBackend('knn', values.backend as string | undefined);
  const [train, test] = await Promise.all([
    loadMnist('train', { limit: trainLimit }),
    loadMnist('test', { limit: testLimit }),
  ]);
  const slice = `${train.count} training images as references, ${test.count} test images as queries, k = ${k}, backend ${backend}`;
  console.log(`Nearest neighbours on MNIST: ${slice}.`);
  const trainTensors = datasetTensors(train);
  const testTensors = datasetTensors(test);
  const rows: KnnRow[] = [];
  try {
    for (const variant of VARIANTS) {
      const started = performance.now();
      const accuracy = tidy(() =>
        noGrad(() => {
          const references = variant.features(trainTensors.x);
          const queries = variant.features(testTensors.x);
          return knnAccuracy(
            references.values,
            train.labels,
            queries.values,
            test.labels,
            variant.side * variant.side,
            k,
          );
        }),
      );
      rows.push({
        features: variant.name,
        size: `${variant.side}x${variant.side}`,
        accuracy,
        seconds: (performance.now() - started) / 1000,
      });
      console.log(
        `  ${variant.name.padEnd(8)} ${rows[rows.length - 1]!.size.padEnd(6)} ${(100 * accuracy).toFixed(2)}%`,
      );
    }
  } finally {
    for (const tensor of [trainTensors.x, trainTensors.y, testTensors.x, testTensors.y]) tensor.dispose();
  }
  const table = knnTable(rows, slice);
  await writeFileAtomic(join(String(values.out), 'knn.md'), table);
  console.log(`\n${table}\nWrote knn.md into ${String(values.out)}.`);
}

export function knnTable(rows: readonly KnnRow[], slice: string): string {
  const lines = [
    `k-nearest-neighbour accuracy on MNIST; ${slice}.`,
    '',
    '| features | size | accuracy | seconds |',
    '|---|---|---:|---:|',
    ...rows.map(
      (row) => `| ${row.features} | ${row.size} | ${(100 * row.accuracy).toFixed(2)}% | ${row.seconds.toFixed(1)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
