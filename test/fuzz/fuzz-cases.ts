// Fuzz cases over the pooling registry: for a kind and rank, a seeded plan of the input, the
// kind's tensor arguments and its options, drawn from its option schema (names, defaults) and
// then, in about half the cases, made hostile in one place. Plans are plain data, built afresh
// for every backend's call, so a kind added to the registry is fuzzed with no change here.
import type { SpatialDims } from '../../src/geometry/layout.js';
import { Pooling, type PoolingConfig } from '../../src/pooling/layer.js';
import { configNameOf, opKeys } from '../../src/pooling/options.js';
import type { RegisteredKind } from '../../src/pooling/registry.js';
import { Random } from '../../src/tensor/random.js';
import { HOSTILE, tensorSpec, VALID, type DrawContext, type TensorSpec } from './fuzz-values.js';

export interface FuzzPlan {
  readonly kind: RegisteredKind;
  readonly rank: SpatialDims;
  input: unknown;
  tensors: unknown[];
  options: unknown;
  /** Where the plan was made hostile, or null for a plan drawn valid from the schema. */
  hostile: string | null;
  /** Also run the backward pass (with a seeded gradient) and compare the input's gradient. */
  readonly backward: boolean;
}

/** A kind's tensor arguments made by its own example call at run time (RoI boxes for the image). */
export const EXAMPLE_TENSORS = { exampleTensors: true } as const;

const pick = <T>(random: Random, choices: readonly T[]): T => choices[random.integer(choices.length)]!;

export function planCase(kind: RegisteredKind, rank: SpatialDims, seed: number): FuzzPlan {
  const random = new Random(seed);
  const keys = opKeys(kind.options);
  const channelsFirst = keys.includes('dataFormat') && random.uniform() < 0.3;
  const spatial = Array.from({ length: rank }, () => 1 + random.integer(6));
  const [batch, channels] = [1 + random.integer(2), 1 + random.integer(3)];
  const shape = channelsFirst ? [batch, channels, ...spatial] : [batch, ...spatial, channels];
  const hugeSizes = kind.window !== 'inverse';
  const context: DrawContext = { random, rank, batch, channels, inSizes: spatial, seed, hugeSizes };
  const options = drawOptions(kind, context);
  if (channelsFirst) options.dataFormat = 'channelsFirst';
  const plan: FuzzPlan = {
    kind,
    rank,
    input: tensorSpec(shape, 'values', seed + 1),
    tensors: tensorArguments(kind, context, options, shape),
    options,
    hostile: null,
    backward: random.uniform() < 0.35,
  };
  if (random.uniform() < 0.5) makeHostile(plan, random, shape);
  return plan;
}

/** Valid options from the schema: required ones always, others half the time, then made consistent. */
function drawOptions(kind: RegisteredKind, context: DrawContext): Record<string, unknown> {
  const { random } = context;
  const options: Record<string, unknown> = {};
  for (const spec of kind.options) {
    if (spec.layerOnly || spec.name === 'dataFormat') continue;
    if (spec.required === undefined && random.uniform() < 0.55) continue;
    const draw = VALID[spec.name];
    const value = draw !== undefined ? draw(context) : (spec.default ?? spec.field?.demo);
    if (value !== undefined) options[spec.name] = value;
  }
  const has = (name: string) => kind.options.some((spec) => spec.name === name);
  // Exactly-one-of pairs (fractional's size, masked's steps): keep one.
  for (const [first, second] of [
    ['outputSize', 'outputRatio'],
    ['lengths', 'mask'],
  ] as const) {
    if (!has(first) || !has(second)) continue;
    const keep = random.uniform() < 0.5 ? first : second;
    delete options[keep === first ? second : first];
    options[keep] ??= VALID[keep]!(context);
  }
  if (kind.window === 'inverse' && random.uniform() < 0.8) delete options.outputSize;
  if (has('mask') && !has('lengths') && context.rank !== 1) delete options.mask;
  const draws = options.training === true || kind.window === 'region';
  if (has('seed') && draws && options.seed === undefined && options.random === undefined) options.seed = 3;
  return options;
}

/**
 * The tensors a kind's op takes after the input: an unpooling's indices; a learnable kind's weights,
 * shaped as its layer plans them for this input and these options; or its example call's (boxes).
 */
function tensorArguments(
  kind: RegisteredKind,
  context: DrawContext,
  options: Record<string, unknown>,
  shape: readonly number[],
): unknown[] {
  if ((kind.tensorArguments ?? []).length === 0) return [];
  if (kind.window === 'inverse') return [tensorSpec(shape, unpoolPlane(context, options), context.seed + 2, 'int32')];
  if (kind.layer?.weights !== undefined) {
    return plannedWeights(kind, context.rank as SpatialDims, options, shape).map((weight, index) =>
      tensorSpec(weight, 'values', context.seed + 2 + index),
    );
  }
  return kind.example === undefined ? [] : [EXAMPLE_TENSORS];
}

