// The digit recognizer: draw a digit, see it as the network sees it (28x28, centred like MNIST),
// the class probabilities as bars, and the feature maps before and after each pooling layer.
import { digitToMnist } from '../../src/index.js';
import { digitButtons, digitImage, type DigitFile } from './digits.js';
import { element } from './dom.js';
import { DrawPad } from './draw-pad.js';
import type { Compute, ModelSource } from './compute.js';
import { isPooling, type LoadedModel, type ModelRun, type Stage } from './model.js';

const modelUrl = './models/seed-cnn/';

/** A grey image on a small canvas; `scale` CSS pixels per cell. */
function imageCanvas(
  values: ArrayLike<number>,
  rows: number,
  columns: number,
  scale: number,
  label: string,
): HTMLCanvasElement {
  const canvas = element('canvas', { width: columns, height: rows, class: 'pixels', title: label });
  canvas.style.width = `${columns * scale}px`;
  canvas.style.height = `${rows * scale}px`;
  const context = canvas.getContext('2d')!;
  const pixels = context.createImageData(columns, rows);
  let [low, high] = [Infinity, -Infinity];
  for (let index = 0; index < rows * columns; index++) {
    low = Math.min(low, values[index]!);
    high = Math.max(high, values[index]!);
  }
  const span = high - low || 1;
  for (let index = 0; index < rows * columns; index++) {
    const level = Math.round((255 * (values[index]! - low)) / span);
    pixels.data.set([level, level, level, 255], index * 4);
  }
  context.putImageData(pixels, 0, 0);
  return canvas;
}

/** Channel `channel` of a channels-last [height, width, channels] stage. */
function channelPlane(stage: Stage, channel: number): Float32Array {
  const [height, width, channels] = stage.shape as [number, number, number];
  const plane = new Float32Array(height * width);
  for (let cell = 0; cell < height * width; cell++) plane[cell] = stage.values[cell * channels + channel]!;
  return plane;
}

/** One layer's output, a small picture per channel, under `role` and a caption. */
function stageFigure(stage: Stage, role: string, caption: string): HTMLElement {
  const [height, width, channels] = stage.shape as [number, number, number];
  const scale = Math.max(2, Math.floor(56 / Math.max(height, width)));
  const planes = Array.from({ length: channels }, (_, channel) =>
    imageCanvas(channelPlane(stage, channel), height, width, scale, `${stage.layerName}, channel ${channel}`),
  );
  return element(
    'figure',
    { class: 'stage', 'data-layer': stage.layerName },
    element('figcaption', {}, element('strong', {}, role), ` ${caption}: ${height}×${width}×${channels}`),
    element('div', { class: 'planes' }, ...planes),
  );
}

/**
 * The drawing as the network's input, by the library's digitToMnist (the CLI's `demo` uses it too):
 * the ink's box scaled to 20x20 and centred by its centre of mass in 28x28, as MNIST was made.
 */
function toMnist(canvas: HTMLCanvasElement): Float32Array {
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
  return digitToMnist({ width, height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }).pixels;
}

export class Recognizer {
  readonly root: HTMLElement;
  private model: LoadedModel | null = null;
  private started = false;
  /** Where the model came from: loaded again when the engine changes. */
  private source: ModelSource = { url: modelUrl };
  /** Counts classifications: only the latest one's answer is shown. */
  private classifications = 0;
  private readonly pad: DrawPad;
  private readonly preview = element('div', { class: 'preview', id: 'mnist-preview' });
  private readonly bars = element('div', { class: 'bars', id: 'probabilities' });
  private readonly verdict = element('div', { class: 'verdict', id: 'prediction' }, '?');
  private readonly status = element('p', { class: 'model-status', id: 'model-status' }, 'Loading the model…');
  private readonly maps = element('div', { class: 'feature-maps', id: 'feature-maps' });
  private readonly samples = element('div', { class: 'digit-row', id: 'recognizer-samples' });

  constructor(private engine: Compute) {
    this.pad = new DrawPad(280, () => this.classify());
    const clear = element('button', { class: 'button', id: 'clear-pad' }, 'Clear');
    clear.addEventListener('click', () => {
      this.pad.clear();
      this.classify();
    });
    const picker = element('input', { type: 'file', multiple: true, id: 'model-files', class: 'visually-hidden' });
    picker.addEventListener('change', () => void this.pickModel([...(picker.files ?? [])]));
    for (let digit = 0; digit < 10; digit++) {
      this.bars.append(
        element(
          'div',
          { class: 'bar-row', 'data-digit': digit },
          element('span', { class: 'bar-label' }, String(digit)),
          element('span', { class: 'bar-track' }, element('span', { class: 'bar-fill' })),
          element('span', { class: 'bar-value' }, '—'),
        ),
      );
    }
    this.root = element(
      'div',
      { class: 'recognizer' },
      element(
        'section',
        { class: 'panel draw-panel' },
        element('h3', {}, 'Draw a digit'),
        this.pad.root,
        element(
          'div',
          { class: 'inline' },
          clear,
          element('label', { class: 'button', for: 'model-files' }, 'Load a model folder…'),
          picker,
        ),
        element('div', { class: 'field-label' }, 'What the network sees (28 × 28, centred by mass)'),
        this.preview,
        element('div', { class: 'field-label' }, 'Or try an MNIST test digit'),
        this.samples,
      ),
      element(
        'section',
        { class: 'panel result-panel' },
        element('h3', {}, 'Prediction'),
        element('div', { class: 'result-body' }, this.verdict, this.bars),
        this.status,
      ),
      element(
        'section',
        { class: 'panel maps-panel' },
        element('h3', {}, 'Feature maps around each pooling layer'),
        this.maps,
      ),
    );
    this.preview.append(imageCanvas(new Float32Array(784), 28, 28, 4, 'empty'));
  }

