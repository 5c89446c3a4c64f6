// The explorer's input: an MNIST test digit, a small grid of numbers, or an uploaded picture turned
// grey; any cell can then be edited by clicking it on the input map.
import { digitButtons, digitImage, type DigitFile } from './digits.js';
import { element } from './dom.js';
import type { Image } from './pooling-run.js';

/** A small grid: 1, 2, 3, … row by row (the seed article's 4x4 example), random digits, or zeros. */
export function gridImage(rows: number, columns: number, fill: 'count' | 'random' | 'zeros'): Image {
  const values = new Float32Array(rows * columns);
  for (let index = 0; index < values.length; index++) {
    values[index] = fill === 'count' ? index + 1 : fill === 'random' ? Math.floor(Math.random() * 10) : 0;
  }
  return { values, rows, columns };
}

/** A picture scaled to at most 28 cells a side, grey by luminance, 0..1. */
async function pictureImage(file: File): Promise<Image> {
  const bitmap = await createImageBitmap(file);
  const scale = 28 / Math.max(bitmap.width, bitmap.height);
  const columns = Math.max(1, Math.round(bitmap.width * scale));
  const rows = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = columns;
  canvas.height = rows;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0, columns, rows);
  const pixels = context.getImageData(0, 0, columns, rows).data;
  const values = new Float32Array(rows * columns);
  for (let index = 0; index < values.length; index++) {
    const [red, green, blue] = [pixels[index * 4]!, pixels[index * 4 + 1]!, pixels[index * 4 + 2]!];
    values[index] = Math.round(0.299 * red + 0.587 * green + 0.114 * blue) / 255;
  }
  return { values, rows, columns };
}

export class InputPanel {
  readonly root: HTMLElement;
  image: Image = gridImage(4, 4, 'count');
  private digits: DigitFile | null = null;
  private readonly digitRow = element('div', { class: 'digit-row', 'data-testid': 'digit-picker' });
  private readonly status = element('span', { class: 'hint' });

  constructor(private readonly onChange: (image: Image) => void) {
    const rowsSelect = this.sizeSelect('grid-rows');
    const columnsSelect = this.sizeSelect('grid-columns');
    const makeGrid = (fill: 'count' | 'random' | 'zeros') => (): void =>
      this.set(gridImage(Number(rowsSelect.value), Number(columnsSelect.value), fill));
    const upload = element('input', { type: 'file', accept: 'image/*', id: 'image-upload', class: 'visually-hidden' });
    upload.addEventListener('change', () => void this.upload(upload));
    this.root = element(
      'section',
      { class: 'panel input-panel' },
      element('h3', {}, 'Input'),
      element('div', { class: 'field-label' }, 'MNIST test digits'),
      this.digitRow,
      element('div', { class: 'field-label' }, 'Or a grid of numbers'),
      element('div', { class: 'inline' }, rowsSelect, element('span', {}, '×'), columnsSelect),
      element(
        'div',
        { class: 'inline' },
        this.button('1, 2, 3 …', makeGrid('count'), 'grid-count'),
        this.button('Random', makeGrid('random'), 'grid-random'),
        this.button('Zeros', makeGrid('zeros'), 'grid-zeros'),
      ),
      element('div', { class: 'field-label' }, 'Or a picture'),
      element('label', { class: 'button', for: 'image-upload' }, 'Upload an image…'),
      upload,
      element('p', { class: 'hint' }, 'Click any input cell to type a new value.'),
      this.status,
    );
  }

  useDigits(file: DigitFile): void {
    this.digits = file;
    this.digitRow.replaceChildren(...digitButtons(file, (position) => this.showDigit(position)));
  }

  showDigit(position: number): void {
    if (this.digits === null) return;
    this.set(digitImage(this.digits, position));
    this.digitRow
      .querySelectorAll('button')
      .forEach((button, index) => button.classList.toggle('chosen', index === position));
  }

  /** A new value for one cell (from the editor on the input map). */
  editCell(row: number, column: number, value: number): void {
    const values = Float32Array.from(this.image.values);
    values[row * this.image.columns + column] = value;
    this.set({ ...this.image, values }, false);
  }

  set(image: Image, clearChoice = true): void {
    this.image = image;
    if (clearChoice) this.digitRow.querySelectorAll('button').forEach((button) => button.classList.remove('chosen'));
    this.status.textContent = `${image.rows} × ${image.columns} input`;
    this.onChange(image);
  }

  private async upload(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (file === undefined) return;
    try {
      this.set(await pictureImage(file));
    } catch (error) {
      this.status.textContent = `That file could not be read as an image (${String(error)}).`;
    }
  }

  private sizeSelect(id: string): HTMLSelectElement {
    const select = element('select', { id, 'aria-label': id.replace('-', ' ') });
    for (let size = 2; size <= 12; size++)
      select.append(element('option', { value: size, selected: size === 6 }, String(size)));
    return select;
  }

  private button(label: string, action: () => void, testId: string): HTMLButtonElement {
    const button = element('button', { class: 'button', 'data-testid': testId }, label);
    button.addEventListener('click', action);
    return button;
  }
}
