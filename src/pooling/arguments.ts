// What the random and learnable pooling kinds share: the training flag, where random draws come
// from (a seed or a Random in the options), the draw-or-expect op, and parameter and scope checks.
import { fail } from '../errors.js';
import { Random } from '../tensor/random.js';
import { drawKey } from '../tensor/counter-draws.js';
import { Tensor, type Shape } from '../tensor/tensor.js';
import { checkTensor } from '../ops/checks.js';
import type { PoolGeometry } from '../geometry/pool-geometry.js';
import type { WeightedWindowBackward, WeightedWindowForward } from '../kernels/reference/extra/kernel-signatures.js';
import { kernel } from '../kernels/backend.js';
import { windowGeometry } from './common-options.js';
import { arrayGetters, indicesLike, runPoolSteps, type PoolSteps, type SavedSpec } from './compute.js';
import { clearedRoom } from './kinds/forward-keep.js';
import type { CellSelection, LayerContext, OpCall, OpOptions } from './kind.js';

export interface RandomPoolOptions {
  /** true: draw (the training forward pass); false (default): the expectation, which needs no randomness. */
  training?: boolean;
  /** Seed of a fresh Random for this call; give `random` instead to continue one sequence over calls. */
  seed?: number;
  /** The generator to draw from (advanced by the call). */
  random?: Random;
}

export function checkTraining(op: string, training: unknown): boolean {
  if (training === undefined) return false;
  if (typeof training !== 'boolean') fail(op, 'training', 'must be a boolean', training);
  return training;
}

/** The generator for a call that draws: `random` if given, else one made from `seed`; one is required. */
export function resolveRandom(op: string, options: { seed?: unknown; random?: unknown }): Random {
  if (options.random !== undefined) {
    if (!(options.random instanceof Random)) fail(op, 'random', 'must be a Random', options.random);
    return options.random;
  }
  if (options.seed === undefined) {
    fail(op, 'seed', 'is required when drawing (give seed or random in the options)', options.seed);
  }
  if (!Number.isInteger(options.seed)) fail(op, 'seed', 'must be an integer', options.seed);
  return new Random(options.seed as number);
}

export function zeroTensor(shape: Shape): Tensor {
  const result = Tensor.allocate(shape);
  result.values.fill(0);
  return result;
}

/** Checks a parameter tensor against the shapes it may have; returns the index of the one it has. */
export function checkParameterShape(op: string, name: string, value: unknown, allowed: readonly Shape[]): number {
  const parameter = checkTensor(op, name, value);
  const found = allowed.findIndex((shape) => shape.join() === parameter.shape.join());
  if (found < 0) {
    const choices = allowed.map((shape) => `[${shape.join(', ')}]`).join(' or ');
    fail(op, name, `must have shape ${choices}`, `shape [${parameter.shape.join(', ')}]`);
  }
  return found;
}

/** A layer option choosing one weight for the layer or one per channel. */
export function scopeOption(owner: string, name: string, value: unknown): 'layer' | 'channel' {
  if (value === undefined) return 'layer';
  if (value !== 'layer' && value !== 'channel') fail(owner, name, "must be 'layer' or 'channel'", value);
  return value;
}

/** The channel count of a layer's input, which per-channel weights need known. */
export function layerChannels(context: LayerContext): number {
  const channelsLast = (context.options.dataFormat ?? 'channelsLast') === 'channelsLast';
  const shape = context.inputShape;
  const channels = channelsLast ? shape[shape.length - 1] : shape[1];
  if (typeof channels !== 'number') fail(context.owner, 'input', 'must have a known channel count', shape);
  return channels;
}

/** A random kind's training steps: its drawing forward kernel (kernel-signatures.ts), and the backward. */
export interface DrawingSteps {
  readonly forward: 'randomPoolForward' | 'stochasticPoolForward';
  /** Reads the chosen cells, saved[0]. */
  readonly backward: PoolSteps['backward'];
  /** Whether the backward needs gradInput zeroed first (default true; false where it writes every cell). */
  readonly zeroGradients?: boolean;
  /** The forward and backward are kernels of every backend's table (PoolSteps.bindsResident). */
  readonly bindsResident?: boolean;
}

/**
 * A random window kind's op: without `training`, its deterministic inference steps; in training,
 * one uniform draw per output element for its drawing forward kernel, counter-based
 * (src/tensor/counter-draws.ts: a hash of the element's index under a key of two words taken from
 * the seed's or the given Random), which saves the chosen cell of each window as int32 indices for the backward.
 */
export function drawOrExpect(
  call: OpCall,
  geometry: PoolGeometry,
  inference: PoolSteps,
  training: DrawingSteps,
): Tensor {
  const { op, input, options } = call;
  if (!checkTraining(op, options.training)) {
    return runPoolSteps(op, [input], geometry.outputShape, { zeroGradients: true, ...inference }).output;
  }
  const selection = drawnSelection(call, geometry, training);
  return runPoolSteps(op, [input], geometry.outputShape, {
    saved: [indicesLike(geometry.outputShape)],
    zeroGradients: training.zeroGradients ?? true,
    bindsResident: training.bindsResident === true,
    forward: ({ output, saved: [chosen] }) => selection.forward(output, chosen!),
    backward: training.backward,
  }).output;
}

/** A random kind's training forward as a cell selection (KindDefinition.selectCells): the key is drawn now. */
export function drawnSelection(
  call: OpCall,
  geometry: PoolGeometry,
  training: Pick<DrawingSteps, 'forward' | 'bindsResident'>,
): CellSelection {
  const draws = drawKey(resolveRandom(call.op, call.options));
  const [values, ints] = arrayGetters(training.bindsResident === true);
  const input = call.input;
  return {
    geometry,
    forward: (output, chosen) => kernel(training.forward)(values(input), values(output), ints(chosen), draws, geometry),
  };
}

