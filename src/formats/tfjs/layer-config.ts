// One layer between Keras's JSON ({class_name, config}, as tfjs-layers and tensorflowjs_converter
// write it) and poolkit's ({className, config}). Classes Keras shares with poolkit keep their names;
// a poolkit layer Keras cannot express (a kind Keras lacks, or options it has no key for) is written
// as 'poolkit>ClassName' with its full config, which poolkit reads back and TensorFlow.js refuses
// by that name. Keras keys poolkit does without are dropped where their value changes nothing.
import { fail } from '../../errors.js';
import type { ConfigObject, ConfigValue, Layer, SerializedLayer } from '../../nn/layer.js';
import { Convolution } from '../../nn/layers/convolution.js';
import { Pooling } from '../../pooling/layer.js';
import { configNameOf, configToOptions } from '../../pooling/options.js';
import { fromKerasConfig, kerasKey, toKerasConfig } from '../keras-config.js';

/** The class-name prefix of poolkit's own layers in Keras's JSON (Keras 3's registered-name style). */
export const CUSTOM_PREFIX = 'poolkit>';

const isNull = (value: unknown) => value === null || value === undefined;
const isFloat32 = (value: unknown) =>
  isNull(value) || value === 'float32' || (value as { config?: { name?: unknown } } | null)?.config?.name === 'float32';

/** Keras keys poolkit's layers do without, and which of their values change nothing. */
const HARMLESS: Readonly<Record<string, (value: unknown) => boolean>> = {
  dtype: isFloat32,
  batchSize: isNull,
  sparse: (value) => value === false || isNull(value),
  ragged: (value) => value === false || isNull(value),
  kernelRegularizer: isNull,
  biasRegularizer: isNull,
  activityRegularizer: isNull,
  kernelConstraint: isNull,
  biasConstraint: isNull,
  betaRegularizer: isNull,
  gammaRegularizer: isNull,
  betaConstraint: isNull,
  gammaConstraint: isNull,
  embeddingsRegularizer: isNull,
  embeddingsConstraint: isNull,
  noiseShape: isNull,
  // Dropout's seed only picks its masks, and poolkit draws them from fit's seed.
  seed: () => true,
  groups: (value) => value === 1 || isNull(value),
  // Loaded weights never meet their initialisers; BatchNormalization's are Keras's defaults in poolkit.
  betaInitializer: () => true,
  gammaInitializer: () => true,
  movingMeanInitializer: () => true,
  movingVarianceInitializer: () => true,
  renorm: (value) => value === false || isNull(value),
  renormClipping: isNull,
  renormMomentum: () => true,
  virtualBatchSize: isNull,
  adjustment: isNull,
  fused: () => true,
  synchronized: (value) => value === false || isNull(value),
  loraRank: isNull,
  loraAlpha: () => true,
  quantizationConfig: isNull,
  autocast: () => true,
};

/** Keys harmless in one class only: Keras's Flatten permutes channels-first input, poolkit's does not. */
const CLASS_HARMLESS: Readonly<Record<string, Readonly<Record<string, (value: unknown) => boolean>>>> = {
  Flatten: { dataFormat: (value) => value === 'channelsLast' || isNull(value) },
};

/**
 * A Keras layer entry → poolkit's {className, config}; throws (naming the layer) on a Keras setting
 * that would change what the layer computes and that poolkit has no key for.
 */
export function layerFromKeras(entry: unknown, where: string): SerializedLayer {
  const { class_name: className, config } = (entry ?? {}) as { class_name?: unknown; config?: unknown };
  if (typeof className !== 'string' || config === null || typeof config !== 'object' || Array.isArray(config))
    fail(where, 'layer', 'must be {class_name, config}', entry);
  const name = className.startsWith(CUSTOM_PREFIX) ? className.slice(CUSTOM_PREFIX.length) : className;
  const raw = config as Record<string, unknown>;
  if (name === 'InputLayer') {
    const batchInputShape = raw.batch_input_shape ?? raw.batch_shape ?? raw.batchInputShape;
    const dtype = raw.dtype === 'int32' ? 'int32' : 'float32';
    return {
      className: name,
      config: { name: raw.name as string, batchInputShape: batchInputShape as ConfigValue, dtype },
    };
  }
  const converted = fromKerasConfig(raw);
  const harmless = { ...HARMLESS, ...(CLASS_HARMLESS[name] ?? {}) };
  for (const [key, value] of Object.entries(converted)) {
    if (!Object.hasOwn(harmless, key)) continue;
    const layer = typeof raw.name === 'string' ? `layer '${raw.name}' (${name})` : `a ${name} layer`;
    if (!harmless[key]!(value)) fail(where, layer, `has a Keras setting poolkit lacks: ${kerasKey(key)}`, value);
    delete converted[key];
  }
  return { className: name, config: converted as ConfigObject };
}

/** Two option values equal as a layer reads them (2 and [2, 2] are the same window). */
function sameOption(left: unknown, right: unknown): boolean {
  const list = (value: unknown) => (Array.isArray(value) ? value : [value]);
  const [a, b] = [list(left), list(right)];
  const shorter = a.length <= b.length ? a : b;
  const longer = shorter === a ? b : a;
  return longer.every(
    (item, index) => JSON.stringify(item) === JSON.stringify(shorter.length === 1 ? shorter[0] : shorter[index]),
  );
}

/**
 * Whether Keras's class of a pooling layer computes what it does: a kind Keras has, every option
 * Keras lacks at its default (the schema's options written always are Keras's), padding Keras's.
 */
function kerasPooling(layer: Pooling): boolean {
  if (layer.kind.layer?.keras !== true) return false;
  const given = configToOptions(layer.kind.options, layer.config);
  const defaults = configToOptions(layer.kind.options, {});
  return layer.kind.options.every((spec) => {
    const key = configNameOf(spec);
    if (key === null || layer.config[key] === undefined) return true;
    if (spec.inConfig === 'always')
      return key !== 'padding' || layer.config.padding === 'valid' || layer.config.padding === 'same';
    return sameOption(given[spec.name], defaults[spec.name]);
  });
}

/** Whether Keras's class of the same name computes what the layer does. */
function kerasExpresses(layer: Layer): boolean {
  if (layer instanceof Pooling) return kerasPooling(layer);
  if (layer instanceof Convolution) return ['valid', 'same', 'causal'].includes(layer.padding as string);
  return true;
}

/** A poolkit layer as Keras's {class_name, config}. */
export function layerToKeras(layer: Layer): ConfigObject {
  const className = kerasExpresses(layer) ? layer.className : `${CUSTOM_PREFIX}${layer.className}`;
  return { class_name: className, config: toKerasConfig(layer.getConfig()) };
}
