// Spectral pooling and DiffStride's masked crop on the GPU (matrix products in float32) against the
// reference kernels (FFTs in float64) on random shapes of 1 to 3 axes, both layouts, with and without
// masks, NaN and ±Infinity (their planes NaN): forward, input gradient and mask gradient, within
// ROI_SPECTRAL_LSTM_GPU_BOUNDS; and both ops through the tape on webgpu (the strides' gradient too).
// Each kernel call must run on the GPU (onGpu), never on its fallback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backward,
  diffStridePool2d,
  getBackend,
  requireGrad,
  setBackend,
  spectralPool2d,
  tensor,
  webGpuStatus,
  type Tensor,
} from '../../src/index.js';
import { tidy } from '../../src/tensor/scope.js';
import type { SpatialDims } from '../../src/geometry/layout.js';
import type { SpectralGeometry } from '../../src/kernels/reference/extra/spectral-pool.js';
import { referencePoolKernels as reference } from '../../src/kernels/reference/pool-kernels.js';
import { ROI_SPECTRAL_LSTM_GPU_BOUNDS as BOUNDS } from '../../src/kernels/webgpu/kind-roi-spectral-lstm-kernels.js';
import type { SpectralGpuKernels } from '../../src/kernels/webgpu/kind-spectral-kernels.js';
import { spectralGeometry } from '../../src/pooling/kinds/spectral-geometry.js';
import { filled, generator, type ValueKind } from '../wasm/harness.js';
import { assertWithin, gpu, onGpu, skip } from './harness.js';

type Kernels = Pick<SpectralGpuKernels, keyof SpectralGpuKernels>;

interface SpectralCase {
  geometry: SpectralGeometry;
  input: Float32Array;
  gradOutput: Float32Array;
  label: string;
}

/** Case `index`: rank 1-3, 1-2 samples, 1-3 channels, axes of 1 to 9 (3D: 5) cells, half of them with masks in [0, 1]. */
function spectralCase(index: number): SpectralCase {
  const random = generator(500 + index);
  const draw = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const rank = (1 + (index % 3)) as SpatialDims;
  const inSizes = Array.from({ length: rank }, () => draw(1, rank === 3 ? 5 : 9));
  const outSizes = inSizes.map((size) => draw(1, size));
  const masked = index % 2 === 1;
  const masks = inSizes.map((size) => (masked ? Float64Array.from({ length: size }, () => random()) : null));
  const [batch, channels] = [draw(1, 2), draw(1, 3)];
  const format = Math.floor(index / 3) % 2 === 0 ? ('channelsLast' as const) : ('channelsFirst' as const);
  const shape = format === 'channelsLast' ? [batch, ...inSizes, channels] : [batch, channels, ...inSizes];
  const geometry = spectralGeometry('spectralPool', shape, rank, outSizes, masks, format);
  const values: ValueKind = index % 5 === 4 ? 'special' : 'plain';
  const input = filled(shape, values, index + 1).values.slice();
  const gradOutput = filled(geometry.outputShape, index % 7 === 6 ? 'special' : 'plain', index + 3).values.slice();
  const label = `case ${index} [${shape.join(', ')}] → [${outSizes.join(', ')}] ${format}${masked ? ' masked' : ''}`;
  return { geometry, input, gradOutput, label };
}

const inSizesOf = (g: SpectralGeometry) => [g.inDepth, g.inHeight, g.inWidth];
const outSizesOf = (g: SpectralGeometry) => [g.outDepth, g.outHeight, g.outWidth];
const product = (sizes: readonly number[]) => sizes.reduce((total, size) => total * size, 1);

/** The plane (sample · channels + channel) of element `element` of a tensor of the geometry's layout with `spatial` cells per plane. */
function planeOf(geometry: SpectralGeometry, element: number, spatial: number): number {
  const { channels, channelsLast } = geometry;
  if (!channelsLast) return Math.floor(element / spatial);
  return Math.floor(element / (spatial * channels)) * channels + (element % channels);
}

