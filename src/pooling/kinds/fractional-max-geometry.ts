// Region sequences of fractional max pooling, per plane and axis. Two families:
// - PyTorch's (FractionalMaxPool2d/3d, a fixed pool size k): start_i = ⌊(i + u)·α⌋ − ⌊u·α⌋ with
//   α = (In − k)/(Out − 1) in float32, the last start In − k; cells start_i .. start_i + k − 1.
// - Graham's (the paper, no pool size): boundaries a_0 = 0 < a_1 < … < a_Out = In, pseudo-random
//   a_i = ⌈α(i + u)⌉ − ⌈αu⌉ with α = In/Out, or random (increments ⌊α⌋ and ⌈α⌉ shuffled); regions
//   [a_i, a_{i+1}) when disjoint, [a_i, a_{i+1}] (clipped to the input) when overlapping.
import type { Random } from '../../tensor/random.js';

export interface AxisPlan {
  readonly inSize: number;
  readonly outSize: number;
  /** PyTorch's fixed pool size, or null for Graham's boundary sequences. */
  readonly kernel: number | null;
  readonly sequence: 'pseudoRandom' | 'random';
  readonly overlapping: boolean;
}

/** PyTorch's generate_intervals, with its float32 arithmetic: the start of every output cell. */
export function pytorchStarts(sample: number, inSize: number, outSize: number, kernel: number): Int32Array {
  const starts = new Int32Array(outSize);
  const f = Math.fround;
  const u = f(sample);
  if (outSize > 1) {
    const alpha = f(f(inSize - kernel) / f(outSize - 1));
    for (let index = 0; index < outSize - 1; index++) {
      starts[index] = Math.trunc(f(f(index + u) * alpha)) - Math.trunc(f(u * alpha));
    }
  }
  starts[outSize - 1] = inSize - kernel;
  return starts;
}

/**
 * Graham's boundaries a_0 .. a_Out (Out + 1 numbers), pseudo-random from u or random from `random`,
 * into `boundaries` when given (planeRegions reuses one array for every plane).
 */
export function grahamBoundaries(
  plan: AxisPlan,
  sample: number,
  random: Random | null,
  boundaries = new Int32Array(plan.outSize + 1),
): Int32Array {
  const { inSize, outSize } = plan;
  const alpha = inSize / outSize;
  boundaries[0] = 0;
  if (plan.sequence === 'pseudoRandom') {
    const offset = Math.ceil(alpha * sample);
    for (let index = 1; index < outSize; index++) boundaries[index] = Math.ceil(alpha * (index + sample)) - offset;
  } else {
    const small = Math.floor(alpha);
    const order = random!.permutation(outSize);
    const larger = inSize - small * outSize; // this many increments are small + 1
    for (let index = 1; index < outSize; index++) {
      boundaries[index] = boundaries[index - 1]! + small + (order[index - 1]! < larger ? 1 : 0);
    }
  }
  boundaries[outSize] = inSize;
  return boundaries;
}

/** fillAxisRegions' boundaries, reused from plane to plane (one call fills thousands of planes). */
let scratch = new Int32Array(0);

/** Writes the regions of one plane along one axis into starts/ends at [plane·Out, (plane + 1)·Out). */
export function fillAxisRegions(
  plan: AxisPlan,
  plane: number,
  sample: number,
  random: Random | null,
  starts: Int32Array,
  ends: Int32Array,
): void {
  const base = plane * plan.outSize;
  if (plan.kernel !== null) {
    const sequence = pytorchStarts(sample, plan.inSize, plan.outSize, plan.kernel);
    for (let index = 0; index < plan.outSize; index++) {
      starts[base + index] = sequence[index]!;
      ends[base + index] = sequence[index]! + plan.kernel;
    }
    return;
  }
  if (scratch.length < plan.outSize + 1) scratch = new Int32Array(plan.outSize + 1);
  const boundaries = grahamBoundaries(plan, sample, random, scratch);
  for (let index = 0; index < plan.outSize; index++) {
    starts[base + index] = boundaries[index]!;
    const end = boundaries[index + 1]! + (plan.overlapping ? 1 : 0);
    ends[base + index] = Math.min(end, plan.inSize);
  }
}

/** The depth axis of a 2D pooling: one cell, pooled whole. */
export const UNIT_AXIS: AxisPlan = { inSize: 1, outSize: 1, kernel: 1, sequence: 'pseudoRandom', overlapping: false };

/**
 * Regions of every plane along depth, height and width (`plans` has all three). Samples are taken
 * plane by plane in PyTorch's order of _random_samples: 2D (width, height), 3D (depth, height,
 * width), from `given` or drawn from `random`; random sequences draw their permutation instead.
 */
export function planeRegions(
  plans: readonly AxisPlan[],
  planes: number,
  spatialDims: 2 | 3,
  given: ArrayLike<number> | null,
  random: Random | null,
): { starts: Int32Array; ends: Int32Array }[] {
  const regions = plans.map((plan) => ({
    starts: new Int32Array(planes * plan.outSize),
    ends: new Int32Array(planes * plan.outSize),
  }));
  const sampleAxes = spatialDims === 2 ? [2, 1] : [0, 1, 2];
  // 2D: the depth axis takes sample 0 in every plane, so every plane has plane 0's depth regions
  if (spatialDims === 2) fillAxisRegions(plans[0]!, 0, 0, null, regions[0]!.starts, regions[0]!.ends);
  for (let plane = 0; plane < planes; plane++) {
    if (spatialDims === 2 && plane > 0) {
      const [{ starts, ends }, size] = [regions[0]!, plans[0]!.outSize];
      starts.copyWithin(plane * size, 0, size);
      ends.copyWithin(plane * size, 0, size);
    }
    for (let order = 0; order < sampleAxes.length; order++) {
      const plan = plans[sampleAxes[order]!]!;
      const drawsPermutation = plan.sequence === 'random' && plan.kernel === null;
      const sample = given !== null ? given[plane * spatialDims + order]! : drawsPermutation ? 0 : random!.uniform();
      const { starts, ends } = regions[sampleAxes[order]!]!;
      fillAxisRegions(plan, plane, sample, random, starts, ends);
    }
  }
  return regions;
}
