// Keras's spellings ⇄ poolkit's, in one place: config keys (Keras's snake_case ⇄ tfjs-layers'
// camelCase, which poolkit's configs use), data formats ('channels_last' ⇄ 'channelsLast'),
// initialisers (Keras's {class_name, config} ⇄ poolkit's names) and the input shape with its batch.
import type { ConfigObject, ConfigValue } from '../nn/layer.js';
import { snakeCase } from '../nn/layer.js';
import type { InitializerName } from '../nn/initializers.js';

/** poolkit keys whose Keras spelling is not their snake_case ('keepDims' is Keras's 'keepdims'). */
const KEY_EXCEPTIONS: Readonly<Record<string, string>> = { keepDims: 'keepdims' };
const FROM_KERAS_EXCEPTIONS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(KEY_EXCEPTIONS).map(([poolkit, keras]) => [keras, poolkit]),
);

/** 'poolSize' → 'pool_size' (tfjs-layers' toSnakeCase), with Keras's exceptions. */
export function kerasKey(key: string): string {
  return KEY_EXCEPTIONS[key] ?? snakeCase(key);
}

/** 'pool_size' → 'poolSize' (tfjs-layers' toCamelCase), with Keras's exceptions. */
export function poolkitKey(key: string): string {
  return FROM_KERAS_EXCEPTIONS[key] ?? key.replace(/[_-]+(.)/g, (_match, letter: string) => letter.toUpperCase());
}

/** Keras's VarianceScaling parameters of poolkit's fan-based initialisers. */
const VARIANCE_SCALING: Readonly<Record<string, { scale: number; mode: string; uniform: boolean }>> = {
  glorotUniform: { scale: 1, mode: 'fan_avg', uniform: true },
  glorotNormal: { scale: 1, mode: 'fan_avg', uniform: false },
  heUniform: { scale: 2, mode: 'fan_in', uniform: true },
  heNormal: { scale: 2, mode: 'fan_in', uniform: false },
  lecunUniform: { scale: 1, mode: 'fan_in', uniform: true },
  lecunNormal: { scale: 1, mode: 'fan_in', uniform: false },
};

/** poolkit's initialiser name as Keras's object (what both Keras and tfjs-layers read). */
export function kerasInitializer(name: InitializerName): ConfigObject {
  if (name === 'zeros') return { class_name: 'Zeros', config: {} };
  if (name === 'ones') return { class_name: 'Ones', config: {} };
  if (name === 'randomUniform')
    return { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } };
  const { scale, mode, uniform } = VARIANCE_SCALING[name]!;
  return {
    class_name: 'VarianceScaling',
    config: { scale, mode, distribution: uniform ? 'uniform' : 'truncated_normal', seed: null },
  };
}

const NAMED_CLASSES: Readonly<Record<string, InitializerName>> = {
  Zeros: 'zeros',
  Ones: 'ones',
  GlorotUniform: 'glorotUniform',
  GlorotNormal: 'glorotNormal',
  HeUniform: 'heUniform',
  HeNormal: 'heNormal',
  LecunUniform: 'lecunUniform',
  LeCunUniform: 'lecunUniform',
  LecunNormal: 'lecunNormal',
  LeCunNormal: 'lecunNormal',
};

/**
 * Keras's initialiser object (or a name) as poolkit's name; null when poolkit has none like it.
 * Loaded weights never meet their initialiser, so an importer may fall back to the layer's default.
 */
export function poolkitInitializer(value: unknown): InitializerName | null {
  const object = value as { class_name?: unknown; className?: unknown; config?: Record<string, unknown> } | null;
  if (typeof value === 'string')
    return (
      NAMED_CLASSES[value] ??
      (value in VARIANCE_SCALING || value === 'zeros' || value === 'ones' ? (value as InitializerName) : null)
    );
  const className = object?.class_name ?? object?.className;
  if (typeof className !== 'string') return null;
  if (className in NAMED_CLASSES) return NAMED_CLASSES[className]!;
  const config = object?.config ?? {};
  if (className === 'RandomUniform') return config.minval === -0.05 && config.maxval === 0.05 ? 'randomUniform' : null;
  if (className !== 'VarianceScaling') return null;
  const mode = poolkitKey(String(config.mode));
  const uniform = config.distribution === 'uniform';
  const found = Object.entries(VARIANCE_SCALING).find(
    ([, spec]) => spec.scale === config.scale && poolkitKey(spec.mode) === mode && spec.uniform === uniform,
  );
  return found === undefined ? null : (found[0] as InitializerName);
}

/** 'channelsLast' ⇄ 'channels_last' (values of dataFormat). */
export function kerasDataFormat(value: unknown): unknown {
  return value === 'channelsLast' ? 'channels_last' : value === 'channelsFirst' ? 'channels_first' : value;
}

export function poolkitDataFormat(value: unknown): unknown {
  return value === 'channels_last' ? 'channelsLast' : value === 'channels_first' ? 'channelsFirst' : value;
}

/** A poolkit layer config in Keras's spelling; inputShape becomes batch_input_shape (batch null). */
export function toKerasConfig(config: ConfigObject): ConfigObject {
  const keras: ConfigObject = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === 'inputShape') keras.batch_input_shape = [null, ...(value as readonly ConfigValue[])];
    else if (key === 'dataFormat') keras.data_format = kerasDataFormat(value) as ConfigValue;
    else if (key.endsWith('Initializer') && typeof value === 'string')
      keras[kerasKey(key)] = kerasInitializer(value as InitializerName);
    else keras[kerasKey(key)] = value;
  }
  return keras;
}

/**
 * A Keras layer config in poolkit's spelling: keys camelCased, data formats and initialisers turned
 * into poolkit's values (an initialiser poolkit lacks is left out: the layer's default stands in),
 * batch_input_shape (Keras 2, tfjs) or batch_shape (Keras 3) becoming inputShape.
 */
export function fromKerasConfig(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [kerasName, value] of Object.entries(config)) {
    const key = poolkitKey(kerasName);
    if (key === 'batchInputShape' || key === 'batchShape') {
      if (Array.isArray(value)) result.inputShape = value.slice(1);
    } else if (key === 'dataFormat') result.dataFormat = poolkitDataFormat(value);
    else if (key.endsWith('Initializer')) {
      const name = poolkitInitializer(value);
      if (name !== null) result[key] = name;
    } else result[key] = value;
  }
  return result;
}
