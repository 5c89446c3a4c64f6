// model.summary(): the table Keras prints (tf.keras 2.x layout: 65 columns, fields cut at 29 and
// 55), with totals as Keras prints them (thousands separated by commas).
import type { LayerShape } from './layer.js';

export interface SummaryRow {
  readonly name: string;
  readonly className: string;
  readonly outputShape: LayerShape;
  readonly params: number;
}

export interface SummaryTotals {
  readonly trainable: number;
  readonly nonTrainable: number;
}

const LINE_LENGTH = 65;
const POSITIONS = [29, 55, 65];

function row(fields: readonly string[]): string {
  let line = '';
  fields.forEach((field, index) => {
    line = (line + field).slice(0, POSITIONS[index]);
    line = line.padEnd(POSITIONS[index]!);
  });
  return line.trimEnd();
}

/** (None, 26, 26, 32), as Keras writes a shape with an unknown batch. */
export function formatShape(shape: LayerShape): string {
  const parts = shape.map((extent) => (extent === null ? 'None' : String(extent)));
  return `(${parts.join(', ')}${parts.length === 1 ? ',' : ''})`;
}

export function formatSummary(modelName: string, rows: readonly SummaryRow[], totals: SummaryTotals): string {
  const lines = [`Model: "${modelName}"`, '_'.repeat(LINE_LENGTH)];
  lines.push(row(['Layer (type)', 'Output Shape', 'Param #']), '='.repeat(LINE_LENGTH));
  rows.forEach((layer, index) => {
    lines.push(row([`${layer.name} (${layer.className})`, formatShape(layer.outputShape), String(layer.params)]));
    lines.push(index === rows.length - 1 ? '='.repeat(LINE_LENGTH) : '_'.repeat(LINE_LENGTH));
  });
  if (rows.length === 0) lines.push('='.repeat(LINE_LENGTH));
  const count = (value: number): string => value.toLocaleString('en-US');
  lines.push(`Total params: ${count(totals.trainable + totals.nonTrainable)}`);
  lines.push(`Trainable params: ${count(totals.trainable)}`);
  lines.push(`Non-trainable params: ${count(totals.nonTrainable)}`);
  lines.push('_'.repeat(LINE_LENGTH));
  return lines.join('\n');
}
