// Learning-rate schedules with Keras's formulas (keras.optimizers.schedules), accepted wherever an
// optimizer takes a learningRate number. An optimizer evaluates its schedule once per step at its
// step count before the step (0 for the first step), as Keras does with `iterations`.
import { fail } from '../errors.js';
import { checkKnownOptions, optionKeys } from '../ops/checks.js';

export type ScheduleConfigValue = number | boolean | null | readonly number[];

/** A schedule as JSON: {className, config} as Keras serialises it (camelCase keys). */
export interface SerializedSchedule {
  readonly className: string;
  readonly config: Record<string, ScheduleConfigValue>;
}

/** Extend this for a schedule of your own (rateAt and getConfig), as Keras's LearningRateSchedule. */
export abstract class LearningRateSchedule {
  abstract readonly className: string;
  /** The learning rate at optimizer step `step` (0, 1, 2, ...). */
  abstract rateAt(step: number): number;
  abstract getConfig(): Record<string, ScheduleConfigValue>;

  toJSON(): SerializedSchedule {
    return { className: this.className, config: this.getConfig() };
  }
}

/** A learning rate: a number, or a schedule of the step. */
export type LearningRate = number | LearningRateSchedule;

function positive(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0) || value === Infinity)
    fail(op, name, 'must be a positive number', value);
  return value;
}

function rate(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0) || value === Infinity)
    fail(op, name, 'must be a finite number >= 0', value);
  return value;
}

/** A schedule whose settings are one config object: its keys checked, its values read by `read`. */
abstract class ConfiguredSchedule<Config extends object> extends LearningRateSchedule {
  readonly config: Readonly<Required<Config>>;

  constructor(op: string, config: Config, knownKeys: readonly string[], read: (config: Config) => Required<Config>) {
    super();
    checkKnownOptions(op, config, knownKeys);
    this.config = Object.freeze(read(config));
  }

  getConfig(): Record<string, ScheduleConfigValue> {
    return { ...(this.config as Record<string, ScheduleConfigValue>) };
  }
}

/** What the decaying schedules share: the rate at step 0 and the steps it decays over. */
export interface DecayConfig {
  initialLearningRate: number;
  decaySteps: number;
}

const DECAY_KEYS = { initialLearningRate: true, decaySteps: true } as const;

/** A decay config's shared fields checked: a non-negative rate and a positive step count. */
function checkDecay(op: string, config: DecayConfig): DecayConfig {
  return {
    initialLearningRate: rate(op, 'initialLearningRate', config.initialLearningRate),
    decaySteps: positive(op, 'decaySteps', config.decaySteps),
  };
}

export interface ExponentialDecayConfig extends DecayConfig {
  decayRate: number;
  /** Decay in whole steps of decaySteps (floor(step / decaySteps)); default false. */
  staircase?: boolean;
}

const EXPONENTIAL_KEYS = optionKeys<ExponentialDecayConfig>({ ...DECAY_KEYS, decayRate: true, staircase: true });

/** initialLearningRate · decayRate^(step / decaySteps), the exponent floored when staircase. */
export class ExponentialDecay extends ConfiguredSchedule<ExponentialDecayConfig> {
  readonly className = 'ExponentialDecay';

  constructor(config: ExponentialDecayConfig) {
    super('exponentialDecay', config, EXPONENTIAL_KEYS, (checked) => {
      const staircase = checked.staircase ?? false;
      if (typeof staircase !== 'boolean') fail('exponentialDecay', 'staircase', 'must be a boolean', staircase);
      return {
        ...checkDecay('exponentialDecay', checked),
        decayRate: rate('exponentialDecay', 'decayRate', checked.decayRate),
        staircase,
      };
    });
  }

  rateAt(step: number): number {
    const { initialLearningRate, decaySteps, decayRate, staircase } = this.config;
    const progress = step / decaySteps;
    return initialLearningRate * decayRate ** (staircase ? Math.floor(progress) : progress);
  }
}

export interface PiecewiseConstantDecayConfig {
  /** Strictly increasing step counts. */
  boundaries: readonly number[];
  /** One more than boundaries: values[i] while step <= boundaries[i], the last after them all. */
  values: readonly number[];
}

const PIECEWISE_KEYS = optionKeys<PiecewiseConstantDecayConfig>({ boundaries: true, values: true });

/** values[0] for step <= boundaries[0], values[i] for boundaries[i−1] < step <= boundaries[i], then the last. */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly className = 'PiecewiseConstantDecay';
  readonly boundaries: readonly number[];
  readonly values: readonly number[];

  constructor(config: PiecewiseConstantDecayConfig) {
    super();
    checkKnownOptions('piecewiseConstantDecay', config, PIECEWISE_KEYS);
    const { boundaries, values } = config;
    const increasing =
      Array.isArray(boundaries) &&
      boundaries.every((step, index) => typeof step === 'number' && (index === 0 || step > boundaries[index - 1]!));
    if (!increasing)
      fail('piecewiseConstantDecay', 'boundaries', 'must be a list of strictly increasing numbers', boundaries);
    if (!Array.isArray(values) || values.length !== boundaries.length + 1)
      fail(
        'piecewiseConstantDecay',
        'values',
        `must be a list of ${boundaries.length + 1} rates (one more than boundaries)`,
        values,
      );
    values.forEach((value, index) => rate('piecewiseConstantDecay', `values[${index}]`, value));
    this.boundaries = Object.freeze([...boundaries]);
    this.values = Object.freeze([...values]);
  }

  rateAt(step: number): number {
    const index = this.boundaries.findIndex((boundary) => step <= boundary);
    return this.values[index === -1 ? this.values.length - 1 : index]!;
  }

  getConfig() {
    return { boundaries: [...this.boundaries], values: [...this.values] };
  }
}

