// Play, pause and step through the windows of a pooling, one output cell per step.
import { element } from './dom.js';

export class Player {
  readonly root: HTMLElement;
  private step = 0;
  private steps = 1;
  private timer: number | null = null;
  private readonly playButton = element(
    'button',
    { class: 'button primary', id: 'play', 'aria-label': 'play' },
    '▶ Play',
  );
  private readonly slider = element('input', {
    type: 'range',
    id: 'step-slider',
    min: 0,
    max: 0,
    value: 0,
    'aria-label': 'window',
  });
  private readonly speed = element('input', {
    type: 'range',
    id: 'speed',
    min: 1,
    max: 30,
    value: 6,
    'aria-label': 'speed',
  });
  private readonly counter = element('span', { class: 'counter', id: 'step-counter' });

  constructor(private readonly onStep: (step: number) => void) {
    const previous = element('button', { class: 'button', id: 'step-back', 'aria-label': 'previous window' }, '◀');
    const next = element('button', { class: 'button', id: 'step-forward', 'aria-label': 'next window' }, '▶|');
    previous.addEventListener('click', () => this.go(this.step - 1));
    next.addEventListener('click', () => this.go(this.step + 1));
    this.playButton.addEventListener('click', () => (this.timer === null ? this.play() : this.pause()));
    this.slider.addEventListener('input', () => this.go(Number(this.slider.value)));
    this.speed.addEventListener('input', () => {
      if (this.timer !== null) this.play();
    });
    this.root = element(
      'div',
      { class: 'player' },
      previous,
      this.playButton,
      next,
      this.slider,
      this.counter,
      element('label', { class: 'speed' }, element('span', {}, 'speed'), this.speed),
    );
  }

  get current(): number {
    return this.step;
  }

  /** A new number of windows; keeps the step when it still exists. */
  reset(steps: number): void {
    this.steps = Math.max(1, steps);
    this.slider.max = String(this.steps - 1);
    this.go(Math.min(this.step, this.steps - 1));
  }

  go(step: number): void {
    this.step = ((step % this.steps) + this.steps) % this.steps;
    this.slider.value = String(this.step);
    this.counter.textContent = `window ${this.step + 1} of ${this.steps}`;
    this.root.dataset.step = String(this.step);
    this.onStep(this.step);
  }

  play(): void {
    this.pause();
    this.playButton.textContent = '⏸ Pause';
    this.timer = window.setInterval(() => this.go(this.step + 1), 1000 / Number(this.speed.value));
  }

  pause(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
    this.playButton.textContent = '▶ Play';
  }
}
