// What most kinds share, given once: their ranks (1 to 3), the layer named after the op
// ('softPool{rank}d' → SoftPooling{rank}D, 'globalMaxPool' → GlobalMaxPooling{rank}D), poolkit's own
// (not Keras's), and for sliding-window kinds poolGeometry's options, output shape and seed config.
// A kind file built on a preset holds only what is specific to its kind, and overrides the rest.
import type { SpatialDims } from '../geometry/layout.js';
import { windowOptions, windowOutputShape } from './common-options.js';
import { definePoolingKind, type DefinedKind, type KindDefinition, type LayerSpec } from './kind.js';

/** The layer class name pattern of an op name pattern: 'softPool{rank}d' and 'softPool' give 'SoftPooling{rank}D'. */
export type PoolingClassName<Op extends string> = Op extends `${infer Head}Pool${'{rank}d' | ''}`
  ? `${Capitalize<Head>}Pooling{rank}D`
  : never;

export function poolingClassNameOf<const Op extends string>(op: Op): PoolingClassName<Op> {
  const head = /^(.*)Pool(\{rank\}d)?$/.exec(op)?.[1];
  if (head === undefined) throw new Error(`op name '${op}' does not end in 'Pool' or 'Pool{rank}d'`);
  return `${head[0]!.toUpperCase()}${head.slice(1)}Pooling{rank}D` as PoolingClassName<Op>;
}

/** A kind's definition less what its preset gives; `layer` may override any of the layer's defaults. */
export type PresetDefinition<Given extends keyof KindDefinition> = Omit<KindDefinition, Given | 'layer'> &
  Partial<Pick<KindDefinition, Given>> & { readonly layer?: Partial<LayerSpec> };

/** The defaults, then what the kind gives, the layer's merged field by field. */
type WithDefaults<Definition, Defaults> = Omit<Defaults, keyof Definition | 'layer'> &
  Omit<Definition, 'layer'> & {
    readonly layer: Omit<DefaultLayer<Definition>, keyof LayerOverrides<Definition>> & LayerOverrides<Definition>;
  };
type LayerOverrides<Definition> = Definition extends { readonly layer: infer Layer extends object } ? Layer : unknown;
type DefaultLayer<Definition> = {
  readonly className: Definition extends { readonly op: infer Op extends string } ? PoolingClassName<Op> : string;
  readonly keras: boolean;
  readonly seedConfig: LayerSpec['seedConfig'];
};

type Preset<Given extends keyof KindDefinition, Defaults> = <const Definition extends PresetDefinition<Given>>(
  definition: Definition,
) => WithDefaults<Definition, Defaults> extends infer Kind extends KindDefinition ? DefinedKind<Kind> : never;

/** A preset: the given defaults under the kind's own fields, the layer's class name from the op's. */
function preset<const Defaults extends Partial<KindDefinition>>(
  defaults: Defaults,
  seedConfig: LayerSpec['seedConfig'],
): Preset<keyof Defaults & keyof KindDefinition, Defaults> {
  return (definition) => {
    const layer = {
      className: poolingClassNameOf(definition.op as string),
      keras: false,
      seedConfig,
      ...definition.layer,
    };
    return definePoolingKind({ ...defaults, ...definition, layer } as unknown as KindDefinition) as never;
  };
}

const ALL_RANKS = [1, 2, 3] as const satisfies readonly SpatialDims[];

/** A sliding-window kind: poolGeometry's windows at ranks 1 to 3, in the seed CNN at poolSize 2. */
export const slidingWindowKind = preset(
  { window: 'sliding', ranks: ALL_RANKS, options: windowOptions, outputShape: windowOutputShape },
  { poolSize: 2 },
);

/** Any other kind: ranks 1 to 3 unless it says, its own window type, options and output shape. */
export const standardKind = preset({ ranks: ALL_RANKS }, {});
