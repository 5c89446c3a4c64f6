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
  /** 2, or the only rank of a sequence kind (its rows are the sequences). */
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

/**
 * The field the explorer adds for sequence kinds, whose op takes `lengths` (valid steps per
 * sequence): every image row is a sequence, and this many of its first steps count.
 */
export const sequenceLengthField: FieldSpec = {
  name: 'lengths',
  field: { type: 'number', min: 0, step: 1, demo: 4 },
  label: 'valid steps of every row',
  doc: 'Each image row is one sequence; its first steps up to this length count, the rest is padding.',
};

/** 'kernelSize' → 'kernel size'. */
export function optionLabel(name: string): string {
  return name.replace(/([A-Z])/g, ' $1').toLowerCase();
}

/** Whether the explorer can show a kind: a 2D op over the image, or a sequence kind over its rows. */
export function isExplorable(kind: PoolingKind): boolean {
  return kind.ranks.includes(2) || kind.window === 'sequence';
}

function fieldsOf(kind: PoolingKind): FieldSpec[] {
  const fields = kind.options.flatMap((spec) =>
    spec.field === undefined
      ? []
      : [{ name: spec.name, field: spec.field, label: optionLabel(spec.name), doc: spec.doc }],
  );
  const needsLength = kind.window === 'sequence' && !fields.some((spec) => spec.name === sequenceLengthField.name);
  return needsLength ? [...fields, sequenceLengthField] : fields;
}

export function explorerKind(kind: PoolingKind): ExplorerKind {
  const rank: SpatialDims = kind.ranks.includes(2) ? 2 : kind.ranks[0]!;
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
