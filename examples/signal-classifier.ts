// A 1D signal classifier built with the functional API: noisy sine, square, sawtooth and
// chirp waves of random frequency, phase and amplitude → Conv1D → MaxPooling1D → Conv1D → a
// two-branch pooling head (global max and global average, concatenated, as in Keras) → Dense
// softmax. The signals are drawn from a seeded Random here (no data file). Run:
// npx tsx examples/signal-classifier.ts
import { adam, input, layers, model, Random, tensor, type Tensor } from '../src/index.js';
import { reportWhenMain } from './report.js';

export const WAVES = ['sine', 'square', 'sawtooth', 'chirp'] as const;
const STEPS = 64;

export interface SignalClassifierOptions {
  /** Default 8. */
  epochs?: number;
  /** Training signals (default 800; 200 more are the test set). */
  trainCount?: number;
  /** Print the summary and each epoch (default true). */
  verbose?: boolean;
}

/** One wave's value at phase t (in cycles): the four shapes the classifier tells apart. */
function wave(kind: (typeof WAVES)[number], t: number, step: number): number {
  const cycle = t - Math.floor(t);
  if (kind === 'sine') return Math.sin(2 * Math.PI * t);
  if (kind === 'square') return cycle < 0.5 ? 1 : -1;
  if (kind === 'sawtooth') return 2 * cycle - 1;
  return Math.sin(2 * Math.PI * t * (1 + step / STEPS)); // chirp: the frequency rises along the signal
}

/** `count` signals [count, 64, 1] with their wave labels, from a seed. */
export function makeSignals(count: number, seed: number): { x: Tensor; y: Tensor } {
  const random = new Random(seed);
  const values = new Float32Array(count * STEPS);
  const labels = new Float32Array(count);
  for (let row = 0; row < count; row++) {
    const label = row % WAVES.length;
    const [cycles, phase, amplitude] = [1.5 + random.uniform() * 4, random.uniform(), 0.5 + random.uniform()];
    for (let step = 0; step < STEPS; step++) {
      const t = phase + (cycles * step) / STEPS;
      values[row * STEPS + step] = amplitude * wave(WAVES[label]!, t, step) + 0.35 * random.normal();
    }
    labels[row] = label;
  }
  return { x: tensor(values, [count, STEPS, 1]), y: tensor(labels, [count]) };
}

/** Builds and trains the classifier; returns its accuracy on 200 unseen signals. */
export async function runSignalClassifier(options: SignalClassifierOptions = {}): Promise<{ testAccuracy: number }> {
  const { epochs = 8, trainCount = 800, verbose = true } = options;
  const signal = input({ shape: [STEPS, 1], name: 'signal' });
  let features = layers.conv1d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }).apply(signal);
  features = layers.maxPooling1d({ poolSize: 2 }).apply(features);
  features = layers.conv1d({ filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }).apply(features);
  // The pooling head: where a pattern is strongest (max) and how much of it there is (average).
  const strongest = layers.globalMaxPooling1d().apply(features);
  const overall = layers.globalAveragePooling1d().apply(features);
  const pooled = layers.concatenate().apply([strongest, overall]);
  const classes = layers.dense({ units: WAVES.length, activation: 'softmax' }).apply(pooled);
  const classifier = model({ inputs: signal, outputs: classes, name: 'signal_classifier' });
  if (verbose) classifier.summary();

  const optimizer = adam({ learningRate: 0.005 });
  classifier.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const train = makeSignals(trainCount, 1);
  const test = makeSignals(200, 2);
  await classifier.fit(train.x, train.y, {
    epochs,
    batchSize: 32,
    validationData: [test.x, test.y],
    callbacks: {
      onEpochEnd: (epoch, logs) => {
        if (verbose)
          console.log(
            `epoch ${epoch + 1}: loss ${logs.loss.toFixed(3)}, test accuracy ${logs.valAccuracy!.toFixed(3)}`,
          );
      },
    },
  });
  const { accuracy } = classifier.evaluate(test.x, test.y);
  classifier.dispose();
  optimizer.dispose();
  return { testAccuracy: accuracy! };
}

await reportWhenMain(import.meta.url, () => runSignalClassifier(), 1 / WAVES.length);