/** Σ|values| per plane (finite values only: a plane holding others is NaN) of a tensor with `spatial` cells per plane. */
function planeSums(geometry: SpectralGeometry, values: Float32Array, spatial: number): Float64Array {
  const sums = new Float64Array(geometry.batch * geometry.channels);
  values.forEach(
    (value, element) => (sums[planeOf(geometry, element, spatial)]! += Number.isFinite(value) ? Math.abs(value) : 0),
  );
  return sums;
}

/** Σ over axes of in + out cells: the terms each value's float32 products and sums went through. */
function termsOf(geometry: SpectralGeometry): number {
  const outSizes = outSizesOf(geometry);
  return inSizesOf(geometry).reduce((total, size, axis) => total + size + outSizes[axis]!, 0);
}

/**
 * The crop's bound at element `element` of the target (`targetCells` per plane): (terms + slack) ·
 * 2^-23 · Π out · Σ|source plane| / N_in, since every matrix entry is at most out in size.
 */
function cropBound(geometry: SpectralGeometry, source: Float32Array, sourceCells: number, targetCells: number) {
  const sums = planeSums(geometry, source, sourceCells);
  const [inSizes, outSizes] = [inSizesOf(geometry), outSizesOf(geometry)];
  const scale = ((termsOf(geometry) + BOUNDS.spectralSlack) * 2 ** -23 * product(outSizes)) / product(inSizes);
  return (element: number) => scale * sums[planeOf(geometry, element, targetCells)]!;
}

test('spectralPoolForward/Backward on the GPU agree with the reference within the crop bound', { skip }, () => {
  for (let index = 0; index < 18; index++) {
    const { geometry, input, gradOutput, label } = spectralCase(index);
    const [inCells, outCells] = [product(inSizesOf(geometry)), product(outSizesOf(geometry))];
    const forward = (kernels: Kernels) => {
      const output = new Float32Array(gradOutput.length).fill(12345.5);
      kernels.spectralPoolForward(input, output, geometry);
      return output;
    };
    const expected = forward(reference);
    const actual = onGpu('spectralPoolForward', 1, () => forward(gpu()));
    assertWithin(actual, expected, cropBound(geometry, input, inCells, outCells), `output ${label}`);
    const backward = (kernels: Kernels) => {
      const gradInput = new Float32Array(input.length).fill(12345.5);
      kernels.spectralPoolBackward(gradOutput, gradInput, geometry);
      return gradInput;
    };
    const expectedGradient = backward(reference);
    const gradient = onGpu('spectralPoolBackward', 1, () => backward(gpu()));
    assertWithin(gradient, expectedGradient, cropBound(geometry, gradOutput, outCells, inCells), `gradient ${label}`);
  }
});

test("spectralMaskBackward (DiffStride's mask gradient) on the GPU agrees with the reference", { skip }, () => {
  for (let index = 0; index < 18; index++) {
    const { geometry, input, gradOutput, label } = spectralCase(index);
    const [inCells, outCells] = [product(inSizesOf(geometry)), product(outSizesOf(geometry))];
    const maskGradients = (kernels: Kernels) => {
      const gradMasks = inSizesOf(geometry).map((size) => new Float64Array(size)) as [
        Float64Array,
        Float64Array,
        Float64Array,
      ];
      kernels.spectralMaskBackward(input, gradOutput, gradMasks, geometry);
      return gradMasks;
    };
    const expected = maskGradients(reference);
    const actual = onGpu('spectralMaskBackward', 1, () => maskGradients(gpu()));
    // |Z| ≤ Σ|x plane| and |G| ≤ Σ|g plane| per bin; a mask entry adds at most Π_{other axes} out of them.
    const [inputSums, gradientSums] = [planeSums(geometry, input, inCells), planeSums(geometry, gradOutput, outCells)];
    const magnitude = inputSums.reduce((total, sum, plane) => total + sum * gradientSums[plane]!, 0);
    const terms = termsOf(geometry) + geometry.batch * geometry.channels + BOUNDS.spectralSlack;
    const bound = (terms * 2 ** -23 * magnitude * outCells) / inCells;
    expected.forEach((gradMask, axis) =>
      assertWithin(Float32Array.from(actual[axis]!), Float32Array.from(gradMask), () => bound, `mask ${axis} ${label}`),
    );
  }
});

