// Random pooling layer configs drawn from each kind's own option schema (its form fields: pairs,
// numbers, choices, checkboxes, lists, padding) and kept when the kind accepts them for a random
// input shape, so the format tests cover every kind of the registry without a list of their own.
import {
  Pooling,
  poolingKinds,
  Random,
  sequential,
  layers,
  type ConfigValue,
  type RegisteredKind,
  type Sequential,
  type SpatialDims,
} from '../../src/index.js';
import { configNameOf, type OptionSpec } from '../../src/pooling/options.js';

export interface RandomPoolingCase {
  readonly kind: RegisteredKind;
  readonly rank: SpatialDims;
  readonly config: Record<string, ConfigValue>;
  /** The input shape with batch 2, in the config's data format. */
  readonly inputShape: number[];
}

const integer = (random: Random, low: number, high: number) => low + Math.floor(random.uniform() * (high - low + 1));

/** A value for one option from its form field; undefined: leave the option to its default. */
function drawOption(spec: OptionSpec, rank: number, random: Random): ConfigValue | undefined {
  const field = spec.field;
  if (field === undefined || random.uniform() < 0.25) return undefined;
  switch (field.type) {
    case 'pair':
      return Array.from({ length: rank }, () => integer(random, field.min, field.min + 2));
    case 'number': {
      const step = field.step ?? 1;
      const low = field.min ?? 0;
      return low + step * integer(random, 0, 4);
    }
    case 'select':
      return field.choices[integer(random, 0, field.choices.length - 1)]!;
    case 'checkbox':
      return random.uniform() < 0.5;
    case 'list':
      return Array.from({ length: integer(random, 1, 3) }, () => integer(random, 1, 4));
    case 'padding':
      return random.uniform() < 0.5 ? 'valid' : 'same';
  }
}

/** Explicit pads within half the window (PyTorch's rule) for a config with a poolSize. */
function explicitPadding(config: Record<string, ConfigValue>, rank: number, random: Random): ConfigValue {
  const sizes = (config.poolSize as number[] | undefined) ?? Array<number>(rank).fill(2);
  return sizes.map((size) => [integer(random, 0, Math.floor(size / 2)), integer(random, 0, Math.floor(size / 2))]);
}

/** The layer's input shape, batch 2, spatial 4 to 9, channels 1 to 3, in its data format. */
function inputShapeFor(rank: number, channelsLast: boolean, random: Random): number[] {
  const spatial = Array.from({ length: rank }, () => integer(random, 4, rank === 3 ? 6 : 9));
  const channels = integer(random, 1, 3);
  return channelsLast ? [2, ...spatial, channels] : [2, channels, ...spatial];
}

/** A random config of `kind` at `rank` that the kind accepts for a random input (tries until one fits). */
export function randomPoolingCase(kind: RegisteredKind, rank: SpatialDims, random: Random): RandomPoolingCase {
  for (let attempt = 0; attempt < 200; attempt++) {
    const config: Record<string, ConfigValue> = {};
    for (const spec of kind.options) {
      const key = configNameOf(spec);
      const value = key === null ? undefined : drawOption(spec, rank, random);
      if (key !== null && value !== undefined) config[key] = value;
    }
    if ('padding' in config && random.uniform() < 0.3) config.padding = explicitPadding(config, rank, random);
    if (config.padding === 'same') delete config.ceilMode;
    const hasFormat = kind.options.some((spec) => spec.name === 'dataFormat');
    const channelsLast = !hasFormat || random.uniform() < 0.6;
    if (!channelsLast) config.dataFormat = 'channelsFirst';
    const inputShape = inputShapeFor(rank, channelsLast, random);
    try {
      const layer = new Pooling(kind, rank, { ...config, inputShape: inputShape.slice(1) });
      sequential([layer]);
      return { kind, rank, config, inputShape };
    } catch {
      // the kind refuses this combination (a window larger than the input, ...): draw again
    }
  }
  throw new Error(`no random config found for ${kind.name} at rank ${rank}`);
}

/** Every kind with a layer, at every rank it defines. */
export function kindsWithLayers(): { kind: RegisteredKind; rank: SpatialDims }[] {
  return poolingKinds.flatMap((kind) => (kind.layer === null ? [] : kind.ranks.map((rank) => ({ kind, rank }))));
}

/**
 * A model of the case's pooling layer followed by Flatten (when its output has more than two axes)
 * and a small Dense, so the pooled values' order matters; learnable pooling weights get random values.
 */
export function poolingModel(testCase: RandomPoolingCase, seed: number): Sequential {
  const pooling = new Pooling(testCase.kind, testCase.rank, {
    ...testCase.config,
    inputShape: testCase.inputShape.slice(1),
  });
  const model = sequential([pooling], { seed });
  if (model.outputShape!.length > 2) model.add(layers.flatten());
  model.add(layers.dense({ units: 3 }));
  const random = new Random(seed);
  for (const parameter of pooling.parameters) {
    for (let index = 0; index < parameter.tensor.size; index++)
      parameter.tensor.values[index] = random.uniform() * 2 - 1;
  }
  return model;
}

/** Uniform values in [-2, 2); with `zeroSteps`, some steps of 1D input are all 0 (masked pooling's padding). */
export function randomInput(shape: readonly number[], seed: number, zeroSteps = false): Float32Array {
  const random = new Random(seed);
  const values = Float32Array.from(
    { length: shape.reduce((total, size) => total * size, 1) },
    () => random.uniform() * 4 - 2,
  );
  if (zeroSteps && shape.length === 3) {
    const [batch, steps, features] = shape as [number, number, number];
    for (let sample = 0; sample < batch; sample++)
      for (let step = 0; step < steps; step++)
        if (random.uniform() < 0.3)
          values.fill(0, (sample * steps + step) * features, (sample * steps + step + 1) * features);
  }
  return values;
}
