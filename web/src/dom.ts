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
  return numberForms(value)[0]!;
}

/**
 * The ways to write a value in a cell, the most precise first: formatNumber's, then shorter ones for
 * narrow cells (-.05, 1.2e4, 1e4), and last ≈0 for a tiny value when even its exponent does not fit.
 */
export function numberForms(value: number): string[] {
  if (Number.isNaN(value)) return ['NaN'];
  if (value === Infinity) return ['∞'];
  if (value === -Infinity) return ['−∞'];
  const magnitude = Math.abs(value);
  const exponent = (digits: number): string => value.toExponential(digits).replace('e+', 'e');
  if (Number.isInteger(value)) return [String(value), exponent(1), exponent(0)];
  if (magnitude >= 100) return [value.toFixed(0), exponent(1), exponent(0)];
  if (magnitude >= 10) return [value.toFixed(1), value.toFixed(0), exponent(0)];
  // Two places, trailing zeros dropped: 0.5, 0.07, and 1 for 0.998; then without the leading zero.
  const places = (digits: number): string => String(parseFloat(value.toFixed(digits)));
  const bare = (text: string): string => text.replace(/^(-?)0\./, '$1.');
  if (magnitude >= 0.005) return [places(2), bare(places(2)), places(1), bare(places(1)), '≈0'];
  return [exponent(0), '≈0'];
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
