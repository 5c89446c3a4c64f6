// A pooling kind's option schema: which options its op takes, what its layer's config calls them,
// their defaults and documentation, and how the web explorer edits them. Ops and layers refuse
// keys the schema lacks (checkKnownOptions), so a JavaScript caller's typo never passes silently.
import { LAYER_CONFIG_KEYS } from '../nn/layer-options.js';
import type { ConfigValue } from '../nn/layer.js';

/** How the web explorer's form edits an option (see web/src/option-fields.ts). */
export type FormField =
  | { readonly type: 'pair'; readonly min: number; readonly demo: readonly [number, number] }
  | {
      readonly type: 'number';
      readonly min?: number;
      readonly max?: number;
      readonly step?: number;
      readonly demo: number;
    }
  | { readonly type: 'select'; readonly choices: readonly string[]; readonly demo: string }
  | { readonly type: 'checkbox'; readonly demo: boolean }
  | { readonly type: 'list'; readonly demo: readonly number[] }
  | { readonly type: 'padding'; readonly demo: 'valid' | 'same' };

export interface OptionSpec {
  /** The op's name for it (PyTorch's spelling in camelCase): 'kernelSize'. */
  readonly name: string;
  /** The layer config's name (tfjs-layers' spelling): 'poolSize'; null: the op's only (seed, returnIndices). */
  readonly configName?: string | null;
  /** The op must be given it ('op'; a layer has a default), or the layer config too ('always'). */
  readonly required?: 'op' | 'always';
  /** True for layer-only settings that the layer turns into op arguments itself (units, maskValue). */
  readonly layerOnly?: boolean;
  /** The value when absent, as documented; undefined: required, or worked out from other options. */
  readonly default?: ConfigValue;
  /** The layer's default where it differs from the op's (Keras's rule rather than PyTorch's); may follow the config. */
  readonly layerDefault?: ConfigValue | ((config: Readonly<Record<string, unknown>>) => ConfigValue | undefined);
  /** A layer's getConfig() writes it always (Keras writes these), or only when it differs from the default. */
  readonly inConfig?: 'always' | 'whenSet';
  /**
   * The form getConfig() writes (a per-axis list, say), given the value (undefined when neither set
   * nor defaulted), the layer's rank and its whole config (a default may follow another option).
   */
  readonly normalize?: (
    owner: string,
    value: unknown,
    rank: number,
    config: Readonly<Record<string, unknown>>,
  ) => ConfigValue;
  readonly doc: string;
  readonly field?: FormField;
}

export type OptionSchema = readonly OptionSpec[];

export function configNameOf(spec: OptionSpec): string | null {
  return spec.configName === undefined ? spec.name : spec.configName;
}

/** The op's option names. */
export function opKeys(schema: OptionSchema): string[] {
  return schema.filter((spec) => !spec.layerOnly).map((spec) => spec.name);
}

/** The layer config's keys (its own options, then the ones every layer takes). */
export function configKeys(schema: OptionSchema): string[] {
  const own = schema.map(configNameOf).filter((name): name is string => name !== null);
  return [...own, ...Object.keys(LAYER_CONFIG_KEYS)];
}

/** A layer config's values under the op's names, with the layer's defaults filled in. */
export function configToOptions(
  schema: OptionSchema,
  config: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const spec of schema) {
    const key = configNameOf(spec);
    if (key === null) continue;
    const value = config[key] ?? layerDefaultOf(spec, config);
    if (value !== undefined) options[spec.name] = value;
  }
  return options;
}

/** What a layer's getConfig() writes for its kind's options: Keras's keys always, others when set. */
export function optionsToConfig(
  owner: string,
  schema: OptionSchema,
  config: Readonly<Record<string, unknown>>,
  rank: number,
): Record<string, ConfigValue> {
  const written: Record<string, ConfigValue> = {};
  for (const spec of schema) {
    const key = configNameOf(spec);
    if (key === null) continue;
    const given = config[key];
    if (given === undefined && spec.inConfig !== 'always') continue;
    const value = given ?? layerDefaultOf(spec, config);
    if (spec.normalize) written[key] = spec.normalize(owner, value, rank, config);
    else if (value !== undefined) written[key] = value as ConfigValue;
  }
  return written;
}

/** A layer's value for an option its config leaves out. */
function layerDefaultOf(spec: OptionSpec, config: Readonly<Record<string, unknown>>): unknown {
  const layerDefault = typeof spec.layerDefault === 'function' ? spec.layerDefault(config) : spec.layerDefault;
  return layerDefault ?? spec.default;
}
