// The optimizers, learning-rate schedules, and rebuilding an optimizer from its {className, config}.
import { fail } from '../errors.js';
import { nearestKey } from '../ops/checks.js';
import { Adagrad, type AdagradConfig } from './adagrad.js';
import { Adam, type AdamConfig } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop, type RMSpropConfig } from './rmsprop.js';
import { SGD, type SGDConfig } from './sgd.js';

export { Optimizer, type OptimizerParameter, type OptimizerState, type OptimizerConfigValue } from './optimizer.js';
export { Adam, adam, type AdamConfig } from './adam.js';
export { SGD, sgd, type SGDConfig } from './sgd.js';
export { RMSprop, rmsprop, type RMSpropConfig } from './rmsprop.js';
export { Adagrad, adagrad, type AdagradConfig } from './adagrad.js';
export {
  LearningRateSchedule,
  ExponentialDecay,
  PiecewiseConstantDecay,
  CosineDecay,
  exponentialDecay,
  piecewiseConstantDecay,
  cosineDecay,
  scheduleFromConfig,
  type LearningRate,
  type SerializedSchedule,
  type ScheduleConfigValue,
  type DecayConfig,
  type ExponentialDecayConfig,
  type PiecewiseConstantDecayConfig,
  type CosineDecayConfig,
} from './schedules.js';

/** Every optimizer class by name (an explicit table, like layer-table.ts). */
const optimizerTable: Readonly<Record<string, (config: Record<string, unknown>) => Optimizer>> = Object.freeze({
  Adam: (config) => new Adam(config as AdamConfig),
  SGD: (config) => new SGD(config as SGDConfig),
  RMSprop: (config) => new RMSprop(config as RMSpropConfig),
  Adagrad: (config) => new Adagrad(config as AdagradConfig),
});

/** The names compile takes for an optimizer with Keras's defaults (any letter case also works). */
export type OptimizerName = 'adam' | 'sgd' | 'rmsprop' | 'adagrad' | 'Adam' | 'SGD' | 'RMSprop' | 'Adagrad';

/** Lower-cased names → class names; tfjs-layers' 'RMSProp' lower-cases to the same key. */
const byName: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.keys(optimizerTable).map((className) => [className.toLowerCase(), className])),
);

/**
 * An optimizer from a name ('adam', 'sgd', 'rmsprop', 'adagrad', in any case) or {className, config};
 * a learningRate in the config may be a schedule's JSON.
 * @example optimizerFromConfig('adam'); optimizerFromConfig({ className: 'SGD', config: { momentum: 0.9 } })
 */
export function optimizerFromConfig(spec: string | { className: string; config?: Record<string, unknown> }): Optimizer {
  const given = typeof spec === 'string' ? spec : spec?.className;
  const className = typeof given === 'string' ? (byName[given.toLowerCase()] ?? given) : given;
  const make =
    typeof className === 'string' && Object.hasOwn(optimizerTable, className) ? optimizerTable[className] : undefined;
  if (make === undefined) {
    const nearest = typeof given === 'string' ? nearestKey(given, Object.keys(optimizerTable)) : null;
    const hint = nearest === null ? '' : `; did you mean '${nearest}'?`;
    fail('optimizer', 'className', `must be one of ${Object.keys(optimizerTable).join(', ')}${hint}`, given);
  }
  return make(typeof spec === 'string' ? {} : (spec.config ?? {}));
}
