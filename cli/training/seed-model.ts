// The seed articles' Keras model, with the pooling layer swappable:
//   Conv2D(32, 3x3, relu, 28x28x1) → <Pooling>2D(2x2) → Flatten → Dense(128, relu) → Dense(10, softmax)
// compiled with Adam and sparse categorical cross-entropy, as in the articles.
import { Adam, layerFromConfig, layers, layerTable, sequential, type Sequential } from '../../src/index.js';

/** Short names for the 2D window pooling layers the layer table knows: max, average (avg), lp, ... */
export function poolingChoices(): Map<string, string> {
  const choices = new Map<string, string>();
  for (const className of Object.keys(layerTable)) {
    const match = /^(.+)Pooling2D$/.exec(className);
    if (match === null || /^(Global|Adaptive)/.test(className)) continue;
    const short = match[1]!.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
    choices.set(short, className);
    if (short === 'average') choices.set('avg', className);
  }
  return choices;
}

/** The seed model with `pooling` (a short name from poolingChoices) as its pooling layer. */
export function buildSeedModel(options: { pooling: string; seed: number; learningRate: number }): Sequential {
  const className = poolingChoices().get(options.pooling);
  if (className === undefined) throw new Error(`unknown pooling '${options.pooling}'`);
  const model = sequential(
    [
      layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      layerFromConfig({ className, config: { poolSize: [2, 2] } }),
      layers.flatten(),
      layers.dense({ units: 128, activation: 'relu' }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ],
    { name: 'seed_cnn', seed: options.seed },
  );
  compileSeedModel(model, options.learningRate);
  return model;
}

/** Adam (Keras's defaults but the learning rate), sparse categorical cross-entropy, accuracy. */
export function compileSeedModel(model: Sequential, learningRate: number): void {
  model.compile({
    optimizer: new Adam({ learningRate }),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
}
