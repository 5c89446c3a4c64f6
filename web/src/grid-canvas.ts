// A grid of numbers drawn on a canvas: grey or signed colours, values in the cells when they fit,
// padding cells around the data, and highlighted cells (window taps, argmax, current output).
import { numberForms } from './dom.js';

export type Cell = readonly [row: number, column: number];

export interface Highlight {
  readonly cells: readonly Cell[];
  readonly color: string;
  /** outline: a ring inside the cell; fill: a translucent wash; dot: a marker in the corner. */
  readonly style: 'outline' | 'fill' | 'dot';
}

export interface Margin {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

export interface GridPicture {
  readonly values: ArrayLike<number>;
  readonly rows: number;
  readonly columns: number;
  /** Padding cells drawn around the data (hatched), in cells. */
  readonly margin?: Margin;
  /** gray: 0 black to max white (images); signed: blue negative, amber positive (gradients). */
  readonly palette: 'gray' | 'signed';
  readonly highlights?: readonly Highlight[];
  /** Largest side of the canvas in CSS pixels. */
  readonly maxPixels: number;
}

const noMargin: Margin = { top: 0, bottom: 0, left: 0, right: 0 };

export class GridCanvas {
  readonly canvas: HTMLCanvasElement;
  private picture: GridPicture | null = null;
  private cellSize = 16;

  constructor(label: string) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'grid-canvas';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', label);
  }

  /** The data cell under a pointer event, or null in the padding or outside. */
  cellAt(event: MouseEvent): Cell | null {
    if (this.picture === null) return null;
    const bounds = this.canvas.getBoundingClientRect();
    const margin = this.picture.margin ?? noMargin;
    const column = Math.floor((event.clientX - bounds.left) / this.cellSize) - margin.left;
    const row = Math.floor((event.clientY - bounds.top) / this.cellSize) - margin.top;
    const inside = row >= 0 && column >= 0 && row < this.picture.rows && column < this.picture.columns;
    return inside ? [row, column] : null;
  }

  /** Where a data cell lies in CSS pixels relative to the canvas (for overlays such as an editor). */
  cellBox(row: number, column: number): { left: number; top: number; size: number } {
    const margin = this.picture?.margin ?? noMargin;
    return {
      left: (column + margin.left) * this.cellSize,
      top: (row + margin.top) * this.cellSize,
      size: this.cellSize,
    };
  }

  draw(picture: GridPicture): void {
    this.picture = picture;
    const margin = picture.margin ?? noMargin;
    const totalRows = picture.rows + margin.top + margin.bottom;
    const totalColumns = picture.columns + margin.left + margin.right;
    this.cellSize = Math.max(6, Math.min(52, Math.floor(picture.maxPixels / Math.max(totalRows, totalColumns))));
    const ratio = window.devicePixelRatio || 1;
    const width = totalColumns * this.cellSize;
    const height = totalRows * this.cellSize;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    const context = this.canvas.getContext('2d')!;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    this.drawPadding(context, totalRows, totalColumns);
    this.drawCells(context, picture, margin);
    for (const highlight of picture.highlights ?? []) this.drawHighlight(context, highlight, margin);
  }

  private drawPadding(context: CanvasRenderingContext2D, rows: number, columns: number): void {
    const size = this.cellSize;
    context.fillStyle = '#1b2436';
    context.fillRect(0, 0, columns * size, rows * size);
    context.strokeStyle = '#2c3a55';
    context.lineWidth = 1;
    context.beginPath();
    // Diagonal hatching marks the padding: cells the window may cover that hold no data.
    for (let offset = -rows * size; offset < columns * size; offset += 6) {
      context.moveTo(offset, rows * size);
      context.lineTo(offset + rows * size, 0);
    }
    context.stroke();
  }

  private drawCells(context: CanvasRenderingContext2D, picture: GridPicture, margin: Margin): void {
    const size = this.cellSize;
    const scale = colourScale(picture.values, picture.palette);
    const showNumbers = size >= 24;
    context.textAlign = 'center';
    context.textBaseline = 'middle';
    const labels: [text: string, font: string][] = [];
    // Beside the map's largest value, a millionth of it reads as zero: it gets ≈0, not a tiny font.
    const negligible = 1e-6 * largestMagnitude(picture.values);
    for (let row = 0; row < picture.rows; row++) {
      for (let column = 0; column < picture.columns; column++) {
        const value = picture.values[row * picture.columns + column]!;
        const [fill, ink] = scale(value);
        const left = (column + margin.left) * size;
        const top = (row + margin.top) * size;
        context.fillStyle = fill;
        context.fillRect(left, top, size, size);
        if (size >= 10) {
          context.strokeStyle = 'rgba(128, 140, 160, 0.25)';
          context.strokeRect(left + 0.5, top + 0.5, size - 1, size - 1);
        }
        if (showNumbers) {
          labels.push(fitLabel(context, value, size, negligible));
          context.fillStyle = ink;
          context.fillText(labels[labels.length - 1]![0], left + size / 2, top + size / 2 + 1);
        }
      }
    }
    // What was written in the cells, and in what font: the browser tests check that each fits.
    Object.assign(this.canvas.dataset, { labels: JSON.stringify(labels), cellSize: size });
  }

