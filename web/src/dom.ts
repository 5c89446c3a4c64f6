// Small DOM helpers for the demo: element creation, lookups that fail loudly, number formatting.

type Attributes = Record<string, string | number | boolean>;
type Child = Node | string | null | undefined | false;

/** Creates an element with attributes (class, data-*, ...) and children. */
export function element<Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[Tag] {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false) continue;
    made.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    made.append(child);
  }
  return made;
}

/** The element with this id; a missing one is a bug in index.html, so it throws. */
export function byId<Kind extends HTMLElement = HTMLElement>(id: string): Kind {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`web: #${id} is missing from the page`);
  return found as Kind;
}

/** A number as a person reads it in a small cell: integers whole, others to two or three places. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '−∞';
  if (Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  // Two places, trailing zeros dropped: 0.5, 0.07, and 1 for 0.998 (the readout gives more).
  if (magnitude >= 0.005) return String(parseFloat(value.toFixed(2)));
  return value.toExponential(0);
}

/** A number to six significant digits, for readouts where there is room. */
export function formatPrecise(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : formatNumber(value);
}

/** Reads a number field; an empty one gives `fallback`, anything else goes to the library to judge. */
export function readNumber(input: HTMLInputElement, fallback: number): number {
  const value = Number(input.value);
  return input.value.trim() === '' || !Number.isFinite(value) ? fallback : value;
}
