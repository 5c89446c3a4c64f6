// fit's callbacks, as Keras's: objects with any of onTrainBegin/End, onEpochBegin/End and
// onBatchBegin/End (each may return a Promise, which fit awaits), given alone or as a list that
// runs in order. A callback with setModel(model) is told the model first. Helpers for callbacks
// that watch a logged number (EarlyStopping, ModelCheckpoint).
import { fail } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { LayersModel } from './layers-model.js';
import type { BatchLogs, EpochLogs, History } from './training.js';

/** What onBatchBegin receives: the batch's index and its number of rows. */
export interface BatchBeginLogs {
  readonly batch: number;
  readonly size: number;
}

/** Callbacks may return a Promise; fit awaits it. */
export interface FitCallbacks {
  /** Called once before training with the model being trained (Keras's set_model). */
  setModel?: (model: LayersModel<Tensor | Tensor[]>) => void;
  onTrainBegin?: () => void | Promise<void>;
  onTrainEnd?: (history: History) => void | Promise<void>;
  onEpochBegin?: (epoch: number) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs: BatchBeginLogs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs: BatchLogs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
}

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onBatchBegin', 'onBatchEnd', 'onEpochEnd'] as const;

/** fit's `callbacks` as a checked list: one object or a list of them; each hook must be a function. */
export function callbackList(callbacks: unknown): readonly FitCallbacks[] {
  if (callbacks === undefined || callbacks === null) return [];
  const list = Array.isArray(callbacks) ? callbacks : [callbacks];
  list.forEach((callback, index) => {
    const name = Array.isArray(callbacks) ? `callbacks[${index}]` : 'callbacks';
    if (callback === null || typeof callback !== 'object') fail('fit', name, 'must be an object of hooks', callback);
    for (const hook of [...HOOKS, 'setModel'] as const) {
      const value = (callback as Record<string, unknown>)[hook];
      if (value !== undefined && typeof value !== 'function')
        fail('fit', `${name}.${hook}`, 'must be a function', value);
    }
  });
  return list as FitCallbacks[];
}

/** Calls `hook` on every callback in order, awaiting each. */
export async function runHook<Hook extends (typeof HOOKS)[number]>(
  callbacks: readonly FitCallbacks[],
  hook: Hook,
  ...args: Parameters<NonNullable<FitCallbacks[Hook]>>
): Promise<void> {
  for (const callback of callbacks) {
    const method = callback[hook] as ((...values: unknown[]) => void | Promise<void>) | undefined;
    if (method !== undefined) await method.apply(callback, args);
  }
}

/** Keras's 'val_loss' spelling or poolkit's 'valLoss': the key in EpochLogs. */
export function logKey(monitor: string): string {
  return monitor
    .replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())
    .replace(/^valAcc$/, 'valAccuracy')
    .replace(/^acc$/, 'accuracy');
}

/** 'min' for losses, 'max' for accuracies (Keras's 'auto'), or as given. */
export function monitorMode(op: string, mode: unknown, key: string): 'min' | 'max' {
  const resolved = mode ?? 'auto';
  if (resolved !== 'auto' && resolved !== 'min' && resolved !== 'max')
    fail(op, 'mode', "must be 'auto', 'min' or 'max'", mode);
  if (resolved !== 'auto') return resolved;
  return /acc/i.test(key) ? 'max' : 'min';
}

/** The monitored number from epoch logs; throws, naming the keys there are, when it is absent. */
export function monitoredValue(op: string, key: string, logs: EpochLogs): number {
  const value = (logs as unknown as Record<string, unknown>)[key];
  if (typeof value !== 'number') {
    const keys = Object.keys(logs).filter((name) => name !== 'seconds');
    fail(
      op,
      'monitor',
      `must name a number in the epoch logs (${keys.join(', ')}; validation needs validationData or validationSplit)`,
      key,
    );
  }
  return value;
}
