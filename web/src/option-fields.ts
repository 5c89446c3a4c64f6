// The explorer's form fields, one per option name, each built from a registry FormField (pair,
// number, select, checkbox, list, padding) with ids from field-ids.ts; a field reads its value
// back as the op takes it, and a blank number is left out for the library to default or refuse.
import type { FormField } from '../../src/index.js';
import { element } from './dom.js';
import { fieldIds, type Axis, type Side } from './field-ids.js';
import type { FieldSpec } from './pool-kinds.js';

export interface OptionField {
  readonly name: string;
  readonly type: FormField['type'];
  readonly root: HTMLElement;
  /** The value as the op takes it; undefined when blank. */
  read(): unknown;
  /** Follows another kind's description of the same option: its choices and limits (the value stays). */
  adapt(field: FormField): void;
}

type FieldOf<Type extends FormField['type']> = Extract<FormField, { type: Type }>;
type Limits = { min?: number; max?: number; step?: number };

function numberBox(id: string, value: number, limits: Limits): HTMLInputElement {
  const box = element('input', { id, type: 'number', value });
  setLimits(box, limits);
  return box;
}

function setLimits(box: HTMLInputElement, { min, max, step }: Limits): void {
  for (const [name, value] of [
    ['min', min],
    ['max', max],
  ] as const) {
    if (value === undefined) box.removeAttribute(name);
    else box.setAttribute(name, String(value));
  }
  box.step = step === undefined ? 'any' : String(step);
}

/** A number field's value: undefined when blank, else the number typed (NaN and all: the library judges). */
function readBox(box: HTMLInputElement): number | undefined {
  return box.value.trim() === '' ? undefined : Number(box.value);
}

/** A row: the option's label (its doc on hover), then its controls. */
function row(spec: FieldSpec, ...controls: HTMLElement[]): HTMLElement {
  return element(
    'div',
    { class: 'option-row', title: spec.doc },
    element('span', { class: 'option-title' }, spec.label),
    ...controls,
  );
}

function small(text: string, box: HTMLInputElement): HTMLElement {
  return element('label', { class: 'number-field', for: box.id }, element('span', {}, text), box);
}

function pairField(spec: FieldSpec, field: FieldOf<'pair'>): OptionField {
  const axes: Axis[] = ['height', 'width'];
  const boxes = axes.map((axis, index) =>
    numberBox(fieldIds.axis(spec.name, axis), field.demo[index]!, { min: field.min, step: 1 }),
  );
  return {
    name: spec.name,
    type: 'pair',
    root: row(spec, small('H', boxes[0]!), small('W', boxes[1]!)),
    read: () => {
      const [height, width] = boxes.map(readBox);
      return height === undefined || width === undefined ? undefined : [height, width];
    },
    adapt: (next) => boxes.forEach((box) => setLimits(box, { min: (next as FieldOf<'pair'>).min, step: 1 })),
  };
}

function numberField(spec: FieldSpec, field: FieldOf<'number'>): OptionField {
  const box = numberBox(fieldIds.value(spec.name), field.demo, field);
  const root = row(spec, box);
  return {
    name: spec.name,
    type: 'number',
    root,
    read: () => readBox(box),
    adapt: (next) => setLimits(box, next as FieldOf<'number'>),
  };
}

/** Replaces a menu's choices, keeping its value where it is still a choice, else `fallback`. */
function fillChoices(select: HTMLSelectElement, choices: readonly (readonly [string, string])[], fallback: string) {
  const kept = select.value;
  select.replaceChildren(...choices.map(([value, label]) => element('option', { value }, label)));
  select.value = choices.some(([value]) => value === kept) ? kept : fallback;
}

function selectField(spec: FieldSpec, field: FieldOf<'select'>): OptionField {
  const select = element('select', { id: fieldIds.value(spec.name), 'aria-label': spec.label });
  const fill = (next: FieldOf<'select'>): void =>
    fillChoices(
      select,
      next.choices.map((choice) => [choice, choice]),
      next.demo,
    );
  fill(field);
  return {
    name: spec.name,
    type: 'select',
    root: row(spec, select),
    read: () => select.value,
    adapt: (next) => fill(next as FieldOf<'select'>),
  };
}

function checkboxField(spec: FieldSpec, field: FieldOf<'checkbox'>): OptionField {
  const box = element('input', { type: 'checkbox', id: fieldIds.value(spec.name), checked: field.demo });
  const root = element('label', { class: 'option-row check', title: spec.doc }, box, element('span', {}, spec.label));
  return { name: spec.name, type: 'checkbox', root, read: () => box.checked, adapt: () => undefined };
}

function listField(spec: FieldSpec, field: FieldOf<'list'>): OptionField {
  const box = element('input', { type: 'text', id: fieldIds.value(spec.name), value: field.demo.join(', '), size: 10 });
  const read = (): number[] =>
    box.value
      .split(/[\s,]+/)
      .filter((part) => part !== '')
      .map(Number);
  return { name: spec.name, type: 'list', root: row(spec, box), read, adapt: () => undefined };
}

/** valid, same (TensorFlow's rule) or explicit [before, after] per axis (PyTorch's). */
function paddingField(spec: FieldSpec, field: FieldOf<'padding'>): OptionField {
  const mode = element('select', { id: fieldIds.value(spec.name), 'aria-label': spec.label });
  const modes: [string, string][] = [
    ['valid', 'valid (no padding)'],
    ['same', "same (TensorFlow's rule)"],
    ['explicit', 'explicit (PyTorch)'],
  ];
  fillChoices(mode, modes, field.demo);
  const side = (name: Side): { box: HTMLInputElement; label: HTMLElement } => {
    const box = numberBox(fieldIds.side(spec.name, name), 0, { min: 0, step: 1 });
    return { box, label: small(name, box) };
  };
  const [top, bottom, left, right] = [side('top'), side('bottom'), side('left'), side('right')];
  const padRow = (title: string, ...labels: HTMLElement[]): HTMLElement =>
    element('div', { class: 'option-row' }, element('span', { class: 'option-title' }, title), ...labels);
  const pads = element(
    'div',
    { class: 'explicit-pads' },
    padRow('pad rows', top.label, bottom.label),
    padRow('pad cols', left.label, right.label),
  );
  const showPads = (): void => void (pads.hidden = mode.value !== 'explicit');
  mode.addEventListener('input', showPads);
  showPads();
  const amount = (side: { box: HTMLInputElement }): number => readBox(side.box) ?? 0;
  const read = (): unknown =>
    mode.value === 'explicit'
      ? [
          [amount(top), amount(bottom)],
          [amount(left), amount(right)],
        ]
      : mode.value;
  const root = element('div', {}, row(spec, mode), pads);
  return { name: spec.name, type: 'padding', root, read, adapt: () => undefined };
}

/** The field for an option, as its spec describes it. */
export function optionField(spec: FieldSpec): OptionField {
  const field = spec.field;
  switch (field.type) {
    case 'pair':
      return pairField(spec, field);
    case 'number':
      return numberField(spec, field);
    case 'select':
      return selectField(spec, field);
    case 'checkbox':
      return checkboxField(spec, field);
    case 'list':
      return listField(spec, field);
    case 'padding':
      return paddingField(spec, field);
  }
}
