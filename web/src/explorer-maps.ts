// The explorer's pieces around the maps: a map figure with its hover readout, the padding margin
// to draw, the current window as a table of values, a sentence about it, and the cell editor.
import { element, formatNumber, formatPrecise } from './dom.js';
import { GridCanvas, type Cell, type Margin } from './grid-canvas.js';
import type { Image, PoolingResult } from './pooling-run.js';

/** A map with a caption, a hover readout and its numbers in data attributes (for tests). */
export class MapFigure {
  readonly grid: GridCanvas;
  readonly root: HTMLElement;
  readonly frame = element('div', { class: 'canvas-frame' });
  private readonly readout = element('div', { class: 'readout' }, '\u00a0');

  constructor(id: string, title: string, note: string) {
    this.grid = new GridCanvas(title);
    this.frame.append(this.grid.canvas);
    this.root = element(
      'figure',
      { class: 'map', id },
      element('figcaption', {}, element('strong', {}, title), element('span', { class: 'note' }, note)),
      this.frame,
      this.readout,
    );
  }

  say(text: string): void {
    this.readout.textContent = text || '\u00a0';
  }

  /** Hovering a cell says its name and value, e.g. input[3, 4] = 0.992157. */
  describeWith(
    values: () => ArrayLike<number> | null,
    columns: () => number,
    name: string,
    source: (index: number) => string = () => '',
  ): void {
    this.grid.canvas.addEventListener('mousemove', (event) => {
      const cell = this.grid.cellAt(event);
      const data = values();
      const index = cell ? cell[0] * columns() + cell[1] : -1;
      const value = cell && data ? data[index] : undefined;
      this.say(
        cell && value !== undefined ? `${name}[${cell[0]}, ${cell[1]}] = ${formatPrecise(value)}${source(index)}` : '',
      );
    });
    this.grid.canvas.addEventListener('mouseleave', () => this.say(''));
  }
}

export function displayMargin(result: PoolingResult | null, image: Image): Margin {
  const geometry = result?.geometry;
  if (!geometry) return { top: 0, bottom: 0, left: 0, right: 0 };
  // Ceil mode's last window may hang past the bottom/right padding: show where it reaches.
  const lastRow =
    (geometry.outHeight - 1) * geometry.strideHeight -
    geometry.padTop +
    (geometry.kernelHeight - 1) * geometry.dilationHeight;
  const lastColumn =
    (geometry.outWidth - 1) * geometry.strideWidth -
    geometry.padLeft +
    (geometry.kernelWidth - 1) * geometry.dilationWidth;
  return {
    top: geometry.padTop,
    left: geometry.padLeft,
    bottom: Math.max(geometry.padBottom, lastRow + 1 - image.rows),
    right: Math.max(geometry.padRight, lastColumn + 1 - image.columns),
  };
}

/**
 * The current window's cells as a small table of values (padding shown as such), then the result:
 * the numbers behind one output cell, readable at any input size. Skipped for very large windows.
 */
export function windowDetail(
  image: Image,
  cells: readonly Cell[],
  argmax: Cell | null,
  result: number,
  label: string,
): Node[] {
  const rows = [...new Set(cells.map(([row]) => row))].sort((left, right) => left - right);
  const columns = [...new Set(cells.map(([, column]) => column))].sort((left, right) => left - right);
  if (cells.length === 0 || rows.length * columns.length !== cells.length || rows.length > 8 || columns.length > 8)
    return [];
  const table = element('table', {});
  for (const row of rows) {
    const line = element('tr', {});
    for (const column of columns) {
      const inside = row >= 0 && column >= 0 && row < image.rows && column < image.columns;
      const chosen = argmax !== null && argmax[0] === row && argmax[1] === column;
      const text = inside ? formatNumber(image.values[row * image.columns + column]!) : 'pad';
      line.append(element('td', { class: `${inside ? '' : 'padding'} ${chosen ? 'argmax' : ''}`.trim() }, text));
    }
    table.append(line);
  }
  return [
    table,
    element('span', { class: 'arrow' }, '→'),
    element('span', { class: 'result' }, element('small', {}, label), formatPrecise(result)),
  ];
}

/** One sentence about the current window: where it is, what it holds, what it gives. */
export function windowStory(
  result: PoolingResult,
  image: Image,
  step: number,
  cells: readonly Cell[],
  argmax: Cell | null,
): (Node | string)[] {
  const [outRow, outColumn] = [Math.floor(step / result.outColumns), step % result.outColumns];
  const inside = cells.filter(([row, column]) => row >= 0 && column >= 0 && row < image.rows && column < image.columns);
  const padded = cells.length - inside.length;
  const parts: (Node | string)[] = [
    element('span', { class: 'swatch output' }),
    `output[${outRow}, ${outColumn}] = `,
    element('strong', {}, formatPrecise(result.output[step]!)),
    ` from ${inside.length} input cell${inside.length === 1 ? '' : 's'}`,
    padded > 0 ? ` and ${padded} padding tap${padded === 1 ? '' : 's'}` : '',
  ];
  if (argmax !== null) {
    parts.push(
      '; ',
      element('span', { class: 'swatch argmax' }),
      `argmax input[${argmax[0]}, ${argmax[1]}] (flat index ${result.indices![step]})`,
    );
  }
  return parts;
}

/** A text box over an input cell; Enter keeps the value, Escape drops it. Text, not a number
 * field, so NaN and -Infinity can be typed to see how pooling treats them. */
export function openCellEditor(
  figure: MapFigure,
  [row, column]: Cell,
  old: number,
  commit: (value: number) => void,
): void {
  const box = figure.grid.cellBox(row, column);
  const editor = element('input', {
    type: 'text',
    inputmode: 'decimal',
    class: 'cell-editor',
    id: 'cell-editor',
    value: String(Number(old.toPrecision(6))),
  });
  Object.assign(editor.style, {
    left: `${box.left}px`,
    top: `${box.top}px`,
    width: `${Math.max(box.size, 64)}px`,
    height: `${Math.max(box.size, 28)}px`,
  });
  let done = false;
  const close = (keep: boolean): void => {
    if (done) return;
    done = true;
    editor.remove();
    const text = editor.value.trim();
    const value = Number(text);
    if (keep && text !== '' && (!Number.isNaN(value) || text === 'NaN')) commit(value);
  };
  editor.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') close(true);
    if (event.key === 'Escape') close(false);
  });
  editor.addEventListener('blur', () => close(true));
  figure.frame.querySelector('.cell-editor')?.remove();
  figure.frame.append(editor);
  editor.focus();
  editor.select();
}
