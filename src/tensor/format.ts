// How a tensor prints: TensorFlow.js's layout of the values (7 decimals at most, columns padded to
// one width, axes longer than 20 summarised as the first 3, '...', the last 3), under one header
// line with the dtype and shape. Only the cells shown are read, so printing a large tensor is cheap.

/** More items than this along an axis are summarised. */
const SUMMARY_THRESHOLD = 20;
/** Items shown at each end of a summarised axis. */
const EDGE_ITEMS = 3;
const DECIMALS = 7;

/** The header and the values, as `Tensor.toString()` returns them. */
export function formatTensor(values: ArrayLike<number>, shape: readonly number[], dtype: string): string {
  const header = `Tensor ${dtype} [${shape.join(', ')}]`;
  const lines = formatValues(values, shape);
  return [header, ...lines.map((line) => `    ${line}`)].join('\n');
}

/** TensorFlow.js's value lines (what follows its 'Tensor' line, without the indent). */
export function formatValues(values: ArrayLike<number>, shape: readonly number[]): string[] {
  if (shape.length === 0) return [String(values[0])];
  const strides = stridesOf(shape);
  const widths = columnWidths(values, shape, strides);
  return formatBlock(values, 0, shape, strides, widths, true);
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let axis = shape.length - 1, stride = 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return strides;
}

function cell(value: number): string {
  return String(parseFloat(value.toFixed(DECIMALS)));
}

/** The indices shown along an axis of this extent: all, or the first and last few. */
function shownIndices(extent: number): number[] {
  const all = Array.from({ length: extent }, (_, index) => index);
  return extent > SUMMARY_THRESHOLD ? [...all.slice(0, EDGE_ITEMS), ...all.slice(extent - EDGE_ITEMS)] : all;
}

/** The widest cell of each column (last axis) over the rows shown; rank 1 pads nothing, as TF.js. */
function columnWidths(values: ArrayLike<number>, shape: readonly number[], strides: number[]): number[] {
  const columns = shape[shape.length - 1]!;
  const widths = new Array<number>(columns).fill(0);
  if (shape.length < 2) return widths;
  const visit = (axis: number, offset: number): void => {
    if (axis === shape.length - 1) {
      for (let column = 0; column < columns; column++) {
        widths[column] = Math.max(widths[column]!, cell(values[offset + column]!).length);
      }
      return;
    }
    for (const index of shownIndices(shape[axis]!)) visit(axis + 1, offset + index * strides[axis]!);
  };
  visit(0, 0);
  return widths;
}

/** The lines of the sub-tensor at `offset`, bracketed and separated as TF.js does. */
function formatBlock(
  values: ArrayLike<number>,
  offset: number,
  shape: readonly number[],
  strides: number[],
  widths: number[],
  isLast: boolean,
): string[] {
  const [extent, ...inner] = shape as [number, ...number[]];
  if (inner.length === 0) return [formatRow(values, offset, extent, widths)];
  const lines: string[] = [];
  const rows = shownIndices(extent);
  rows.forEach((row, position) => {
    if (position === EDGE_ITEMS && extent > SUMMARY_THRESHOLD) lines.push('...');
    const last = position === rows.length - 1;
    lines.push(...formatBlock(values, offset + row * strides[0]!, inner, strides.slice(1), widths, last));
  });
  const between = isLast ? '' : ',' + '\n'.repeat(shape.length - 1);
  // One row or none: '[[5, 7, 9]]' and '[]', where TF.js prints '[[5, 7, 9],]' and ' []'.
  if (lines.length <= 1) return [`[${lines[0] ?? ''}]${between}`];
  const separator = shape.length === 2 ? ',' : '';
  lines[0] = '[' + lines[0] + separator;
  for (let index = 1; index < lines.length - 1; index++) lines[index] = ' ' + lines[index] + separator;
  lines[lines.length - 1] = ' ' + lines[lines.length - 1] + ']' + between;
  return lines;
}

function formatRow(values: ArrayLike<number>, offset: number, extent: number, widths: number[]): string {
  const shown = shownIndices(extent).map((index) => cell(values[offset + index]!).padEnd(widths[index]!));
  if (extent <= SUMMARY_THRESHOLD) return `[${shown.join(', ')}]`;
  return `[${shown.slice(0, EDGE_ITEMS).join(', ')}, ..., ${shown.slice(EDGE_ITEMS).join(', ')}]`;
}