  /** Thumbnails that paint a shipped MNIST test digit onto the pad. */
  useDigits(file: DigitFile): void {
    this.samples.replaceChildren(
      ...digitButtons(file, (position) => {
        const image = digitImage(file, position);
        this.pad.clear();
        this.pad.paint(image.values, image.rows, image.columns);
      }),
    );
  }

  /** Loads the shipped model the first time the view opens. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.load(this.source, 'missing');
  }

  /** Runs the model on `engine` from now on (the page's thread, or the WebGPU worker): loads it there. */
  async useCompute(engine: Compute): Promise<void> {
    this.engine = engine;
    this.model = null;
    if (this.started) await this.load(this.source, 'error');
  }

  private async pickModel(files: File[]): Promise<void> {
    await this.load({ files }, 'error');
  }

  private async load(source: ModelSource, failure: 'missing' | 'error'): Promise<void> {
    this.status.dataset.state = 'loading';
    try {
      this.useModel(await this.engine.loadModel(source));
      this.source = source;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.status.textContent =
        failure === 'missing'
          ? `No model yet: ${reason}. Train one with \`poolkit train\` and load its folder.`
          : `That model could not be loaded: ${reason}`;
      this.status.dataset.state = failure;
    }
  }

  private useModel(model: LoadedModel): void {
    this.model = model;
    this.status.textContent = model.description;
    this.status.dataset.state = 'ready';
    this.status.dataset.ranOn = this.engine.backend;
    this.classify();
  }

  private classify(): void {
    const image = this.pad.isEmpty ? null : toMnist(this.pad.canvas);
    this.preview.replaceChildren(imageCanvas(image ?? new Float32Array(784), 28, 28, 4, 'the network input'));
    this.preview.dataset.values = image === null ? '' : JSON.stringify(Array.from(image));
    const ticket = ++this.classifications;
    if (image === null || this.model === null) {
      this.showRun(null);
      return;
    }
    const answer = this.model.run(image);
    if (!(answer instanceof Promise)) return this.showRun(answer);
    this.root.dataset.busy = 'true'; // until the worker answers: tests wait for it to go
    answer.then(
      (run) => ticket === this.classifications && this.showRun(run),
      (error: unknown) => {
        if (ticket !== this.classifications) return;
        this.showRun(null);
        this.status.textContent = `The model failed: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
  }

  private showRun(run: ModelRun | null): void {
    delete this.root.dataset.busy;
    this.showProbabilities(run?.probabilities ?? null);
    if (run === null) this.maps.replaceChildren();
    else this.showStages(run.stages);
  }

  private showProbabilities(probabilities: Float32Array | null): void {
    const best = probabilities === null ? -1 : probabilities.indexOf(Math.max(...probabilities));
    this.verdict.textContent = best < 0 ? '?' : String(best);
    this.verdict.dataset.digit = best < 0 ? '' : String(best);
    this.bars.querySelectorAll<HTMLElement>('.bar-row').forEach((row, digit) => {
      const probability = probabilities?.[digit] ?? 0;
      row.classList.toggle('best', digit === best);
      row.querySelector<HTMLElement>('.bar-fill')!.style.width = `${(probability * 100).toFixed(1)}%`;
      row.querySelector('.bar-value')!.textContent =
        probabilities === null ? '—' : `${(probability * 100).toFixed(1)}%`;
      row.dataset.probability = String(probability);
    });
  }

  /** For each pooling layer: the map going in and the map coming out. */
  private showStages(stages: readonly Stage[]): void {
    const figures: HTMLElement[] = [];
    stages.forEach((stage, index) => {
      if (!isPooling(stage.className) || stage.shape.length !== 3) return;
      const before = stages[index - 1];
      const pair = element('div', { class: 'stage-pair' });
      if (before !== undefined && before.shape.length === 3) {
        pair.append(
          stageFigure(before, `into ${stage.layerName}`, `(the output of ${before.layerName}, ${before.className})`),
        );
      }
      pair.append(stageFigure(stage, `out of ${stage.layerName}`, `(${stage.className})`));
      figures.push(pair);
    });
    this.maps.replaceChildren(
      ...(figures.length > 0 ? figures : [element('p', { class: 'hint' }, 'This model has no 2D pooling layer.')]),
    );
  }
}
