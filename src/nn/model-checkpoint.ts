// ModelCheckpoint (Node only): Keras's callback that saves the model after every epoch, or only
// when a monitored number improves, into a folder (model.json + weights, each file written
// atomically by saveModel). The folder name may hold {epoch} and logged numbers: 'runs/e{epoch:02d}'.
import { fail } from '../errors.js';
import { saveModel } from '../io/model-folder.js';
import type { Tensor } from '../tensor/tensor.js';
import { logKey, monitoredValue, monitorMode, type FitCallbacks } from './callbacks.js';
import type { LayersModel } from './layers-model.js';
import type { EpochLogs } from './training.js';

export interface ModelCheckpointOptions {
  /** The folder to save into; `{epoch}` (1-based, as Keras), `{epoch:02d}`, `{val_loss:.4f}` are filled in. */
  filepath: string;
  /** The logged number saveBestOnly watches: 'val_loss' (default), 'loss', 'val_accuracy', ... */
  monitor?: string;
  /** Save only when the monitored number improves on the best so far (default false: every epoch). */
  saveBestOnly?: boolean;
  /** 'min', 'max' or 'auto' (default: 'max' for accuracies, else 'min'). */
  mode?: 'auto' | 'min' | 'max';
}

/** Fills {epoch}, {epoch:02d}, {name} and {name:.Nf} (name a logged number, Keras or camelCase). */
export function checkpointPath(template: string, epoch: number, logs: EpochLogs): string {
  return template.replace(
    /\{([A-Za-z_]+)(?::(0?\d*)(d|\.\d+f))?\}/g,
    (whole, name: string, width: string, kind: string) => {
      const value = name === 'epoch' ? epoch + 1 : monitoredValue('modelCheckpoint', logKey(name), logs);
      if (kind === undefined) return String(value);
      if (kind === 'd') return String(Math.round(value)).padStart(Number(width || 0), '0');
      return value.toFixed(Number(kind.slice(1, -1)));
    },
  );
}

export class ModelCheckpoint implements FitCallbacks {
  readonly filepath: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly mode: 'min' | 'max';
  /** The best monitored value saved so far, and the folders written. */
  best = Infinity;
  readonly saved: string[] = [];
  private model: LayersModel<Tensor | Tensor[]> | null = null;

  constructor(options: ModelCheckpointOptions) {
    if (
      options === null ||
      typeof options !== 'object' ||
      typeof options.filepath !== 'string' ||
      options.filepath === ''
    )
      fail('modelCheckpoint', 'filepath', 'must be a folder name', options?.filepath);
    if (options.monitor !== undefined && typeof options.monitor !== 'string')
      fail('modelCheckpoint', 'monitor', 'must be the name of a logged number', options.monitor);
    this.filepath = options.filepath;
    this.monitor = logKey(options.monitor ?? 'val_loss');
    this.saveBestOnly = options.saveBestOnly ?? false;
    if (typeof this.saveBestOnly !== 'boolean')
      fail('modelCheckpoint', 'saveBestOnly', 'must be a boolean', options.saveBestOnly);
    this.mode = monitorMode('modelCheckpoint', options.mode, this.monitor);
  }

  setModel(model: LayersModel<Tensor | Tensor[]>): void {
    this.model = model;
  }

  onTrainBegin(): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  async onEpochEnd(epoch: number, logs: EpochLogs): Promise<void> {
    if (this.saveBestOnly) {
      const current = monitoredValue('modelCheckpoint', this.monitor, logs);
      if (!(this.mode === 'min' ? current < this.best : current > this.best)) return;
      this.best = current;
    }
    const folder = checkpointPath(this.filepath, epoch, logs);
    await saveModel(this.model!, folder, { epoch: epoch + 1, logs: { ...logs } });
    this.saved.push(folder);
  }
}

/**
 * Keras's ModelCheckpoint callback, for fit's `callbacks` (from 'poolkit/node').
 * @example model.fit(x, y, { validationSplit: 0.2, callbacks: [modelCheckpoint({ filepath: 'runs/best', saveBestOnly: true })] })
 */
export function modelCheckpoint(options: ModelCheckpointOptions): ModelCheckpoint {
  return new ModelCheckpoint(options);
}
