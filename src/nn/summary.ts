// model.summary(): the tables Keras prints (tf.keras 2.x layouts): a stack of layers in 65 columns
// cut at 29 and 55; a functional model in 98 columns cut at 32, 53 and 65 with "Connected to"
// (one line per inbound tensor); totals as Keras prints them (thousands separated by commas).
import type { LayerShape } from './layer.js';

export interface SummaryRow {
  readonly name: string;
  readonly className: string;
  /** The output shape, or Keras's words for it ('multiple' for a layer called more than once). */
  readonly outputShape: LayerShape | string;
  readonly params: number;
}

/** A functional model's row: also the inbound tensors, 'dense[0][0]'. */
export interface FunctionalSummaryRow extends SummaryRow {
  readonly connectedTo: readonly string[];
}

export interface SummaryTotals {
  readonly trainable: number;
  readonly nonTrainable: number;
}

interface Layout {
  readonly lineLength: number;
  readonly positions: readonly number[];
  readonly header: readonly string[];
}

const STACK: Layout = { lineLength: 65, positions: [29, 55, 65], header: ['Layer (type)', 'Output Shape', 'Param #'] };
const GRAPH: Layout = {
  lineLength: 98,
  positions: [32, 53, 65, 98],
  header: ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'],
};

function row(fields: readonly string[], positions: readonly number[]): string {
  let line = '';
  fields.forEach((field, index) => {
    line = (line + field).slice(0, positions[index]);
    line = line.padEnd(positions[index]!);
  });
  return line.trimEnd();
}

/** (None, 26, 26, 32), as Keras writes a shape with an unknown batch. */
export function formatShape(shape: LayerShape): string {
  const parts = shape.map((extent) => (extent === null ? 'None' : String(extent)));
  return `(${parts.join(', ')}${parts.length === 1 ? ',' : ''})`;
}

function shapeText(shape: LayerShape | string): string {
  return typeof shape === 'string' ? shape : formatShape(shape);
}

/** The table: each layer's lines, a rule after each ('=' after the last), then the totals. */
function table(modelName: string, layout: Layout, layers: readonly string[][][], totals: SummaryTotals): string {
  const lines = [`Model: "${modelName}"`, '_'.repeat(layout.lineLength)];
  lines.push(row(layout.header, layout.positions), '='.repeat(layout.lineLength));
  layers.forEach((layerLines, index) => {
    for (const fields of layerLines) lines.push(row(fields, layout.positions));
    lines.push((index === layers.length - 1 ? '=' : '_').repeat(layout.lineLength));
  });
  if (layers.length === 0) lines.push('='.repeat(layout.lineLength));
  const count = (value: number): string => value.toLocaleString('en-US');
  lines.push(`Total params: ${count(totals.trainable + totals.nonTrainable)}`);
  lines.push(`Trainable params: ${count(totals.trainable)}`);
  lines.push(`Non-trainable params: ${count(totals.nonTrainable)}`);
  lines.push('_'.repeat(layout.lineLength));
  return lines.join('\n');
}

export function formatSummary(modelName: string, rows: readonly SummaryRow[], totals: SummaryTotals): string {
  const layers = rows.map((layer) => [
    [`${layer.name} (${layer.className})`, shapeText(layer.outputShape), String(layer.params)],
  ]);
  return table(modelName, STACK, layers, totals);
}

/** Keras's functional table; `chain` (every layer one input, one output in a line) uses the stack layout. */
export function formatFunctionalSummary(
  modelName: string,
  rows: readonly FunctionalSummaryRow[],
  totals: SummaryTotals,
  chain: boolean,
): string {
  if (chain) return formatSummary(modelName, rows, totals);
  const layers = rows.map((layer) => {
    const [first = '', ...rest] = layer.connectedTo;
    const head = [`${layer.name} (${layer.className})`, shapeText(layer.outputShape), String(layer.params), first];
    return [head, ...rest.map((connection) => ['', '', '', connection])];
  });
  return table(modelName, GRAPH, layers, totals);
}
