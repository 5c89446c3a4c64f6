// The explorer's option panel: the kind menu (grouped by window type), the chosen kind's function,
// summary and formula, then one field per option name across all kinds, only the chosen kind's
// shown; its values are read back by option name and published in data-options for tests.
import type { WindowType } from '../../src/index.js';
import { element } from './dom.js';
import { kindMenuId } from './field-ids.js';
import { optionField, type OptionField } from './option-fields.js';
import { formFields, type ExplorerKind, type FieldSpec, type OptionValues } from './pool-kinds.js';

const windowTitles: Partial<Record<WindowType, string>> = {
  sliding: 'Sliding windows',
  adaptive: 'Adaptive windows',
  filter: 'Filters and transforms',
  global: 'The whole input',
  region: 'Regions',
  sequence: 'Sequences (each row one)',
  inverse: 'Inverses (after max pooling)',
};

export class OptionsPanel {
  readonly root: HTMLElement;
  private readonly menu = element('select', { id: kindMenuId, 'aria-label': 'pooling kind' });
  private readonly functionName = element('code', { class: 'function-name', id: 'kind-function' });
  private readonly summary = element('p', { class: 'summary', id: 'kind-summary' });
  private readonly formula = element('p', { class: 'kind-formula', id: 'kind-formula' });
  private readonly fields = new Map<string, OptionField>();
  private readonly fieldBox = element('div', { class: 'option-group', id: 'option-fields' });
  private shownKind: ExplorerKind | null = null;

  constructor(
    private readonly kinds: readonly ExplorerKind[],
    onChange: () => void,
  ) {
    this.fillMenu();
    for (const spec of formFields(kinds)) this.fields.set(spec.name, optionField(spec));
    this.fieldBox.append(...[...this.fields.values()].map((field) => field.root));
    this.root = element(
      'section',
      { class: 'panel options-panel' },
      element('h3', {}, 'Pooling'),
      this.menu,
      this.functionName,
      this.summary,
      this.formula,
      this.fieldBox,
    );
    this.root.addEventListener('input', () => {
      this.show();
      onChange();
    });
    this.show();
  }

  get kind(): ExplorerKind {
    return this.kinds.find((kind) => kind.name === this.menu.value) ?? this.kinds[0]!;
  }

  /** The chosen kind's option values by option name (undefined where a field is blank). */
  values(): OptionValues {
    return Object.fromEntries(this.kind.fields.map((spec) => [spec.name, this.fields.get(spec.name)!.read()]));
  }

  private fillMenu(): void {
    const groups = new Map<WindowType, HTMLOptGroupElement>();
    for (const kind of this.kinds) {
      let group = groups.get(kind.window);
      if (group === undefined) {
        group = element('optgroup', { label: windowTitles[kind.window] ?? kind.window });
        groups.set(kind.window, group);
        this.menu.append(group);
      }
      group.append(element('option', { value: kind.name }, kind.label));
    }
  }

  /** Shows the chosen kind's text and fields; a new kind's fields follow its specs (choices, limits). */
  private show(): void {
    const kind = this.kind;
    if (kind !== this.shownKind) {
      this.shownKind = kind;
      this.functionName.textContent = `${kind.functionName}()`;
      this.summary.textContent = kind.summary;
      this.formula.textContent = kind.formula;
      for (const spec of kind.fields) this.follow(spec);
      const shown = new Set(kind.fields.map((spec) => spec.name));
      for (const [name, field] of this.fields) field.root.hidden = !shown.has(name);
      // The kind's fields in its schema's order, after the hidden ones.
      this.fieldBox.append(...kind.fields.map((spec) => this.fields.get(spec.name)!.root));
    }
    this.root.dataset.options = JSON.stringify(this.values());
  }

  /** Adapts an option's field to this kind's spec, or replaces it where the kind edits it another way. */
  private follow(spec: FieldSpec): void {
    const field = this.fields.get(spec.name)!;
    if (field.type === spec.field.type) {
      field.adapt(spec.field);
      return;
    }
    const replacement = optionField(spec);
    field.root.replaceWith(replacement.root);
    this.fields.set(spec.name, replacement);
  }
}