/** The weight shapes a layer of the kind plans with these op options (none when it refuses them). */
function plannedWeights(
  kind: RegisteredKind,
  rank: SpatialDims,
  options: Record<string, unknown>,
  shape: readonly number[],
): (readonly number[])[] {
  const config: Record<string, unknown> = {};
  for (const spec of kind.options) {
    const key = configNameOf(spec);
    if (key !== null && options[spec.name] !== undefined) config[key] = options[spec.name];
  }
  try {
    const layer = new Pooling(kind, rank, config as PoolingConfig);
    return layer.parameterShapes([null, ...shape.slice(1)]).map((weight) => weight.shape);
  } catch {
    return []; // options the layer refuses: the op will say what is wrong
  }
}

/** The output plane size of an unpooling with these options (PyTorch's default sizes), for valid indices. */
function unpoolPlane(context: DrawContext, options: Record<string, unknown>): number {
  const perAxis = (value: unknown, fallback: number): number[] =>
    typeof value === 'number' ? Array<number>(context.rank).fill(value) : Array.isArray(value) ? value : [fallback];
  const kernel = perAxis(options.kernelSize, 2);
  const stride = perAxis(options.stride ?? options.kernelSize, 2);
  const padding = perAxis(options.padding ?? 0, 0);
  const sizes = context.inSizes.map(
    (size, axis) => (size - 1) * (stride[axis] ?? 1) - 2 * (padding[axis] ?? 0) + (kernel[axis] ?? 1),
  );
  const plane = sizes.reduce((total, size) => total * size, 1);
  return Number.isSafeInteger(plane) && plane > 0 ? Math.min(plane, 2 ** 31 - 1) : 1;
}

/** Makes one part of the plan hostile: an option, the options object, the input or a tensor argument. */
function makeHostile(plan: FuzzPlan, random: Random, shape: number[]): void {
  const options = plan.options as Record<string, unknown>;
  const keys = opKeys(plan.kind.options);
  const choice = random.integer(7);
  if (choice <= 1 && keys.length > 0) {
    const key = pick(random, keys);
    options[key] =
      random.uniform() < 0.2 ? Array.from({ length: plan.rank }, () => pick(random, HOSTILE)) : pick(random, HOSTILE);
    plan.hostile = `option ${key}`;
  } else if (choice === 2) {
    options[pick(random, ['kernel_size', 'bogus', 'poolSize', 'strides', '__proto__x'])] = 1;
    plan.hostile = 'unknown option';
  } else if (choice === 3) {
    plan.options = pick(random, [null, 5, 'x', [], true, undefined]);
    plan.hostile = 'options object';
  } else if (choice === 4) {
    plan.input = hostileInput(random, plan.input as TensorSpec, shape);
    plan.hostile = 'input';
  } else if (choice === 5 && plan.tensors.length > 0) {
    const index = random.integer(plan.tensors.length);
    // An example call's tensors are made at run time: a made-up tensor stands in for them.
    const spec =
      plan.tensors[index] === EXAMPLE_TENSORS ? tensorSpec([2, 5], 'values', 11) : (plan.tensors[index] as TensorSpec);
    plan.tensors[index] = pick(random, [
      { ...spec, disposed: true },
      { ...spec, shape: [...spec.shape, 2] },
      { ...spec, dtype: spec.dtype === 'int32' ? 'float32' : 'int32' },
      [1, 2, 3],
    ]);
    if (random.uniform() < 0.3) plan.tensors.splice(index, 1);
    plan.hostile = 'tensor argument';
  } else {
    const tensorOption = keys.find((key) => key === 'mask' || key === 'samples' || key === 'lengths');
    const key = tensorOption ?? pick(random, keys.length > 0 ? keys : ['x']);
    options[key] = { ...tensorSpec([1 + random.integer(3)], 'values', 9), disposed: random.uniform() < 0.5 };
    plan.hostile = `tensor as option ${key}`;
  }
}

function hostileInput(random: Random, spec: TensorSpec, shape: number[]): unknown {
  return pick(random, [
    { ...spec, disposed: true },
    { ...spec, dtype: 'int32' },
    { ...spec, shape: [...shape, 1] },
    { ...spec, shape: shape.slice(1) },
    { ...spec, shape: shape.map((extent, axis) => (axis === 1 ? 0 : extent)) },
    { ...spec, shape: [0, ...shape.slice(1)] },
    [
      [1, 2],
      [3, 4],
    ],
    null,
  ]);
}
