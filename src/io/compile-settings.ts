// A model's compile settings as saved beside it (model.json's trainingConfig): the optimizer's
// {className, config}, the loss's name and the metrics' names, so a loaded model evaluates and
// keeps training as it was compiled. A loss given as a function cannot be written, and is not.
import type { AnyLayersModel } from '../nn/layers-model.js';
import { resolveLoss } from '../nn/losses.js';
import type { MetricName } from '../nn/metrics.js';
import type { OptimizerConfigValue } from '../optim/optimizer.js';
import { failFile } from './file-error.js';

export interface CompileSettings {
  readonly optimizerConfig: { readonly className: string; readonly config: Record<string, OptimizerConfigValue> };
  /** A loss name compile takes ('sparseCategoricalCrossentropy'). */
  readonly loss: string;
  readonly metrics: readonly string[];
}

/** The model's compile settings, or null when it is not compiled or its loss is a function of the caller's. */
export function compileSettingsOf(model: AnyLayersModel): CompileSettings | null {
  const { optimizer, loss } = model;
  if (optimizer === null || loss === null) return null;
  let named: unknown;
  try {
    named = resolveLoss(loss.name);
  } catch {
    return null;
  }
  if (named !== loss) return null;
  return {
    optimizerConfig: { className: optimizer.className, config: optimizer.getConfig() },
    loss: loss.name,
    metrics: model.metrics.map((metric) => metric.name),
  };
}

/** Compiles the model with saved settings; a setting this poolkit cannot take is an error naming `file`. */
export function applyCompileSettings(model: AnyLayersModel, settings: unknown, file: string): void {
  const { optimizerConfig, loss, metrics } = (settings ?? {}) as Partial<CompileSettings>;
  if (
    typeof optimizerConfig?.className !== 'string' ||
    typeof loss !== 'string' ||
    (metrics !== undefined && !Array.isArray(metrics))
  )
    failFile(file, 'trainingConfig must be {optimizerConfig: {className, config}, loss, metrics}');
  try {
    model.compile({
      optimizer: { className: optimizerConfig.className, config: optimizerConfig.config ?? {} },
      loss: loss as never,
      metrics: (metrics ?? []) as MetricName[],
    });
  } catch (error) {
    failFile(file, `has a trainingConfig this poolkit cannot compile: ${(error as Error).message}`);
  }
}
