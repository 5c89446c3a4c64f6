// Reading a golden file written by a committed generator (test/golden/<kind>/generate.py): its cases,
// and float32 values that travel as JSON numbers (NaN and the infinities as strings).
import { readFileSync } from 'node:fs';

export type Encoded = (number | 'NaN' | 'Infinity' | '-Infinity')[];

/** The float32 values the generator wrote. */
export function decode(values: Encoded): Float32Array {
  return Float32Array.from(values, (value) => (typeof value === 'number' ? value : Number(value)));
}

/** The cases of test/golden/<folder>/cases.json. */
export function goldenCases<Case>(folder: string): Case[] {
  const url = new URL(`../golden/${folder}/cases.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { cases: Case[] }).cases;
}
