// Every pooling kind of the registry with a seed layer, on a resident input (and resident weights, as
// fit keeps them): forward and backward through the tape move nothing between heap and GPU, the
// output and gradients stay resident, and they match the reference backend within the kind's GPU
// bound. The kinds that still move data are an explicit list, so a kind that changes side fails here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backward,
  memoryStats,
  Pooling,
  poolingKinds,
  Random,
  setBackend,
  tensor,
  tidy,
  webGpuStatus,
  type RegisteredKind,
  type SpatialDims,
} from '../../src/index.js';
import { KIND_GPU_BOUNDS } from '../../src/kernels/webgpu/kind-kernels.js';
import { assertWithin, skip } from './harness.js';

/** The kinds whose op on a resident input still moves data, and why (the report lists them too). */
const STAY_OUT: Record<string, string> = {
  lstm: 'its window table and sequence steps run on the host (lstmWindowTable: a fallback kernel)',
  masked: 'no seed layer; its mask is a host array uploaded with each call',
  maxUnpool: 'no layer; it checks its indices on the host before the scatter',
  stochastic: 'its training forward is the reference kernel (float64 draws), so it reads x back',
  diffStride: 'its strides build the spectral geometry on the host, and the stride gradient is host work',
  adaPool: "its GPU backward sums β's gradient on the host (kind-ada-kernels.ts)",
  gem: "its GPU backward sums p's gradient on the host (kind-kernels.ts addTerms)",
  globalGem: 'GeM pooling over the whole plane: the same',
  lse: "its GPU backward sums r's gradient on the host; it checks r's values on the host",
  mixed: "its GPU backward sums α's gradient on the host",
  detailPreserving: "it checks α's and λ's values on the host (checkParameterValues), so it reads them back",
  spatialPyramid: 'its GPU kernels move each level into the output on the host (kind-pyramid-kernels.ts)',
};

/**
 * Uploads per forward + backward of the kinds that stay resident but whose GPU kernels upload tables
 * made on the host with each call (window bounds, filters, DFT matrices, regions, boxes, draws):
 * small, and no read-back.
 */
const TABLE_UPLOADS: Record<string, number> = {
  adaptiveAverage: 2,
  adaptiveMax: 1,
  blur: 4,
  covariance: 1,
  fractionalMax: 1,
  globalAverage: 2,
  globalMax: 1,
  maxBlur: 4,
  random: 1,
  roiAlign: 2,
  roiPool: 2,
  s3: 1,
  spectral: 2,
};

/** Relative bounds (of |reference| plus the array's largest |reference|) of kinds computed in float32 where the reference uses float64. */
const { attentionRelative, covarianceRelative, formulaRelative, quotientRelative } = KIND_GPU_BOUNDS;
const RELATIVE: Record<string, number> = {
  attention: attentionRelative,
  covariance: covarianceRelative,
  stochastic: quotientRelative,
  ...Object.fromEntries(
    ['soft', 'gem', 'globalGem', 'lse', 'lip', 'adaPool', 'detailPreserving', 'wavelet', 'spectral', 'roiAlign'].map(
      (name) => [name, formulaRelative],
    ),
  ),
};

const SHAPES: Record<number, number[]> = { 1: [2, 14, 2], 2: [2, 14, 14, 2], 3: [1, 6, 6, 6, 2] };

function filled(length: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length }, () => random.uniform() * 2 - 1);
}

/** The kind's seed layer on `backend`: output, gradients of x and the weights, their homes, the transfers. */
function run(backend: string, kind: RegisteredKind, rank: SpatialDims) {
  setBackend(backend);
  try {
    return tidy(() => measure(backend, kind, rank)); // frees the graph's saved tensors too
  } finally {
    setBackend('reference');
  }
}

/** One forward (training) and backward of the kind's seed layer, x and the weights resident on webgpu. */
function measure(backend: string, kind: RegisteredKind, rank: SpatialDims) {
  const shape = SHAPES[rank]!;
  const layer = new Pooling(kind, rank, { ...kind.layer!.seedConfig!, inputShape: shape.slice(1) });
  const resident = backend === 'webgpu';
  const x = tensor(
    filled(
      shape.reduce((size, axis) => size * axis, 1),
      4,
    ),
    shape,
  );
  x.requiresGrad = true;
  layer.build([null, ...shape.slice(1)], new Random(3));
  const weights = layer.parameters.map((parameter) => parameter.tensor);
  if (resident) for (const item of [x, ...weights]) item.to('webgpu');
  const before = { ...webGpuStatus()!.transfers };
  const output = layer.apply(x, { training: true, random: new Random(9) });
  const seed = tensor(filled(output.size, 8), output.shape);
  if (resident) seed.to('webgpu');
  backward(output, seed);
  const after = { ...webGpuStatus()!.transfers };
  const results = [output, x.grad!, ...weights.map((weight) => weight.grad!)];
  const homes = results.map((result) => result.home);
  const values = results.map((result) => result.toFloat32Array());
  for (const weight of weights) weight.to('heap'); // kept by the layer: tidy would not free their buffers
  const transfers = {
    uploads: after.uploads - before.uploads - (resident ? 1 : 0), // less the seed's own upload
    readBacks: after.readBacks - before.readBacks,
  };
  return { homes, values, transfers };
}

function assertMatches(kind: string, actual: Float32Array[], expected: Float32Array[]): void {
  const relative = RELATIVE[kind];
  const finite = (value: number) => (Number.isFinite(value) ? Math.abs(value) : 0);
  // the case's largest |reference| result: the magnitude of the terms a cancelled gradient summed
  const scale = Math.max(
    ...expected.map((want) => want.reduce((largest, value) => Math.max(largest, finite(value)), 0)),
  );
  expected.forEach((want, index) => {
    const bound = (cell: number) =>
      relative === undefined ? 1e-5 * (1 + Math.abs(want[cell]!)) : relative * (Math.abs(want[cell]!) + scale);
    assertWithin(actual[index]!, want, bound, `${kind} result ${index} (0: output, 1: ∂x, then ∂weights)`);
  });
}

test('every GPU pooling kind keeps a resident input, its output and gradients on the GPU', { skip }, () => {
  const gpuBefore = memoryStats().gpuBytesUndisposed;
  const movers: string[] = [];
  const details: string[] = [];
  for (const kind of poolingKinds) {
    if (kind.layer?.seedConfig === undefined || kind.layer.seedConfig === null) {
      movers.push(kind.name);
      continue;
    }
    const rank = (kind.ranks.includes(2) ? 2 : kind.ranks[0]!) as SpatialDims;
    const expected = run('reference', kind, rank);
    try {
      const actual = run('webgpu', kind, rank);
      const stayed = actual.homes.every((home) => home === 'webgpu');
      const moved = actual.transfers.uploads !== (TABLE_UPLOADS[kind.name] ?? 0) || actual.transfers.readBacks !== 0;
      if (stayed && !moved) assertMatches(kind.name, actual.values, expected.values);
      else {
        movers.push(kind.name);
        details.push(`${kind.name}: homes ${actual.homes}, transfers ${JSON.stringify(actual.transfers)}`);
      }
    } catch (error) {
      movers.push(kind.name);
      details.push(`${kind.name}: ${String(error)}`);
    }
  }
  assert.deepEqual(movers.sort(), Object.keys(STAY_OUT).sort(), details.join('\n'));
  assert.equal(memoryStats().gpuBytesUndisposed, gpuBefore, 'no GPU bytes leak');
});
