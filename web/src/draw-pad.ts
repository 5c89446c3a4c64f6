// A canvas to draw a digit on with mouse, pen or finger: thick white strokes on black, as MNIST.
// While it is empty, a hint over it invites drawing.
import { element } from './dom.js';

export class DrawPad {
  /** The canvas with its hint over it: what the page places. */
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly hint = element(
    'span',
    { class: 'pad-hint', id: 'pad-hint', 'aria-hidden': 'true' },
    'draw a digit here',
  );
  private drawing = false;
  private last: [number, number] | null = null;
  private inked = false;

  /** `onStroke` runs while drawing (throttled to animation frames) and when a stroke ends. */
  constructor(
    readonly size: number,
    private readonly onStroke: () => void,
  ) {
    this.canvas = element('canvas', {
      width: size,
      height: size,
      class: 'draw-pad',
      id: 'draw-pad',
      'aria-label': 'draw a digit here',
    });
    this.canvas.style.touchAction = 'none';
    this.root = element('div', { class: 'pad-frame' }, this.canvas, this.hint);
    this.clear();
    let pending = false;
    const schedule = (): void => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        this.onStroke();
      });
    };
    this.canvas.addEventListener('pointerdown', (event) => {
      this.drawing = true;
      this.canvas.setPointerCapture(event.pointerId);
      this.last = this.point(event);
      this.line(this.last, this.last);
      schedule();
    });
    this.canvas.addEventListener('pointermove', (event) => {
      if (!this.drawing) return;
      const next = this.point(event);
      this.line(this.last ?? next, next);
      this.last = next;
      schedule();
    });
    const end = (): void => {
      if (!this.drawing) return;
      this.drawing = false;
      this.last = null;
      schedule();
    };
    this.canvas.addEventListener('pointerup', end);
    this.canvas.addEventListener('pointercancel', end);
  }

  get isEmpty(): boolean {
    return !this.inked;
  }

  private setInked(inked: boolean): void {
    this.inked = inked;
    this.hint.hidden = inked;
  }

  clear(): void {
    const context = this.canvas.getContext('2d', { willReadFrequently: true })!;
    context.fillStyle = '#000';
    context.fillRect(0, 0, this.size, this.size);
    this.setInked(false);
  }

  /** Draws an image (0..1 grey, row-major) scaled to the pad: for trying a stored MNIST digit. */
  paint(values: ArrayLike<number>, rows: number, columns: number): void {
    const small = element('canvas', { width: columns, height: rows });
    const smallContext = small.getContext('2d')!;
    const pixels = smallContext.createImageData(columns, rows);
    for (let index = 0; index < rows * columns; index++) {
      const level = Math.round(values[index]! * 255);
      pixels.data.set([level, level, level, 255], index * 4);
    }
    smallContext.putImageData(pixels, 0, 0);
    const context = this.canvas.getContext('2d')!;
    context.imageSmoothingEnabled = true;
    context.drawImage(small, 0, 0, this.size, this.size);
    this.setInked(true);
    this.onStroke();
  }

  private point(event: PointerEvent): [number, number] {
    const bounds = this.canvas.getBoundingClientRect();
    return [
      ((event.clientX - bounds.left) / bounds.width) * this.size,
      ((event.clientY - bounds.top) / bounds.height) * this.size,
    ];
  }

  private line(from: [number, number], to: [number, number]): void {
    const context = this.canvas.getContext('2d')!;
    context.strokeStyle = '#fff';
    context.lineWidth = this.size / 11;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(from[0], from[1]);
    context.lineTo(to[0], to[1]);
    context.stroke();
    this.setInked(true);
  }
}
