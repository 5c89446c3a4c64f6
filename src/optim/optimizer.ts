// The Optimizer base: applies each parameter's .grad (filled by backward()) in place, frees the
// gradient, and keeps per-parameter slots (momentum, moments) keyed by the parameter's name
// ('dense/kernel'), so its state can be saved and restored for resuming training. Slots live in the
// heap (kept tensors) so the WebAssembly update kernels read them in place. The learning rate may be
// a schedule of the step, evaluated once per step (see schedules.ts).
import { fail } from '../errors.js';
import { checkKnownOptions } from '../ops/checks.js';
import { keep } from '../tensor/scope.js';
import { Tensor, type TensorHome } from '../tensor/tensor.js';
import {
  checkLearningRate,
  learningRateAt,
  learningRateConfig,
  type LearningRate,
  type SerializedSchedule,
} from './schedules.js';

/** A parameter as a layer lists it; `name` must be unique among those an optimizer sees. */
export interface OptimizerParameter {
  readonly name: string;
  readonly tensor: Tensor;
}

/** A hyper-parameter in getConfig(): a number or flag, or a learning-rate schedule's JSON. */
export type OptimizerConfigValue = number | boolean | SerializedSchedule;

/** Everything needed to resume: JSON-friendly except slot values, Float32Arrays (write them as binary). */
export interface OptimizerState {
  readonly className: string;
  readonly config: Record<string, OptimizerConfigValue>;
  readonly iterations: number;
  /** slots[parameterName][slotName] = values, shaped like the parameter. */
  readonly slots: Record<string, Record<string, Float32Array>>;
}

/** An optimizer's hyper-parameter besides the learning rate: a number in [min, max], or a flag. */
export type Hyperparameter =
  { readonly default: number; readonly min: number; readonly max: number } | { readonly default: boolean };

/** An optimizer's hyper-parameters by name, in getConfig()'s order. */
export type Hyperparameters = Readonly<Record<string, Hyperparameter>>;

/** The schema of a config type: one entry per key but the learning rate (checked at compile time). */
export type HyperparametersOf<Config> = {
  readonly [Key in Exclude<keyof Required<Config>, 'learningRate'>]: Hyperparameter;
};

/**
 * The optimizer's hyper-parameters as one schema: the base class checks a config against it
 * (unknown keys, ranges, flags), sets them as the instance's fields (which subclasses `declare`),
 * and writes getConfig() from it, so each optimizer states only its defaults, ranges and update.
 */
export abstract class Optimizer {
  /** Steps taken so far (Keras's `iterations`). */
  iterations = 0;
  /** A number, or a schedule evaluated at `iterations` before each step. */
  readonly learningRate: LearningRate;
  /** The learning rate of the step being applied (set before beginStep and the updates). */
  protected stepLearningRate = 0;
  private slots = new Map<string, Record<string, Tensor>>();
  /**
   * Whether update() only hands its arrays to a kernel of the table (Adam, SGD): then a parameter on
   * the GPU is updated there, its slots beside it; other optimizers read a resident parameter back.
   */
  protected readonly updatesOnKernels: boolean = false;

  constructor(
    readonly className: string,
    config: object,
    private readonly hyperparameters: Hyperparameters,
    defaultLearningRate: number,
  ) {
    const settings = config as Record<string, unknown>;
    checkKnownOptions(className, settings, ['learningRate', ...Object.keys(hyperparameters)]);
    this.learningRate = checkLearningRate(className, settings.learningRate, defaultLearningRate);
    for (const [name, spec] of Object.entries(hyperparameters)) {
      const value = settings[name] ?? spec.default;
      if ('min' in spec) checkRate(className, name, value, spec.min, spec.max);
      else if (typeof value !== 'boolean') fail(className, name, 'must be a boolean', value);
      Object.defineProperty(this, name, { value, enumerable: true });
    }
  }

  /** Hyper-parameters, as Keras's get_config (camelCase). */
  getConfig(): Record<string, OptimizerConfigValue> {
    const fields = this as unknown as Record<string, OptimizerConfigValue>;
    const values = Object.keys(this.hyperparameters).map((name) => [name, fields[name]!] as const);
    return { learningRate: learningRateConfig(this.learningRate), ...Object.fromEntries(values) };
  }

  /** The update of one parameter, in place; `slots` are its zero-initialised slot arrays. */
  protected abstract update(values: Float32Array, grad: Float32Array, slots: Record<string, Float32Array>): void;

  /** Names of the slots each parameter gets. */
  protected abstract slotNames(): readonly string[];

  /** Called once per step before the updates (bias corrections that depend on the step). */
  protected beginStep(): void {}

  /** The value a new slot starts from (Adagrad's accumulator starts above 0). */
  protected initialSlotValue(_slot: string): number {
    return 0;
  }

  /** The learning rate the next step will use: the schedule at `iterations`, or the number. */
  get currentLearningRate(): number {
    return learningRateAt(this.className, this.learningRate, this.iterations);
  }

