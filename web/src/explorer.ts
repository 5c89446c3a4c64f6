// The pooling explorer: input, options, the output-size formula, and three maps (input with the
// current window, output, gradient to the input) that step through the windows one by one.
import { PoolkitArgumentError, type Padding } from '../../src/index.js';
import type { Compute } from './compute.js';
import type { DigitFile } from './digits.js';
import { element } from './dom.js';
import { InputPanel } from './explorer-input.js';
import { OptionsPanel } from './explorer-options.js';
import { Player } from './explorer-player.js';
import { adaptiveFormula, otherFormula, windowFormula } from './formula.js';
import { displayMargin, MapFigure, openCellEditor, windowDetail, windowStory } from './explorer-maps.js';
import type { Cell, Highlight } from './grid-canvas.js';
import { explorableKinds } from './pool-kinds.js';
import { adaptiveCells, tracedCells, windowTaps, type PoolingResult } from './pooling-run.js';

const windowColour = '#f59e0b';
const argmaxColour = '#f43f5e';
const outputColour = '#22d3ee';

/** Input cells some output took its value from (argmax indices), once each. */
function argmaxSources(result: PoolingResult, columns: number): Cell[] {
  if (result.indices === null) return [];
  return [...new Set(result.indices)].map((index): Cell => [Math.floor(index / columns), index % columns]);
}

export class Explorer {
  readonly root: HTMLElement;
  private readonly input: InputPanel;
  private readonly options: OptionsPanel;
  private readonly player: Player;
  private readonly inputMap = new MapFigure('input-map', 'Input', 'click a cell to edit it');
  private readonly outputMap = new MapFigure('output-map', 'Output', 'click a cell to see its window');
  private readonly gradientMap = new MapFigure(
    'gradient-map',
    'Gradient to the input',
    'for an all-ones upstream gradient',
  );
  private readonly error = element('div', { class: 'error', id: 'explorer-error', role: 'alert', hidden: true });
  private readonly formula = element('div', { class: 'formula', id: 'formula' });
  private readonly story = element('p', { class: 'story', id: 'window-story' });
  private readonly detail = element('div', { class: 'window-detail', id: 'window-detail' });
  private result: PoolingResult | null = null;
  /** Counts computations: only the latest one's answer is shown (a worker's may come out of order). */
  private computations = 0;

  constructor(private engine: Compute) {
    const kinds = explorableKinds();
    this.input = new InputPanel(() => this.compute());
    this.options = new OptionsPanel(kinds, () => this.compute());
    this.player = new Player((step) => this.showStep(step));
    this.root = element(
      'div',
      { class: 'explorer' },
      element('aside', { class: 'sidebar' }, this.options.root, this.input.root),
      element(
        'div',
        { class: 'workspace' },
        this.formula,
        this.error,
        this.player.root,
        element('div', { class: 'story-row' }, this.story, this.detail),
        element('div', { class: 'maps' }, this.inputMap.root, this.outputMap.root, this.gradientMap.root),
        element(
          'p',
          { class: 'legend' },
          element('span', { class: 'swatch window' }),
          'current window  ',
          element('span', { class: 'swatch argmax' }),
          'its argmax (max kinds)  ',
          element('span', { class: 'swatch dot' }),
          'argmax of some output  ',
          element('span', { class: 'swatch output' }),
          'current output cell  ',
          element('span', { class: 'swatch hatch' }),
          'padding',
        ),
      ),
    );
    this.wirePointers();
    window.addEventListener('resize', () => this.showStep(this.player.current));
  }

  start(digits: DigitFile): void {
    this.input.useDigits(digits);
    this.input.showDigit(7);
  }

  /** Runs the pooling on `engine` from now on (the page's thread, or the WebGPU worker) and shows it. */
  useCompute(engine: Compute): void {
    this.engine = engine;
    this.compute();
  }

  private compute(): void {
    const ticket = ++this.computations;
    const shown = (result: PoolingResult | null, error: unknown = null): void => {
      if (ticket === this.computations) this.show(result, error);
    };
    try {
      const answer = this.engine.pool(this.options.kind, this.input.image, this.options.values());
      if (!(answer instanceof Promise)) return shown(answer);
      this.root.dataset.busy = 'true'; // until the worker answers: tests wait for it to go
      answer.then(shown, (error: unknown) => shown(null, error));
    } catch (error) {
      shown(null, error);
    }
  }

  /** Shows a result, or the error instead (the library's argument errors as they read). */
  private show(result: PoolingResult | null, error: unknown): void {
    this.result = result;
    delete this.root.dataset.busy;
    this.root.dataset.ranOn = this.engine.backend;
    if (result !== null) {
      this.error.hidden = true;
      this.root.classList.remove('has-error');
    } else {
      // From the worker an error arrives as its name and message.
      const readable = error instanceof PoolkitArgumentError || (error as Error)?.name === 'PoolkitArgumentError';
      this.error.textContent = readable ? (error as Error).message : `Unexpected error: ${String(error)}`;
      this.error.dataset.kind = readable ? 'argument' : 'unexpected';
      this.error.hidden = false;
      this.root.classList.add('has-error');
    }
    this.publish();
    this.player.reset(this.result === null ? 1 : this.result.outRows * this.result.outColumns);
  }

