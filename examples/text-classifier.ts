// A text classifier as the seed articles describe pooling for text: token indices → Embedding
// (maskZero: index 0 is padding) → Conv1D ('same', so the mask still holds) → masked global max
// pooling (padded steps ignored) → Dense softmax. Data: examples/data/text-set.json, four topics,
// made by scripts/make-text-set.mjs. Run: npx tsx examples/text-classifier.ts
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adam, earlyStopping, layers, sequential, tensor, type EpochLogs, type Tensor } from '../src/index.js';
import { reportWhenMain } from './report.js';

interface TextSet {
  readonly labels: readonly string[];
  readonly examples: readonly { readonly text: string; readonly label: number }[];
}

export interface TextClassifierOptions {
  /** At most this many epochs (default 30); early stopping usually ends sooner. */
  epochs?: number;
  /** Sentences used, train then test (default all 480). */
  limit?: number;
  /** Print the summary and each epoch (default true). */
  verbose?: boolean;
}

/** Word → index from the training sentences: 0 is padding, 1 an unknown word, then by first appearance. */
function vocabulary(texts: readonly string[]): Map<string, number> {
  const indices = new Map<string, number>();
  for (const word of texts.flatMap((text) => text.split(' ')))
    if (!indices.has(word)) indices.set(word, indices.size + 2);
  return indices;
}

/** Sentences as [count, steps] token indices, padded with 0 at the end (float32 whole numbers). */
function encode(texts: readonly string[], words: Map<string, number>, steps: number): Tensor {
  const values = new Float32Array(texts.length * steps);
  texts.forEach((text, row) =>
    text
      .split(' ')
      .slice(0, steps)
      .forEach((word, step) => (values[row * steps + step] = words.get(word) ?? 1)),
  );
  return tensor(values, [texts.length, steps]);
}

/** Trains on the first 80% of the sentences and returns the accuracy on the other 20%. */
export async function runTextClassifier(options: TextClassifierOptions = {}): Promise<{ testAccuracy: number }> {
  const { epochs = 30, verbose = true } = options;
  const path = join(dirname(fileURLToPath(import.meta.url)), 'data', 'text-set.json');
  const data = JSON.parse(readFileSync(path, 'utf8')) as TextSet;
  const examples = data.examples.slice(0, options.limit ?? data.examples.length);
  const cut = Math.floor(examples.length * 0.8);
  const [train, test] = [examples.slice(0, cut), examples.slice(cut)];
  const words = vocabulary(train.map((example) => example.text));
  const steps = 16;
  const inputsOf = (rows: typeof examples) =>
    encode(
      rows.map((example) => example.text),
      words,
      steps,
    );
  const labelsOf = (rows: typeof examples) =>
    tensor(
      rows.map((example) => example.label),
      [rows.length],
    );

  const model = sequential([
    layers.embedding({ inputDim: words.size + 2, outputDim: 16, maskZero: true, inputShape: [steps] }),
    layers.conv1d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
    layers.globalMaxPooling1d(), // takes the mask: padded steps never win the max
    layers.dense({ units: data.labels.length, activation: 'softmax' }),
  ]);
  if (verbose) model.summary();
  const optimizer = adam({ learningRate: 0.01 });
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const report = {
    onEpochEnd: (epoch: number, logs: EpochLogs) => {
      const [loss, accuracy, validation] = [logs.loss, logs.accuracy!, logs.valAccuracy!].map((value) =>
        value.toFixed(3),
      );
      if (verbose)
        console.log(`epoch ${epoch + 1}: loss ${loss}, accuracy ${accuracy}, validation accuracy ${validation}`);
    },
  };
  // Stop when the validation loss has not improved for 3 epochs, keeping the best epoch's weights.
  const stop = earlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true });
  await model.fit(inputsOf(train), labelsOf(train), {
    epochs,
    batchSize: 32,
    validationSplit: 0.2,
    callbacks: [stop, report],
  });
  const { accuracy } = model.evaluate(inputsOf(test), labelsOf(test));
  model.dispose();
  optimizer.dispose();
  return { testAccuracy: accuracy! };
}

await reportWhenMain(import.meta.url, () => runTextClassifier(), 0.25);
