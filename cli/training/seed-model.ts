// The seed articles' Keras model, with the pooling layer swappable:
//   Conv2D(32, 3x3, relu, 28x28x1) → <Pooling>2D → Flatten → Dense(128, relu) → Dense(10, softmax)
// compiled with Adam and sparse categorical cross-entropy, as in the articles. The kinds that fit
// the pooling position, and their settings there, come from the registry (each kind's seedConfig).
import {
  Adam,
  findPoolingKind,
  layers,
  Pooling,
  seedPoolingKinds,
  sequential,
  type RegisteredKind,
  type Sequential,
} from '../../src/index.js';
import { UsageError } from '../args.js';

/** The canonical names of the kinds that can stand in the pooling position, in registry order. */
export function poolingChoices(): string[] {
  return seedPoolingKinds().map((kind) => kind.name);
}

/**
 * The seed kind a name or alias stands for ('avg', 'fractional-max'); a usage error naming the
 * flag and the choices otherwise.
 */
export function seedKindNamed(command: string, flag: string, name: string): RegisteredKind {
  const kind = findPoolingKind(name);
  if (kind === undefined || !seedPoolingKinds().includes(kind)) {
    throw new UsageError(command, `--${flag} must be one of ${poolingChoices().join(', ')}, got '${name}'`);
  }
  return kind;
}

/** The kind's 2D layer with its seed-model settings (2x2 windows, or what the kind needs instead). */
export function seedPoolingLayer(kind: RegisteredKind): Pooling {
  return new Pooling(kind, 2, { ...kind.layer!.seedConfig });
}

/** The seed model with `pooling` (a kind name or alias) as its pooling layer. */
export function buildSeedModel(options: { pooling: string; seed: number; learningRate: number }): Sequential {
  const kind = seedKindNamed('train', 'pooling', options.pooling);
  const model = sequential(
    [
      layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      seedPoolingLayer(kind),
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
