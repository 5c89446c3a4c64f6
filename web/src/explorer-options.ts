// The explorer's option panel: the pooling kind, then only the option groups that kind takes,
// read back as one Settings object for the library call.
import { element, readNumber } from './dom.js';
import { optionGroups } from './option-fields.js';
import type { OptionGroup, PoolKind, Settings } from './pool-kinds.js';

export class OptionsPanel {
  readonly root: HTMLElement;
  private readonly kindSelect = element('select', { id: 'pool-kind', 'aria-label': 'pooling kind' });
  private readonly summary = element('p', { class: 'summary', id: 'kind-summary' });
  private readonly functionName = element('code', { class: 'function-name', id: 'kind-function' });
  private readonly groups: Map<OptionGroup, HTMLElement> = optionGroups();

  constructor(
    private readonly kinds: readonly PoolKind[],
    onChange: () => void,
  ) {
    for (const kind of kinds) this.kindSelect.append(element('option', { value: kind.name }, kind.label));
    this.root = element(
      'section',
      { class: 'panel options-panel' },
      element('h3', {}, 'Pooling'),
      this.kindSelect,
      this.functionName,
      this.summary,
      ...this.groups.values(),
    );
    this.root.addEventListener('input', () => {
      this.showGroups();
      onChange();
    });
    this.showGroups();
  }

  get kind(): PoolKind {
    return this.kinds.find((kind) => kind.name === this.kindSelect.value) ?? this.kinds[0]!;
  }

  /** Shows the chosen kind's groups, and inside them only the fields its modes use. */
  private showGroups(): void {
    const kind = this.kind;
    this.summary.textContent = kind.summary;
    this.functionName.textContent = `${kind.name}()`;
    for (const [group, node] of this.groups) node.hidden = !kind.options.includes(group);
    this.value('pad-top').closest<HTMLElement>('.explicit-pads')!.hidden = this.text('padding-mode') !== 'explicit';
    const fixedSize = this.text('fractional-mode') === 'kernel';
    this.value('fractional-kernel-height').closest<HTMLElement>('.option-row')!.hidden = !fixedSize;
    this.value('option-overlapping').closest<HTMLElement>('.option-row')!.hidden = fixedSize;
  }

  settings(): Settings {
    const pair = (prefix: string, fallback: number): [number, number] => [
      readNumber(this.value(`${prefix}-height`), fallback),
      readNumber(this.value(`${prefix}-width`), fallback),
    ];
    const [top, bottom, left, right] = ['top', 'bottom', 'left', 'right'].map((side) =>
      readNumber(this.value(`pad-${side}`), 0),
    ) as [number, number, number, number];
    const mode = this.text('padding-mode');
    return {
      kernelSize: pair('kernel', 2),
      stride: pair('stride', 2),
      padding:
        mode === 'explicit'
          ? [
              [top, bottom],
              [left, right],
            ]
          : (mode as 'valid' | 'same'),
      dilation: pair('dilation', 1),
      ceilMode: this.value('ceil-mode').checked,
      countIncludePad: this.value('count-include-pad').checked,
      p: Number(this.text('option-p')),
      outputSize: pair('output-size', 1),
      fractionalMode: this.text('fractional-mode') as Settings['fractionalMode'],
      fractionalKernel: pair('fractional-kernel', 2),
      overlapping: this.value('option-overlapping').checked,
      levels: this.text('pyramid-levels')
        .split(/[\s,]+/)
        .filter((part) => part !== '')
        .map(Number),
      pyramidMode: this.text('pyramid-mode') as Settings['pyramidMode'],
      maskedMode: this.text('masked-mode') as Settings['maskedMode'],
      maskedLength: readNumber(this.value('masked-length'), 0),
      alpha: Number(this.text('option-alpha')),
      gateWeight: Number(this.text('option-gate')),
      seed: readNumber(this.value('option-seed'), 0),
      training: this.value('option-training').checked,
    };
  }

  private value(id: string): HTMLInputElement {
    return this.root.querySelector<HTMLInputElement>(`#${id}`)!;
  }

  private text(id: string): string {
    return this.root.querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`)!.value;
  }
}
