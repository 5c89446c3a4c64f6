// The option names fit, evaluate and predict accept, checked at run time so that a misspelt option
// (`epoch`, `batch_size`, `onEpochEnds`) throws naming the valid one instead of being ignored.
import { checkKnownOptions, optionKeys } from '../ops/checks.js';
import type { EvaluateOptions, FitCallbacks, FitOptions } from './training.js';

const FIT_KEYS = optionKeys<FitOptions>({
  epochs: true,
  batchSize: true,
  validationSplit: true,
  validationData: true,
  shuffle: true,
  seed: true,
  initialEpoch: true,
  callbacks: true,
});

const CALLBACK_KEYS = optionKeys<FitCallbacks>({
  setModel: true,
  onBatchBegin: true,
  onTrainBegin: true,
  onTrainEnd: true,
  onEpochBegin: true,
  onBatchEnd: true,
  onEpochEnd: true,
});

const EVALUATE_KEYS = optionKeys<EvaluateOptions>({ batchSize: true });

/** Throws on an option or callback name fit does not know. */
export function checkFitOptions(options: FitOptions): void {
  checkKnownOptions('fit', options, FIT_KEYS);
  const callbacks = options.callbacks;
  for (const callback of Array.isArray(callbacks) ? callbacks : [callbacks]) {
    // A callback object of a class (earlyStopping, modelCheckpoint) may hold fields of its own.
    if (typeof callback === 'object' && callback !== null && Object.getPrototypeOf(callback) === Object.prototype)
      checkKnownOptions('fit', callback, CALLBACK_KEYS);
  }
}

/** Throws on an option name evaluate (or predict, `op`) does not know. */
export function checkEvaluateOptions(op: 'evaluate' | 'predict', options: EvaluateOptions): void {
  checkKnownOptions(op, options, EVALUATE_KEYS);
}
