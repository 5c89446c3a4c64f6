// The optimizers, and rebuilding one from its {className, config}.
import { fail } from '../errors.js';
import { Adam, type AdamConfig } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { SGD, type SGDConfig } from './sgd.js';

export { Optimizer, type OptimizerParameter, type OptimizerState } from './optimizer.js';
export { Adam, adam, type AdamConfig } from './adam.js';
export { SGD, sgd, type SGDConfig } from './sgd.js';

/** Every optimizer class by name (an explicit table, like layer-table.ts). */
const optimizerTable: Readonly<Record<string, (config: Record<string, unknown>) => Optimizer>> = Object.freeze({
  Adam: (config) => new Adam(config as AdamConfig),
  SGD: (config) => new SGD(config as SGDConfig),
});

/**
 * An optimizer from a name ('adam', 'sgd', Keras's spelling) or {className, config}.
 * @example optimizerFromConfig('adam'); optimizerFromConfig({ className: 'SGD', config: { momentum: 0.9 } })
 */
export function optimizerFromConfig(spec: string | { className: string; config?: Record<string, unknown> }): Optimizer {
  const byName: Record<string, string> = { adam: 'Adam', sgd: 'SGD' };
  const className = typeof spec === 'string' ? (byName[spec.toLowerCase()] ?? spec) : spec?.className;
  const make =
    typeof className === 'string' && Object.hasOwn(optimizerTable, className) ? optimizerTable[className] : undefined;
  if (make === undefined)
    fail('optimizer', 'className', `must be one of ${Object.keys(optimizerTable).join(', ')}`, className);
  return make(typeof spec === 'string' ? {} : (spec.config ?? {}));
}
