// `poolkit eval`: a saved model's accuracy and loss on the MNIST test set, overall and per class.
// Only the argument parser loads up front: --help and flag errors answer before the kernels load.
import { requireTrainedModel } from '../saved-model.js';
import { integerOption, parseCommand, type CommandSpec } from '../args.js';

const spec: CommandSpec = {
  name: 'eval',
  summary: 'Evaluates a model saved by `poolkit train` on the MNIST test set (10000 images).',
  options: {
    model: { type: 'string', value: '<folder>', default: 'runs/seed-cnn', description: 'The saved model folder' },
    'test-limit': { type: 'string', value: '<n>', description: 'Evaluate on the first n test images only' },
    backend: {
      type: 'string',
      value: '<name>',
      description: 'Kernel backend: reference or wasm (default: wasm when built)',
    },
  },
  examples: ['poolkit eval', 'poolkit eval --model runs/avg --test-limit 1000'],
};

/** Keras's clipping of probabilities inside the cross-entropy. */
const EPSILON = 1e-7;

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(spec, args);
  if (parsed === null) return;
  const { values, given } = parsed;
  const [{ chooseBackend }, { argmaxRows, loadMnist, loadModel, predictProbabilities }] = await Promise.all([
    import('../backend-choice.js'),
    import('../../src/io/node.js'),
  ]);
  const limit =
    values['test-limit'] === undefined ? undefined : integerOption('eval', 'test-limit', values['test-limit']);
  requireTrainedModel(values.model as string, given.has('model'));
  const backend = await chooseBackend('eval', values.backend as string | undefined);
  const { model } = await loadModel(values.model as string);
  const test = await loadMnist('test', { limit });
  const started = performance.now();
  const probabilities = predictProbabilities(model, test.images, test.count);
  const seconds = (performance.now() - started) / 1000;
  const predicted = argmaxRows(probabilities, 10);
  let [correct, loss] = [0, 0];
  test.labels.forEach((label, index) => {
    if (predicted[index] === label) correct++;
    loss -= Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, probabilities[index * 10 + label]!)));
  });
  console.log(
    `Model ${values.model as string} on ${test.count} MNIST test images (backend ${backend}, ${seconds.toFixed(1)} s):`,
  );
  console.log(
    `Test accuracy: ${((100 * correct) / test.count).toFixed(2)}% (${correct}/${test.count}), loss ${(loss / test.count).toFixed(4)}`,
  );
  console.log(`Per class: ${perClass(predicted, test.labels).join('  ')}`);
}

/** 'digit: accuracy%' for each class present. */
function perClass(predicted: Int32Array, labels: Int32Array): string[] {
  const totals = new Array<number>(10).fill(0);
  const hits = new Array<number>(10).fill(0);
  labels.forEach((label, index) => {
    totals[label]!++;
    if (predicted[index] === label) hits[label]!++;
  });
  return totals.flatMap((total, digit) =>
    total === 0 ? [] : [`${digit}: ${((100 * hits[digit]!) / total).toFixed(1)}%`],
  );
}