  private drawHighlight(context: CanvasRenderingContext2D, highlight: Highlight, margin: Margin): void {
    const size = this.cellSize;
    context.strokeStyle = highlight.color;
    context.fillStyle = highlight.color;
    context.lineWidth = Math.max(1.5, size / 10);
    for (const [row, column] of highlight.cells) {
      const left = (column + margin.left) * size;
      const top = (row + margin.top) * size;
      if (highlight.style === 'fill') {
        context.globalAlpha = 0.35;
        context.fillRect(left, top, size, size);
        context.globalAlpha = 1;
      } else if (highlight.style === 'outline') {
        const inset = context.lineWidth / 2 + 0.5;
        context.strokeRect(left + inset, top + inset, size - 2 * inset, size - 2 * inset);
      } else {
        const radius = Math.max(2, size / 7);
        context.beginPath();
        context.arc(left + size - radius - 1.5, top + radius + 1.5, radius, 0, Math.PI * 2);
        context.fill();
      }
    }
  }
}

function largestMagnitude(values: ArrayLike<number>): number {
  let largest = 0;
  for (let index = 0; index < values.length; index++) {
    if (Number.isFinite(values[index]!)) largest = Math.max(largest, Math.abs(values[index]!));
  }
  return largest;
}

const cellFont = (pixels: number): string => `${pixels}px ui-monospace, SFMono-Regular, Menlo, monospace`;

/**
 * Sets the context's font to one a cell of `size` pixels can hold `value` in, and returns the text
 * and font: the cell's own font with the most precise form that fits, else (for a value not
 * `negligible` beside the map's largest) a smaller font, down to 7 px; else ≈0.
 */
function fitLabel(
  context: CanvasRenderingContext2D,
  value: number,
  size: number,
  negligible: number,
): [text: string, font: string] {
  const forms = numberForms(value);
  const informative = forms.filter((form) => form !== '≈0');
  const base = Math.max(8, Math.floor(size * 0.3));
  const smaller = Math.abs(value) < negligible ? [] : [Math.floor(base * 0.85), Math.floor(base * 0.7)];
  for (const pixels of [base, ...smaller].filter((pixels) => pixels >= 7)) {
    context.font = cellFont(pixels);
    const text = informative.find((form) => context.measureText(form).width <= size - 4);
    if (text !== undefined) return [text, context.font];
  }
  context.font = cellFont(base);
  return [forms[forms.length - 1]!, context.font];
}

/** Maps a value to [background, text colour] for the palette, scaled to the data's range. */
function colourScale(values: ArrayLike<number>, palette: 'gray' | 'signed'): (value: number) => [string, string] {
  let low = 0;
  let high = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (!Number.isFinite(value)) continue;
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  if (palette === 'gray') {
    const span = high - low || 1;
    return (value) => {
      if (Number.isNaN(value)) return ['#7c2d12', '#fde68a'];
      const level = Math.round(255 * Math.min(1, Math.max(0, (value - low) / span)));
      return [`rgb(${level}, ${level}, ${level})`, level > 140 ? '#0b1020' : '#e6edf7'];
    };
  }
  const reach = Math.max(Math.abs(low), Math.abs(high)) || 1;
  return (value) => {
    if (Number.isNaN(value)) return ['#7c2d12', '#fde68a'];
    const strength = Math.min(1, Math.abs(value) / reach);
    const [red, green, blue] =
      value >= 0
        ? [45 + 200 * strength, 55 + 130 * strength, 75 - 40 * strength]
        : [45, 55 + 110 * strength, 75 + 170 * strength];
    const ink = strength > 0.55 ? '#0b1020' : '#e6edf7';
    return [`rgb(${Math.round(red)}, ${Math.round(green)}, ${Math.round(blue)})`, ink];
  };
}