  /**
   * One step: every parameter with a .grad is updated and its .grad disposed and cleared;
   * parameters without a gradient are left alone (their slots too), as Keras does.
   */
  applyGradients(parameters: readonly OptimizerParameter[]): void {
    for (const { name, tensor } of parameters) this.checkLive(name, tensor); // before any update: no half step
    this.stepLearningRate = this.currentLearningRate;
    this.beginStep();
    for (const { name, tensor } of parameters) {
      const grad = tensor.grad;
      if (grad === null) continue;
      if (grad.size !== tensor.size)
        fail(this.className, 'gradient', `of '${name}' must match its parameter's size ${tensor.size}`, grad.size);
      const slots = this.slotsOf(name, tensor);
      if (this.updatesOnKernels) this.update(tensor.kernelValues, grad.kernelValues, slotData(slots, true));
      else this.update(tensor.values, grad.values, slotData(slots, false));
      grad.dispose();
      tensor.grad = null;
    }
    this.iterations++;
  }

  getState(): OptimizerState {
    const slots: Record<string, Record<string, Float32Array>> = {};
    for (const [name, arrays] of this.slots) {
      slots[name] = Object.fromEntries(Object.entries(arrays).map(([slot, values]) => [slot, values.toFloat32Array()]));
    }
    return { className: this.className, config: this.getConfig(), iterations: this.iterations, slots };
  }

  /** Restores a state from getState() of an optimizer of the same class. */
  setState(state: OptimizerState): void {
    if (state?.className !== this.className)
      fail(this.className, 'state', `must come from a ${this.className} optimizer`, state?.className);
    if (!Number.isInteger(state.iterations) || state.iterations < 0)
      fail(this.className, 'state.iterations', 'must be a non-negative integer', state.iterations);
    for (const [name, arrays] of Object.entries(state.slots ?? {})) {
      for (const slot of this.slotNames()) {
        if (!arrays[slot])
          fail(this.className, 'state.slots', `must hold '${slot}' for '${name}'`, Object.keys(arrays));
      }
    }
    this.iterations = state.iterations;
    this.dispose();
    for (const [name, arrays] of Object.entries(state.slots ?? {})) {
      const copied: Record<string, Tensor> = {};
      for (const slot of this.slotNames()) copied[slot] = slotTensor(Float32Array.from(arrays[slot]!));
      this.slots.set(name, copied);
    }
  }

  /** Moves every slot's values to `home` (fit keeps them beside parameters on the GPU; see Tensor.to). */
  moveSlots(home: TensorHome): void {
    for (const arrays of this.slots.values()) for (const values of Object.values(arrays)) values.to(home);
  }

  /** Frees the slots' heap memory (the next step starts them from zero again). */
  dispose(): void {
    for (const arrays of this.slots.values()) for (const values of Object.values(arrays)) values.dispose();
    this.slots = new Map();
  }

  private checkLive(name: string, tensor: Tensor): void {
    if (tensor.isDisposed) fail(this.className, `parameter '${name}'`, 'must not be disposed', tensor.toString());
    if (tensor.grad?.isDisposed) {
      const rule = 'must not be disposed (a tidy() around backward() disposes the gradients it made)';
      fail(this.className, `the gradient of '${name}'`, rule, tensor.grad.toString());
    }
  }

  private slotsOf(name: string, parameter: Tensor): Record<string, Tensor> {
    const size = parameter.size;
    let found = this.slots.get(name);
    if (found === undefined) {
      found = Object.fromEntries(
        this.slotNames().map((slot) => [slot, slotTensor(new Float32Array(size).fill(this.initialSlotValue(slot)))]),
      );
      if (this.updatesOnKernels && parameter.home === 'webgpu')
        for (const slot of Object.values(found)) slot.to('webgpu');
      this.slots.set(name, found);
    }
    if (Object.values(found).some((values) => values.size !== size)) {
      fail(this.className, 'parameter', `'${name}' changed size since the optimizer first saw it`, size);
    }
    return found;
  }
}

/** A slot in the heap, kept out of every tidy(): it lives as long as the optimizer. */
function slotTensor(values: Float32Array): Tensor {
  const slot = keep(Tensor.allocate([values.length]));
  slot.values.set(values);
  return slot;
}

/** The slots' arrays: kernelValues (resident ones bound in place) or heap views. */
function slotData(slots: Record<string, Tensor>, forKernel: boolean): Record<string, Float32Array> {
  return Object.fromEntries(
    Object.entries(slots).map(([slot, values]) => [slot, forKernel ? values.kernelValues : values.values]),
  );
}

export function checkRate(optimizer: string, name: string, value: unknown, minimum: number, maximum: number): number {
  if (typeof value !== 'number' || !(value >= minimum && value <= maximum)) {
    fail(optimizer, name, `must be a number in [${minimum}, ${maximum}]`, value);
  }
  return value;
}
