// The pooling kinds the explorer offers and the form fields they take, derived from the registry
// alone (poolingKinds and each option's `field`): a kind added to src/pooling/kinds/ appears in the
// menu with its options, and no file in web/ names a kind.
import { poolingKinds, type FormField, type PoolingKind, type SpatialDims, type WindowType } from '../../src/index.js';

/** The form's values by option name (the op's names); the library judges them. */
export type OptionValues = Readonly<Record<string, unknown>>;

/** One option the form edits: its op name, how the form edits it, and what it means. */
export interface FieldSpec {
  readonly name: string;
  readonly field: FormField;
  readonly label: string;
  readonly doc: string;
}

export interface ExplorerKind {
  readonly kind: PoolingKind;
  /** The canonical kind name: the menu's value. */
  readonly name: string;
  /** The rank of the op the explorer calls: 2, or the kind's example's (masked pooling's rows are sequences). */
  readonly rank: SpatialDims;
  /** The op the explorer calls, as the library exports it: 'maxPool2d'. */
  readonly functionName: string;
  readonly label: string;
  readonly summary: string;
  readonly formula: string;
  readonly window: WindowType;
  /** The options the form shows for this kind, in schema order. */
  readonly fields: readonly FieldSpec[];
}

/** 'kernelSize' → 'kernel size'. */
export function optionLabel(name: string): string {
  return name.replace(/([A-Z])/g, ' $1').toLowerCase();
}

/** Whether the explorer can show a kind: a 2D op over the image, or an example call the kind gives. */
export function isExplorable(kind: PoolingKind): boolean {
  return kind.ranks.includes(2) || kind.example !== undefined;
}

function fieldsOf(kind: PoolingKind): FieldSpec[] {
  return kind.options.flatMap((spec) =>
    spec.field === undefined
      ? []
      : [{ name: spec.name, field: spec.field, label: optionLabel(spec.name), doc: spec.doc }],
  );
}

export function explorerKind(kind: PoolingKind): ExplorerKind {
  const rank: SpatialDims = kind.ranks.includes(2) ? 2 : kind.ranks[0]!; // an example call may pick another
  return {
    kind,
    name: kind.name,
    rank,
    functionName: kind.opName(rank),
    label: kind.docs.label,
    summary: kind.docs.summary,
    formula: kind.docs.formula,
    window: kind.window,
    fields: fieldsOf(kind),
  };
}

/** Every kind on offer, in the registry's order (by window type, then by name). */
export function explorableKinds(kinds: readonly PoolingKind[] = poolingKinds): ExplorerKind[] {
  return kinds.filter(isExplorable).map(explorerKind);
}

/** One field per option name across the kinds, as the first kind to declare it describes it. */
export function formFields(kinds: readonly ExplorerKind[]): FieldSpec[] {
  const byName = new Map<string, FieldSpec>();
  for (const kind of kinds) for (const spec of kind.fields) if (!byName.has(spec.name)) byName.set(spec.name, spec);
  return [...byName.values()];
}

/** A kind's options at its fields' demo values. */
export function demoValues(kind: ExplorerKind): OptionValues {
  return Object.fromEntries(kind.fields.map((spec) => [spec.name, spec.field.demo]));
}
