// The registry: every pooling kind, read from the one list of kind files (kinds/index.ts), and what
// is derived from it for the rest of the library: look-up by name or alias, the layer classes and
// factories, the reference kernels, and the kinds that fit the seed CNN's pooling position.
import type { SpatialDims } from '../geometry/layout.js';
import { isPoolingKind, withRank, type PoolingKind, type WindowType } from './kind.js';
import * as kindFiles from './kinds/index.js';
import { factoryPattern, namesRank, Pooling, poolingClassName, type PoolingConfig } from './layer.js';

const WINDOW_ORDER: readonly WindowType[] = [
  'sliding',
  'adaptive',
  'filter',
  'global',
  'region',
  'sequence',
  'inverse',
];

type KindFiles = typeof kindFiles;
/** Every kind's definition, as the type system sees it. */
export type RegisteredKind = Extract<KindFiles[keyof KindFiles], PoolingKind>;

/** Every pooling kind: grouped by window type, alphabetical inside a group. Read-only. */
export const poolingKinds: readonly RegisteredKind[] = Object.freeze(
  (Object.values(kindFiles).filter(isPoolingKind) as RegisteredKind[]).sort(
    (left, right) =>
      WINDOW_ORDER.indexOf(left.window) - WINDOW_ORDER.indexOf(right.window) || left.name.localeCompare(right.name),
  ),
);

/** 'adaptive-max', 'Adaptive_Max' and 'adaptiveMax' name the same kind. */
function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

const byName = new Map<string, RegisteredKind>();
for (const kind of poolingKinds) {
  for (const name of [kind.name, ...kind.aliases]) {
    const key = normalizeName(name);
    const taken = byName.get(key);
    if (taken !== undefined)
      throw new Error(`pooling kinds '${taken.name}' and '${kind.name}' both answer to '${name}'`);
    byName.set(key, kind);
  }
}

/** The kind with this name or alias (case, '-' and '_' ignored), or undefined. */
export function findPoolingKind(name: string): RegisteredKind | undefined {
  return typeof name === 'string' ? byName.get(normalizeName(name)) : undefined;
}

/** Every name a kind answers to, canonical names first: for usage texts and errors. */
export function poolingKindNames(): string[] {
  return [...poolingKinds.map((kind) => kind.name), ...poolingKinds.flatMap((kind) => kind.aliases)];
}

/** Kinds whose layer can stand in the seed CNN's pooling position (2D, a seed config). */
export function seedPoolingKinds(): RegisteredKind[] {
  return poolingKinds.filter((kind) => (kind.layer?.seedConfig ?? null) !== null && kind.ranks.includes(2));
}

/** Layer class name → the kind and rank it stands for: how a saved model's layers come back. */
export function poolingLayerClasses(): Map<string, { kind: RegisteredKind; rank: SpatialDims | null }> {
  const classes = new Map<string, { kind: RegisteredKind; rank: SpatialDims | null }>();
  for (const kind of poolingKinds) {
    if (kind.layer === null) continue;
    const ranked = namesRank(kind.layer);
    classes.set(poolingClassName(kind.layer, null), { kind, rank: ranked ? null : kind.ranks[0]! });
    if (ranked) for (const rank of kind.ranks) classes.set(poolingClassName(kind.layer, rank), { kind, rank });
  }
  return classes;
}

/** A layer factory: `layers.maxPooling2d({ poolSize: 2 })`. */
export type PoolingFactory = (config?: PoolingConfig) => Pooling;

type FactoryNames<Pattern extends string, Rank extends number> = Pattern extends `${infer Head}{rank}${infer Tail}`
  ? (Tail extends 'd' | 'D' ? Head : `${Head}${Tail}`) | `${Head}${Rank}${Tail}`
  : Pattern;
type FactoryPattern<Spec> = Spec extends { readonly factory: infer Pattern extends string }
  ? Pattern
  : Spec extends { readonly className: `${infer Head}{rank}D` }
    ? `${Uncapitalize<Head>}{rank}d`
    : Spec extends { readonly className: infer Name extends string }
      ? Uncapitalize<Name>
      : never;
type FactoriesOf<K> = K extends {
  readonly layer: infer Spec extends object;
  readonly ranks: readonly (infer Rank extends number)[];
}
  ? { readonly [Name in FactoryNames<FactoryPattern<Spec>, Rank>]: PoolingFactory }
  : Record<never, never>;
type Intersect<U> = (U extends unknown ? (union: U) => void : never) extends (both: infer I) => void ? I : never;

/** Every pooling layer factory: `maxPooling1d/2d/3d`, `maxPooling` (rank from the input), ... */
export type PoolingFactories = Intersect<FactoriesOf<RegisteredKind>>;

export function poolingFactories(): PoolingFactories {
  const factories: Record<string, PoolingFactory> = {};
  for (const kind of poolingKinds) {
    const spec = kind.layer;
    if (spec === null) continue;
    const ranked = namesRank(spec);
    factories[withRank(factoryPattern(spec), null)] = (config = {}) =>
      new Pooling(kind, ranked ? null : kind.ranks[0]!, config);
    if (!ranked) continue;
    for (const rank of kind.ranks)
      factories[withRank(factoryPattern(spec), rank)] = (config = {}) => new Pooling(kind, rank, config);
  }
  return Object.freeze(factories) as unknown as PoolingFactories;
}