  /** The numbers behind the maps, as data attributes a test (or a curious person) can read. */
  private publish(): void {
    const result = this.result;
    const outputNode = this.outputMap.root;
    outputNode.dataset.shape = result ? `${result.outRows},${result.outColumns}` : '';
    outputNode.dataset.values = result ? JSON.stringify(Array.from(result.output)) : '';
    outputNode.dataset.indices = result?.indices ? JSON.stringify(Array.from(result.indices)) : '';
    this.gradientMap.root.dataset.values = result?.gradient ? JSON.stringify(Array.from(result.gradient)) : '';
    this.inputMap.root.dataset.shape = `${this.input.image.rows},${this.input.image.columns}`;
    this.formula.replaceChildren(...this.formulaLines().map((line) => element('div', {}, line)));
    this.outputMap.root.hidden = result === null;
    this.gradientMap.root.hidden = result === null || result.gradient === null;
  }

  private formulaLines(): string[] {
    const result = this.result;
    if (result === null) return ['Output size: —'];
    const values = this.options.values();
    if (result.geometry) return windowFormula(result.geometry, values.padding as Padding, values.ceilMode === true);
    if (result.adaptive) return adaptiveFormula(result.adaptive);
    return otherFormula(this.options.kind, this.input.image, values, result);
  }

  /** Input cells behind output `step`, by the kind's own geometry (or traced through the gradient). */
  private cellsOf(step: number): { cells: Cell[]; taps: boolean } {
    const result = this.result!;
    const outRow = Math.floor(step / result.outColumns);
    const outColumn = Math.floor((step % result.outColumns) / result.outChannels);
    if (result.geometry) return { cells: windowTaps(result.geometry, outRow, outColumn), taps: true };
    if (result.adaptive) return { cells: adaptiveCells(result.adaptive, outRow, outColumn), taps: false };
    const image = this.input.image;
    if (this.options.kind.window === 'global') {
      return {
        cells: Array.from(image.values, (_, index): Cell => [Math.floor(index / image.columns), index % image.columns]),
        taps: false,
      };
    }
    // Traced on the page's own thread whatever the engine: it only picks the cells to highlight.
    return { cells: tracedCells(this.options.kind, image, this.options.values(), step), taps: false };
  }

  private showStep(step: number): void {
    const image = this.input.image;
    const result = this.result;
    const maxPixels = this.mapSize();
    if (result === null) {
      this.inputMap.grid.draw({ ...image, palette: 'gray', maxPixels });
      this.story.textContent = '';
      this.detail.replaceChildren();
      return;
    }
    const { cells, taps } = this.cellsOf(step);
    const argmax = result.indices?.[step];
    const argmaxCell: Cell | null =
      argmax === undefined ? null : [Math.floor(argmax / image.columns), argmax % image.columns];
    const highlights: Highlight[] = [
      { cells, color: windowColour, style: taps ? 'outline' : 'fill' },
      { cells: argmaxCell ? [argmaxCell] : [], color: argmaxColour, style: 'outline' },
    ];
    // A dot on every input cell that is the argmax of some output: where each output came from.
    const sources: Highlight = { cells: argmaxSources(result, image.columns), color: argmaxColour, style: 'dot' };
    this.inputMap.grid.draw({
      ...image,
      palette: 'gray',
      margin: displayMargin(result, image),
      highlights: [...highlights, sources],
      maxPixels,
    });
    this.drawResultMaps(result, step, highlights, maxPixels);
    this.story.replaceChildren(...windowStory(result, image, step, cells, argmaxCell));
    this.detail.replaceChildren(
      ...windowDetail(image, cells, argmaxCell, result.output[step]!, this.options.kind.label),
    );
  }

  /** The output map with the current cell, and the gradient map with the current window. */
  private drawResultMaps(result: PoolingResult, step: number, highlights: Highlight[], maxPixels: number): void {
    const outputCell: Cell = [Math.floor(step / result.outColumns), step % result.outColumns];
    this.outputMap.grid.draw({
      values: result.output,
      rows: result.outRows,
      columns: result.outColumns,
      palette: 'gray',
      highlights: [{ cells: [outputCell], color: outputColour, style: 'outline' }],
      maxPixels,
    });
    if (result.gradient === null) return;
    const { rows, columns } = this.input.image;
    this.gradientMap.grid.draw({ values: result.gradient, rows, columns, palette: 'signed', highlights, maxPixels });
  }

  /** Side of each map in pixels: three maps side by side when the workspace is wide enough. */
  private mapSize(): number {
    const width = this.root.querySelector('.maps')?.clientWidth ?? 0;
    const perMap = Math.floor((width - 2 * 18) / 3) - 26;
    return Math.max(240, Math.min(440, perMap > 0 ? perMap : 360));
  }

  private wirePointers(): void {
    this.inputMap.describeWith(
      () => this.input.image.values,
      () => this.input.image.columns,
      'input',
    );
    const source = (index: number): string => {
      const argmax = this.result?.indices?.[index];
      const columns = this.input.image.columns;
      return argmax === undefined ? '' : ` ← input[${Math.floor(argmax / columns)}, ${argmax % columns}]`;
    };
    this.outputMap.describeWith(
      () => this.result?.output ?? null,
      () => this.result?.outColumns ?? 1,
      'output',
      source,
    );
    this.gradientMap.describeWith(
      () => this.result?.gradient ?? null,
      () => this.input.image.columns,
      'gradient',
    );
    this.outputMap.grid.canvas.addEventListener('click', (event) => {
      const cell = this.outputMap.grid.cellAt(event);
      if (cell && this.result) {
        this.player.pause();
        this.player.go(cell[0] * this.result.outColumns + cell[1]);
      }
    });
    this.inputMap.grid.canvas.addEventListener('click', (event) => {
      const cell = this.inputMap.grid.cellAt(event);
      if (cell === null) return;
      const [row, column] = cell;
      const old = this.input.image.values[row * this.input.image.columns + column]!;
      openCellEditor(this.inputMap, cell, old, (value) => this.input.editCell(row, column, value));
    });
  }
}