export interface CosineDecayConfig extends DecayConfig {
  /** The floor, as a fraction of the rate decayed from; default 0. */
  alpha?: number;
  /** Warm up linearly from initialLearningRate to this over warmupSteps, then decay from it; default none. */
  warmupTarget?: number | null;
  /** Default 0. */
  warmupSteps?: number;
}

const COSINE_KEYS = optionKeys<CosineDecayConfig>({
  ...DECAY_KEYS,
  alpha: true,
  warmupTarget: true,
  warmupSteps: true,
});

/**
 * Keras's CosineDecay: with d = min(step, decaySteps), from · ((1 − α)·½(1 + cos(π·d / decaySteps)) + α);
 * with a warmupTarget, first a line from initialLearningRate to it over warmupSteps, then that decay
 * of the target over the steps after the warmup.
 */
export class CosineDecay extends ConfiguredSchedule<CosineDecayConfig> {
  readonly className = 'CosineDecay';

  constructor(config: CosineDecayConfig) {
    super('cosineDecay', config, COSINE_KEYS, (checked) => {
      const warmupTarget = checked.warmupTarget ?? null;
      return {
        ...checkDecay('cosineDecay', checked),
        alpha: rate('cosineDecay', 'alpha', checked.alpha ?? 0),
        warmupTarget: warmupTarget === null ? null : rate('cosineDecay', 'warmupTarget', warmupTarget),
        warmupSteps: rate('cosineDecay', 'warmupSteps', checked.warmupSteps ?? 0),
      };
    });
  }

  rateAt(step: number): number {
    const { initialLearningRate, decaySteps, alpha, warmupTarget, warmupSteps } = this.config;
    const decay = (progress: number, from: number): number =>
      from * ((1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * progress) / decaySteps)) + alpha);
    if (warmupTarget === null) return decay(Math.min(step, decaySteps), initialLearningRate);
    const clamped = Math.min(step, decaySteps + warmupSteps);
    if (clamped < warmupSteps)
      return (warmupTarget - initialLearningRate) * (clamped / warmupSteps) + initialLearningRate;
    return decay(clamped - warmupSteps, warmupTarget);
  }
}

/**
 * Keras's ExponentialDecay.
 * @example adam({ learningRate: exponentialDecay({ initialLearningRate: 0.01, decaySteps: 1000, decayRate: 0.9 }) })
 */
export function exponentialDecay(config: ExponentialDecayConfig): ExponentialDecay {
  return new ExponentialDecay(config);
}

/**
 * Keras's PiecewiseConstantDecay.
 * @example sgd({ learningRate: piecewiseConstantDecay({ boundaries: [1000, 2000], values: [0.1, 0.01, 0.001] }) })
 */
export function piecewiseConstantDecay(config: PiecewiseConstantDecayConfig): PiecewiseConstantDecay {
  return new PiecewiseConstantDecay(config);
}

/**
 * Keras's CosineDecay (with optional linear warmup).
 * @example rmsprop({ learningRate: cosineDecay({ initialLearningRate: 0.001, decaySteps: 5000, alpha: 0.1 }) })
 */
export function cosineDecay(config: CosineDecayConfig): CosineDecay {
  return new CosineDecay(config);
}

const scheduleTable: Readonly<Record<string, (config: never) => LearningRateSchedule>> = Object.freeze({
  ExponentialDecay: exponentialDecay,
  PiecewiseConstantDecay: piecewiseConstantDecay,
  CosineDecay: cosineDecay,
});

/** A schedule from its JSON ({className, config}), as an optimizer's getConfig() lists it. */
export function scheduleFromConfig(serialized: SerializedSchedule): LearningRateSchedule {
  const make = Object.hasOwn(scheduleTable, serialized?.className) ? scheduleTable[serialized.className] : undefined;
  if (make === undefined)
    fail(
      'scheduleFromConfig',
      'className',
      `must be one of ${Object.keys(scheduleTable).join(', ')}`,
      serialized?.className,
    );
  return make(serialized.config as never);
}

/**
 * Checks an optimizer's learningRate option: a finite number >= 0, a LearningRateSchedule, or a
 * schedule's JSON (from a saved optimizer config), which is rebuilt.
 */
export function checkLearningRate(optimizer: string, value: unknown, fallback: number): LearningRate {
  if (value === undefined) return fallback;
  if (value instanceof LearningRateSchedule) return value;
  if (value !== null && typeof value === 'object' && 'className' in value)
    return scheduleFromConfig(value as SerializedSchedule);
  return rate(optimizer, 'learningRate', value);
}

/** The learning rate at a step; throws if a schedule gives something that is not a finite rate >= 0. */
export function learningRateAt(optimizer: string, learningRate: LearningRate, step: number): number {
  if (typeof learningRate === 'number') return learningRate;
  const value = learningRate.rateAt(step);
  if (typeof value !== 'number' || !(value >= 0) || value === Infinity)
    fail(
      optimizer,
      'learningRate',
      `schedule ${learningRate.className} must give a finite rate >= 0 at step ${step}`,
      value,
    );
  return value;
}

/** How getConfig lists a learning rate: the number, or the schedule's JSON. */
export function learningRateConfig(learningRate: LearningRate): number | SerializedSchedule {
  return typeof learningRate === 'number' ? learningRate : learningRate.toJSON();
}