test(
  'a plane holding one ±Infinity is NaN throughout, the others untouched, as the reference FFT has it',
  { skip },
  () => {
    for (const [index, format] of (['channelsLast', 'channelsFirst'] as const).entries()) {
      // Sizes kept whole (out = in) or cropped; one infinity in plane 1 of 2.
      const [inSizes, outSizes] =
        index === 0
          ? [[4], [4]]
          : [
              [3, 5],
              [2, 5],
            ];
      const rank = inSizes.length as SpatialDims;
      const shape = format === 'channelsLast' ? [1, ...inSizes, 2] : [1, 2, ...inSizes];
      const geometry = spectralGeometry('spectralPool', shape, rank, outSizes, [], format);
      const input = filled(shape, 'plain', 11 + index).values.slice();
      input[format === 'channelsLast' ? 3 : product(inSizes) + 1] = index === 0 ? Infinity : -Infinity;
      const forward = (kernels: Kernels) => {
        const output = new Float32Array(product(geometry.outputShape));
        kernels.spectralPoolForward(input, output, geometry);
        return output;
      };
      const expected = forward(reference);
      const actual = onGpu('spectralPoolForward', 1, () => forward(gpu()));
      const [inCells, outCells] = [product(inSizesOf(geometry)), product(outSizesOf(geometry))];
      assertWithin(actual, expected, cropBound(geometry, input, inCells, outCells), `output ${format}`);
    }
  },
);

/** The op's output and gradients to the input and (DiffStride) the strides on `backendName`, as copies. */
function spectralOp(backendName: string, input: Tensor, strides: Tensor | null, seed: number) {
  setBackend(backendName);
  return tidy(() => {
    const parameters = strides === null ? [input] : [input, strides];
    for (const parameter of parameters) {
      parameter.grad = null;
      requireGrad(parameter);
    }
    const output =
      strides === null
        ? spectralPool2d(input, { outputSize: [3, 4] })
        : diffStridePool2d(input, strides, { smoothness: 2 });
    backward(output, filled(output.shape, 'plain', seed));
    return [output.values.slice(), ...parameters.map((parameter) => parameter.grad!.values.slice())];
  });
}

test(
  'spectralPool2d and diffStridePool2d on webgpu: output and gradients (strides too) agree with the reference backend',
  { skip },
  () => {
    const before = getBackend();
    try {
      for (const [index, shape] of [
        [1, 6, 7, 2],
        [2, 3, 5, 6],
      ].entries()) {
        for (const withStrides of [false, true]) {
          const input = filled(shape, 'plain', index + 20);
          const strides = withStrides ? tensor([1.6, 1.3]) : null;
          const expected = spectralOp('reference', input, strides, index + 1);
          const calls = webGpuStatus()!.gpuCalls;
          const actual = spectralOp('webgpu', input, strides, index + 1);
          const now = webGpuStatus()!.gpuCalls;
          const kernels = [
            'spectralPoolForward',
            'spectralPoolBackward',
            ...(withStrides ? ['spectralMaskBackward'] : []),
          ];
          for (const name of kernels) assert.ok((now[name] ?? 0) > (calls[name] ?? 0), `${name} ran on the GPU`);
          expected.forEach((values, at) => {
            const bound = 2 ** -16 * (1 + Math.max(...values.map(Math.abs)));
            assertWithin(
              actual[at]!,
              values,
              () => bound,
              `result ${at} of [${shape.join(', ')}] strides ${withStrides}`,
            );
          });
        }
      }
    } finally {
      setBackend(before);
    }
  },
);
