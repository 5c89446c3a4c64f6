// Compile settings ⇄ the trainingConfig of a TensorFlow.js model.json ({loss, metrics,
// optimizer_config: {class_name, config}}, tfjs-layers' names: 'RMSProp', 'Momentum', decay for
// RMSprop's rho). A setting poolkit cannot take leaves the model uncompiled, with the reason.
import type { CompileSettings } from '../../io/compile-settings.js';
import type { ConfigObject } from '../../nn/layer.js';
import { resolveLoss } from '../../nn/losses.js';
import type { OptimizerConfigValue } from '../../optim/optimizer.js';
import { kerasKey, poolkitKey } from '../keras-config.js';

type Config = Record<string, OptimizerConfigValue>;

/** poolkit's optimizer {className, config} as tfjs-layers names it; null where tfjs has no such optimizer. */
function optimizerToTfjs(className: string, config: Config): { class_name: string; config: Config } | null {
  if (typeof config.learningRate !== 'number') return null; // a schedule: tfjs-layers has none
  const { learningRate } = config;
  if (className === 'Adam')
    return {
      class_name: 'Adam',
      config: { learningRate, beta1: config.beta1!, beta2: config.beta2!, epsilon: config.epsilon! },
    };
  if (className === 'SGD' && config.momentum === 0) return { class_name: 'SGD', config: { learningRate } };
  if (className === 'SGD')
    return {
      class_name: 'Momentum',
      config: { learningRate, momentum: config.momentum!, useNesterov: config.nesterov! },
    };
  if (className === 'RMSprop') {
    const { rho, momentum, epsilon, centered } = config;
    return {
      class_name: 'RMSProp',
      config: { learningRate, decay: rho!, momentum: momentum!, epsilon: epsilon!, centered: centered! },
    };
  }
  if (className === 'Adagrad')
    return {
      class_name: 'Adagrad',
      config: { learningRate, initialAccumulatorValue: config.initialAccumulatorValue! },
    };
  return null;
}

/** Compile settings as tfjs-layers' trainingConfig; null when tfjs could not take them. */
export function trainingConfigToTfjs(settings: CompileSettings | null): ConfigObject | null {
  if (settings === null) return null;
  const optimizer = optimizerToTfjs(settings.optimizerConfig.className, settings.optimizerConfig.config);
  if (optimizer === null) return null;
  return {
    loss: kerasKey(settings.loss),
    metrics: settings.metrics.map(kerasKey),
    optimizer_config: optimizer as unknown as ConfigObject,
  };
}

/** Keras's and tfjs's optimizer settings poolkit has no counterpart for, with the values that change nothing. */
const IGNORED: Readonly<Record<string, (value: unknown) => boolean>> = {
  name: () => true,
  decay: (value) => value === 0 || value === undefined,
  amsgrad: (value) => value === false,
  clipnorm: (value) => value === null,
  clipvalue: (value) => value === null,
  globalClipnorm: (value) => value === null,
  weightDecay: (value) => value === null || value === 0,
  useEma: (value) => value === false,
  emaMomentum: () => true,
  emaOverwriteFrequency: () => true,
  jitCompile: () => true,
  isLegacyOptimizer: () => true,
  lossScaleFactor: (value) => value === null,
  gradientAccumulationSteps: (value) => value === null,
};

/** A Keras or tfjs optimizer config as poolkit's {className, config}, or why it cannot be one. */
function optimizerFromTfjs(value: unknown): CompileSettings['optimizerConfig'] | string {
  const { class_name: className, config: raw } = (value ?? {}) as {
    class_name?: unknown;
    config?: Record<string, unknown>;
  };
  const config: Record<string, unknown> = Object.fromEntries(
    Object.entries(raw ?? {}).map(([key, item]) => [poolkitKey(key), item]),
  );
  if (config.lr !== undefined) config.learningRate ??= config.lr;
  delete config.lr;
  if (className === 'RMSProp' || className === 'RMSprop') {
    if (className === 'RMSProp') [config.rho, config.decay] = [config.decay, undefined];
    return finish('RMSprop', config, ['learningRate', 'rho', 'momentum', 'epsilon', 'centered']);
  }
  if (className === 'Momentum')
    return finish('SGD', { ...config, nesterov: config.useNesterov, useNesterov: undefined }, [
      'learningRate',
      'momentum',
      'nesterov',
    ]);
  const known: Readonly<Record<string, readonly string[]>> = {
    Adam: ['learningRate', 'beta1', 'beta2', 'epsilon'],
    SGD: ['learningRate', 'momentum', 'nesterov'],
    Adagrad: ['learningRate', 'initialAccumulatorValue', 'epsilon'],
  };
  if (typeof className !== 'string' || !Object.hasOwn(known, className))
    return `poolkit has no optimizer ${JSON.stringify(className)}`;
  return finish(className, config, known[className]!);
}

function finish(
  className: string,
  config: Record<string, unknown>,
  keys: readonly string[],
): CompileSettings['optimizerConfig'] | string {
  const kept: Config = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    if (keys.includes(key)) kept[key] = value as OptimizerConfigValue;
    else if (!(Object.hasOwn(IGNORED, key) && IGNORED[key]!(value)))
      return `poolkit's ${className} has no setting ${kerasKey(key)} (${JSON.stringify(value)})`;
  }
  if (typeof kept.learningRate !== 'number') return "the optimizer's learning rate is not a number";
  return { className, config: kept };
}

/** tfjs-layers' (or Keras's) trainingConfig as poolkit's compile settings, or the reason it cannot be. */
export function trainingConfigFromTfjs(value: unknown): CompileSettings | string {
  const { loss, metrics, optimizer_config: optimizerConfig } = (value ?? {}) as Record<string, unknown>;
  const single = Array.isArray(loss) && loss.length === 1 ? loss[0] : loss;
  if (typeof single !== 'string') return `the loss ${JSON.stringify(loss)} is not one loss name`;
  try {
    resolveLoss(single);
  } catch {
    return `poolkit has no loss ${JSON.stringify(single)}`;
  }
  const optimizer = optimizerFromTfjs(optimizerConfig);
  if (typeof optimizer === 'string') return optimizer;
  const names = Array.isArray(metrics) ? metrics : [];
  if (!names.every((name) => typeof name === 'string')) return `the metrics ${JSON.stringify(metrics)} are not names`;
  return { optimizerConfig: optimizer, loss: single, metrics: names as string[] };
}
