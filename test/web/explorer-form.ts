// Driving the explorer's form from a test: choose a kind, set fields by option name (ids from
// web/src/field-ids.ts), and the same kind run in Node through the page's own generic path.
import type { Page } from 'playwright-core';
import * as poolkit from '../../src/index.js';
import { fieldIds, kindMenuId } from '../../web/src/field-ids.js';
import { runKind } from '../../web/src/kind-call.js';
import type { ExplorerKind, FieldSpec, OptionValues } from '../../web/src/pool-kinds.js';

export const kindMenu = `#${kindMenuId}`;
export const field = (name: string): string => `#${fieldIds.value(name)}`;
export const axis = (name: string, which: 'height' | 'width'): string => `#${fieldIds.axis(name, which)}`;
export const side = (name: string, which: 'top' | 'bottom' | 'left' | 'right'): string =>
  `#${fieldIds.side(name, which)}`;

/** The menu's kind names, in menu order. */
export async function offeredKinds(page: Page): Promise<string[]> {
  return page.$$eval(`${kindMenu} option`, (options) => options.map((option) => (option as HTMLOptionElement).value));
}

/** Sets the chosen kind, then form controls by selector: selects, text and number boxes, checkboxes. */
export async function configure(
  page: Page,
  kind: string,
  fields: Record<string, string> = {},
  checks: Record<string, boolean> = {},
): Promise<void> {
  await page.selectOption(kindMenu, kind);
  for (const [selector, value] of Object.entries(fields)) {
    const isSelect = await page.$eval(selector, (node) => node.tagName === 'SELECT');
    if (isSelect) await page.selectOption(selector, value);
    else await page.fill(selector, value);
  }
  for (const [selector, checked] of Object.entries(checks)) await page.setChecked(selector, checked);
}

/** Types one option's value into its field, whatever the field's type. */
export async function setField(page: Page, spec: FieldSpec, value: unknown): Promise<void> {
  const { name, field: form } = spec;
  if (form.type === 'pair') {
    const [height, width] = value as [number, number];
    await page.fill(axis(name, 'height'), String(height));
    await page.fill(axis(name, 'width'), String(width));
  } else if (form.type === 'checkbox') await page.setChecked(field(name), value as boolean);
  else if (form.type === 'select' || form.type === 'padding') await page.selectOption(field(name), String(value));
  else if (form.type === 'list') await page.fill(field(name), (value as number[]).join(', '));
  else await page.fill(field(name), String(value));
}

/** The option values the page publishes for the chosen kind (JSON: blank fields are absent). */
export async function shownValues(page: Page): Promise<OptionValues> {
  return JSON.parse((await page.getAttribute('.options-panel', 'data-options')) ?? '{}') as OptionValues;
}

/** Output, indices and input gradient (for an all-ones upstream gradient) of a kind in Node. */
export function inNode(kind: ExplorerKind, image: number[], shape: number[], values: OptionValues) {
  return poolkit.tidy(() => {
    const input = poolkit.requireGrad(poolkit.tensor(image, shape));
    const { output, indices } = runKind(kind, input, values);
    poolkit.backward(output, poolkit.ones(output.shape));
    return {
      output: Array.from(output.values),
      indices: indices === null ? null : Array.from(indices.intValues),
      gradient: Array.from(input.grad!.values),
    };
  });
}
