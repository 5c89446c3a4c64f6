// EarlyStopping: Keras's callback that stops fit when a monitored number (by default the
// validation loss) has not improved by minDelta for `patience` epochs, optionally restoring the
// weights of the best epoch. Follows Keras 2.12's rules (baseline, no stop after the first epoch).
import { fail } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { logKey, monitoredValue, monitorMode, type FitCallbacks } from './callbacks.js';
import type { LayersModel } from './layers-model.js';
import type { EpochLogs } from './training.js';

export interface EarlyStoppingOptions {
  /** The logged number to watch: 'val_loss' (default; or 'valLoss'), 'loss', 'val_accuracy', ... */
  monitor?: string;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** 'min', 'max' or 'auto' (default: 'max' for accuracies, else 'min'). */
  mode?: 'auto' | 'min' | 'max';
  /** Training must beat this value too before the patience counter restarts. */
  baseline?: number;
  /** On stopping, put back the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
}

function checkNumber(name: string, value: unknown, fallback: number, integer: boolean): number {
  const resolved = value ?? fallback;
  if (
    typeof resolved !== 'number' ||
    !Number.isFinite(resolved) ||
    resolved < 0 ||
    (integer && !Number.isInteger(resolved))
  )
    fail('earlyStopping', name, `must be a non-negative ${integer ? 'integer' : 'number'}`, value);
  return resolved;
}

export class EarlyStopping implements FitCallbacks {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  /** Epochs since the last improvement; the best value and its epoch; the epoch training stopped (0: it did not). */
  wait = 0;
  best = Infinity;
  bestEpoch = 0;
  stoppedEpoch = 0;
  private model: LayersModel<Tensor | Tensor[]> | null = null;
  private bestWeights: Tensor[] | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    if (options === null || typeof options !== 'object') fail('earlyStopping', 'options', 'must be an object', options);
    if (options.monitor !== undefined && typeof options.monitor !== 'string')
      fail('earlyStopping', 'monitor', 'must be the name of a logged number', options.monitor);
    this.monitor = logKey(options.monitor ?? 'val_loss');
    this.minDelta = checkNumber('minDelta', options.minDelta, 0, false);
    this.patience = checkNumber('patience', options.patience, 0, true);
    this.mode = monitorMode('earlyStopping', options.mode, this.monitor);
    if (options.baseline !== undefined && typeof options.baseline !== 'number')
      fail('earlyStopping', 'baseline', 'must be a number', options.baseline);
    this.baseline = options.baseline ?? null;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
  }

  setModel(model: LayersModel<Tensor | Tensor[]>): void {
    this.model = model;
  }

  onTrainBegin(): void {
    [this.wait, this.stoppedEpoch, this.bestEpoch] = [0, 0, 0];
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.keepWeights(null);
  }

  onEpochEnd(epoch: number, logs: EpochLogs): void {
    const current = monitoredValue('earlyStopping', this.monitor, logs);
    const model = this.model!;
    // Keras keeps the first epoch's weights, so that they come back if no epoch ever improves.
    if (this.restoreBestWeights && this.bestWeights === null) this.keepWeights(model.getWeights());
    this.wait++;
    if (this.improves(current, this.best)) {
      [this.best, this.bestEpoch] = [current, epoch];
      if (this.restoreBestWeights) this.keepWeights(model.getWeights());
      if (this.baseline === null || this.improves(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
      if (this.restoreBestWeights && this.bestWeights !== null) model.setWeights(this.bestWeights);
    }
  }

  onTrainEnd(): void {
    this.keepWeights(null);
  }

  /** Better than `reference` by more than minDelta, in the monitored direction. */
  private improves(current: number, reference: number): boolean {
    return this.mode === 'min' ? current + this.minDelta < reference : current - this.minDelta > reference;
  }

  private keepWeights(weights: Tensor[] | null): void {
    for (const weight of this.bestWeights ?? []) weight.dispose();
    this.bestWeights = weights;
  }
}

/**
 * Keras's EarlyStopping callback, for fit's `callbacks`.
 * @example model.fit(x, y, { validationSplit: 0.2, epochs: 50, callbacks: [earlyStopping({ patience: 3, restoreBestWeights: true })] })
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  return new EarlyStopping(options);
}
