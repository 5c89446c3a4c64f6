// `poolkit train`: trains the seed articles' CNN on MNIST (5 epochs reach about 98.7% test accuracy),
// saves the model, a checkpoint per epoch and a report into --out.
// Only the argument parser loads up front: --help and flag errors answer before the kernels load.
import { integerOption, parseCommand, positiveNumberOption, type CommandSpec } from '../args.js';
import type { TrainSettings } from '../training/train-run.js';

const spec: CommandSpec = {
  name: 'train',
  summary: [
    "Trains the seed articles' Keras model on MNIST:",
    '  Conv2D(32, 3x3, relu) -> MaxPooling2D(2x2) -> Flatten -> Dense(128, relu) -> Dense(10, softmax)',
    'with Adam and sparse categorical cross-entropy, validating on the test set after every epoch.',
    'Writes model.json, weights.bin, checkpoint.bin, curves.svg and report.html into --out.',
  ].join('\n'),
  options: {
    epochs: { type: 'string', value: '<n>', default: '5', description: 'Epochs to train' },
    'batch-size': { type: 'string', value: '<n>', default: '128', description: 'Examples per training step' },
    'learning-rate': { type: 'string', value: '<rate>', default: '0.001', description: "Adam's learning rate" },
    pooling: {
      type: 'string',
      value: '<kind>',
      default: 'max',
      description: 'The pooling kind (poolkit compare --help lists them): max, average, lp, ...',
    },
    backend: {
      type: 'string',
      value: '<name>',
      description: 'Kernel backend: reference, wasm or webgpu (default: POOLKIT_BACKEND, else wasm when built)',
    },
    seed: { type: 'string', value: '<n>', default: '42', description: 'Seed of the initial weights and the shuffles' },
    'train-limit': { type: 'string', value: '<n>', description: 'Train on the first n training images only' },
    'test-limit': { type: 'string', value: '<n>', description: 'Validate on the first n test images only' },
    out: {
      type: 'string',
      value: '<folder>',
      default: 'runs/seed-cnn',
      description: 'Where the model, checkpoint and report go',
    },
    resume: { type: 'boolean', description: "Continue from --out's checkpoint (same settings; --epochs may grow)" },
  },
  examples: [
    'poolkit train                                   # the seed model, 5 epochs, into runs/seed-cnn',
    'poolkit train --pooling average --out runs/avg  # the same with average pooling',
    'poolkit train --train-limit 2048 --test-limit 512 --epochs 1   # a quick look',
    'poolkit train --resume                          # after an interruption: finishes the 5 epochs',
  ],
};

const FLAG_OF: Record<keyof TrainSettings, string> = {
  epochs: 'epochs',
  batchSize: 'batch-size',
  learningRate: 'learning-rate',
  pooling: 'pooling',
  seed: 'seed',
  trainLimit: 'train-limit',
  testLimit: 'test-limit',
};

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(spec, args);
  if (parsed === null) return;
  const { values, given } = parsed;
  const [{ chooseBackend }, { seedKindNamed }, { runTraining }] = await Promise.all([
    import('../backend-choice.js'),
    import('../training/seed-model.js'),
    import('../training/train-run.js'),
  ]);
  const limit = (name: string): number | null =>
    values[name] === undefined ? null : integerOption('train', name, values[name]);
  const settings: TrainSettings = {
    epochs: integerOption('train', 'epochs', values.epochs, 1, 10000),
    batchSize: integerOption('train', 'batch-size', values['batch-size'], 1, 65536),
    learningRate: positiveNumberOption('train', 'learning-rate', values['learning-rate']),
    pooling: seedKindNamed('train', 'pooling', String(values.pooling)).name,
    seed: integerOption('train', 'seed', values.seed, -(2 ** 31), 2 ** 31 - 1),
    trainLimit: limit('train-limit'),
    testLimit: limit('test-limit'),
  };
  await chooseBackend('train', values.backend as string | undefined);
  const givenSettings = new Set(
    (Object.keys(FLAG_OF) as (keyof TrainSettings)[]).filter((name) => given.has(FLAG_OF[name])),
  );
  await runTraining({ settings, given: givenSettings, out: values.out as string, resume: values.resume === true });
}