/** Whether a random kind's call draws (its `training` option), as drawOrExpect decides. */
export function drawsInCall(call: OpCall): boolean {
  return checkTraining(call.op, call.options.training);
}

/** Kernel pairs of window kinds with one learnable weight tensor (mixed, gated, GeM, LSE, ordinal): the same signatures. */
type WeightedKernels = 'mixedPool' | 'gatedPool' | 'gemPool' | 'lsePool' | 'ordinalPool';

/** Families whose GPU backward sums the scalar weight's gradient on the host (kind-kernels.ts addTerms). */
const HOST_SUMMED: readonly WeightedKernels[] = ['mixedPool', 'gemPool', 'lsePool'];

/** Families whose backward kernels write the input gradient whole on every backend (no zero-fill before). */
const WRITES_INPUT_GRADIENT: readonly WeightedKernels[] = ['mixedPool', 'gatedPool', 'ordinalPool'];

/**
 * A window kind with one weight tensor (the op's tensor argument, named `weightName`, of one of the
 * `shapes` the geometry allows): its forward and backward kernels, gradients to input and weights.
 * With `room` (forward-keep.ts's spec for the geometry), a forward that records a gradient gets a
 * room to keep what its backward would recompute (mark cleared; the kernels may leave it unused).
 */
export function weightedWindowOp(
  call: OpCall,
  weightName: string,
  shapes: (geometry: PoolGeometry) => readonly Shape[],
  kernels: WeightedKernels,
  room?: (geometry: PoolGeometry) => SavedSpec,
): Tensor {
  const { op, input, tensors } = call;
  const geometry = windowGeometry(call);
  checkParameterShape(op, weightName, tensors[0], shapes(geometry));
  const pair = {
    forward: () => kernel(`${kernels}Forward`),
    backward: () => kernel(`${kernels}Backward`),
    hostWork: HOST_SUMMED.includes(kernels),
    writesInputGradient: WRITES_INPUT_GRADIENT.includes(kernels),
  };
  return runWeightedWindow(op, input, tensors[0]!, geometry, pair, room);
}

/** A weighted kernel pair, looked up when each step runs (the backend active then). */
export interface WeightedKernelLookup<Geometry extends PoolGeometry> {
  forward(): WeightedWindowForward<Geometry>;
  backward(): WeightedWindowBackward<Geometry>;
  /** A GPU kernel of the pair finishes on the host (AdaPool's β sums): the steps then read resident tensors back. */
  readonly hostWork?: boolean;
  /** The backward writes every cell of the input gradient (else it adds into zeros); the weights' always start at zero. */
  readonly writesInputGradient?: boolean;
}

/**
 * The op step of a window kind whose kernels take (input, weights) and add gradients to both; with
 * `room`, a forward that records a gradient gets room to keep what its backward would recompute.
 */
export function runWeightedWindow<Geometry extends PoolGeometry>(
  op: string,
  input: Tensor,
  weights: Tensor,
  geometry: Geometry,
  kernels: WeightedKernelLookup<Geometry>,
  room?: (geometry: Geometry) => SavedSpec,
): Tensor {
  const training = input.requiresGrad || weights.requiresGrad;
  const bindsResident = kernels.hostWork !== true;
  const [values] = arrayGetters(bindsResident);
  return runPoolSteps(op, [input, weights], geometry.outputShape, {
    zeroGradients: [kernels.writesInputGradient !== true, true],
    saved: room !== undefined && training ? [room(geometry)] : [],
    bindsResident,
    forward: ({ output, saved: [kept] }) => {
      kernels.forward()(values(input), values(weights), values(output), geometry, clearedRoom(kept));
    },
    backward: ({ gradOutput, gradInputs: [gradInput, gradWeights], saved: [kept] }) => {
      const arrays = [input, weights, gradOutput, gradInput!, gradWeights!].map(values) as Float32Array[];
      kernels.backward()(arrays[0]!, arrays[1]!, arrays[2]!, arrays[3]!, arrays[4]!, geometry, kept && values(kept));
    },
  }).output;
}

/** A weighted kind's reference kernel pair, named after its family ('mixedPool' → mixedPoolForward, mixedPoolBackward). */
export type WeightedKernelPair<Family extends WeightedKernels> = Readonly<
  Record<`${Family}Forward`, WeightedWindowForward> & Record<`${Family}Backward`, WeightedWindowBackward>
>;

/**
 * What a kind with one weight tensor gives its definition: the weight as its one tensor argument,
 * its reference kernel pair, and the op that runs the pair through weightedWindowOp.
 */
export function weightedWindow<
  const Family extends WeightedKernels,
  const Name extends string,
  const Pair extends WeightedKernelPair<Family>,
>(
  family: Family,
  weightName: Name,
  shapes: (geometry: PoolGeometry) => readonly Shape[],
  kernels: Pair,
): { readonly tensorArguments: readonly [Name]; readonly kernels: Pair; compute(call: OpCall): Tensor } {
  return {
    tensorArguments: [weightName],
    kernels,
    compute: (call) => weightedWindowOp(call, weightName, shapes, family),
  };
}

/** p (or PyTorch's normType): required, a finite number of at least 1. */
export function powerOf(op: string, options: OpOptions): number {
  const { p, normType } = options;
  if (p !== undefined && normType !== undefined && p !== normType) {
    fail(op, 'p', `and its alias normType must agree when both are given (normType ${String(normType)})`, p);
  }
  const power = p ?? normType;
  const name = p === undefined && normType !== undefined ? 'normType' : 'p';
  if (typeof power !== 'number' || !Number.isFinite(power) || power < 1) {
    fail(op, name, 'must be a finite number of at least 1', power);
  }
  return power;
}
