// The explorer's form fields, one group per kind of option (window, p, seed, output size, ...);
// the options panel shows the groups the chosen pooling kind lists. Ids are what tests set.
import { element } from './dom.js';
import type { OptionGroup } from './pool-kinds.js';

function numberField(id: string, label: string, value: number, attributes: Record<string, string | number> = {}) {
  return element(
    'label',
    { class: 'number-field', for: id },
    element('span', {}, label),
    element('input', { id, type: 'number', value, step: 1, ...attributes }),
  );
}

/** Two fields `<prefix>-height` and `<prefix>-width` under one title. */
function pairRow(title: string, idPrefix: string, value: number, minimum: number): HTMLElement {
  return element(
    'div',
    { class: 'option-row' },
    element('span', { class: 'option-title' }, title),
    numberField(`${idPrefix}-height`, 'H', value, { min: minimum }),
    numberField(`${idPrefix}-width`, 'W', value, { min: minimum }),
  );
}

function checkRow(id: string, label: string, checked: boolean): HTMLElement {
  return element(
    'label',
    { class: 'option-row check' },
    element('input', { type: 'checkbox', id, checked }),
    element('span', {}, label),
  );
}

function selectRow(title: string, id: string, choices: readonly [string, string][]): HTMLElement {
  const select = element('select', { id, 'aria-label': id.replace('-', ' ') });
  for (const [value, label] of choices) select.append(element('option', { value }, label));
  return element('div', { class: 'option-row' }, element('span', { class: 'option-title' }, title), select);
}

function group(...children: HTMLElement[]): HTMLElement {
  return element('div', { class: 'option-group' }, ...children);
}

/** Explicit padding as PyTorch and poolGeometry take it: [before, after] per axis. */
function explicitPads(): HTMLElement {
  const padRow = (title: string, sides: [string, string]): HTMLElement =>
    element(
      'div',
      { class: 'option-row' },
      element('span', { class: 'option-title' }, title),
      ...sides.map((side) => numberField(`pad-${side}`, side, 0, { min: 0 })),
    );
  const pads = group(padRow('pad rows', ['top', 'bottom']), padRow('pad cols', ['left', 'right']));
  pads.classList.add('explicit-pads');
  pads.hidden = true;
  return pads;
}

function windowGroup(): HTMLElement {
  return group(
    pairRow('kernel', 'kernel', 2, 1),
    pairRow('stride', 'stride', 2, 1),
    selectRow('padding', 'padding-mode', [
      ['valid', 'valid (no padding)'],
      ['same', "same (TensorFlow's rule)"],
      ['explicit', 'explicit (PyTorch)'],
    ]),
    explicitPads(),
    pairRow('dilation', 'dilation', 1, 1),
    checkRow('ceil-mode', 'ceil mode (PyTorch)', false),
  );
}

function fractionalGroup(): HTMLElement {
  return group(
    selectRow('regions', 'fractional-mode', [
      ['kernel', 'fixed pool size (PyTorch)'],
      ['pseudoRandom', "Graham's pseudo-random"],
      ['random', "Graham's random"],
    ]),
    pairRow('pool size', 'fractional-kernel', 2, 1),
    checkRow('option-overlapping', 'overlapping regions (Graham)', false),
  );
}

function pyramidGroup(): HTMLElement {
  return group(
    element(
      'label',
      { class: 'option-row', for: 'pyramid-levels' },
      element('span', { class: 'option-title' }, 'levels'),
      element('input', { type: 'text', id: 'pyramid-levels', value: '1, 2, 4', size: 10 }),
    ),
    selectRow('mode', 'pyramid-mode', [
      ['max', 'max'],
      ['average', 'average'],
    ]),
  );
}

function maskedGroup(): HTMLElement {
  return group(
    numberField('masked-length', 'length of every row (steps that count)', 4, { min: 0 }),
    selectRow('mode', 'masked-mode', [
      ['max', 'max'],
      ['average', 'average'],
      ['lp', 'Lp (uses p)'],
    ]),
  );
}

/** Every group of fields, in the order the panel shows them. */
export function optionGroups(): Map<OptionGroup, HTMLElement> {
  return new Map<OptionGroup, HTMLElement>([
    ['window', windowGroup()],
    ['countIncludePad', group(checkRow('count-include-pad', 'count padding in the average', false))],
    ['p', group(numberField('option-p', 'p', 2, { step: 'any' }))],
    ['outputSize', group(pairRow('output size', 'output-size', 7, 1))],
    ['fractional', fractionalGroup()],
    ['pyramid', pyramidGroup()],
    ['masked', maskedGroup()],
    ['alpha', group(numberField('option-alpha', 'a (max share)', 0.5, { step: 0.1 }))],
    ['gate', group(numberField('option-gate', 'gate weight w (every tap)', 0.5, { step: 0.1 }))],
    ['seed', group(numberField('option-seed', 'seed', 7))],
    ['training', group(checkRow('option-training', 'training (draw at random)', true))],
  ]);
}
