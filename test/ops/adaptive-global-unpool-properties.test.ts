// Property tests (fast-check) on random shapes and options: output shapes of every op, adaptive and
// global pooling against direct per-plane computations written here, adaptive average and max with a
// dividing output size against avgPool and maxPool, and the max-pool / max-unpool round trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
  avgPool1d,
  avgPool2d,
  avgPool3d,
  globalAvgPool,
  globalLpPool,
  globalMaxPool,
  maxPool1d,
  maxPool2d,
  maxPool3d,
  maxUnpool1d,
  maxUnpool2d,
  maxUnpool3d,
  randomNormal,
  tensor,
  tidy,
  type DataFormat,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

const runs = { numRuns: 80, seed: 20261123 };
const adaptiveMax = { 1: adaptiveMaxPool1d, 2: adaptiveMaxPool2d, 3: adaptiveMaxPool3d };
const adaptiveAvg = { 1: adaptiveAvgPool1d, 2: adaptiveAvgPool2d, 3: adaptiveAvgPool3d };
const avgPools = { 1: avgPool1d, 2: avgPool2d, 3: avgPool3d };
const maxPools = { 1: maxPool1d, 2: maxPool2d, 3: maxPool3d };
const maxUnpools = { 1: maxUnpool1d, 2: maxUnpool2d, 3: maxUnpool3d };
type Dims = 1 | 2 | 3;

const product = (values: readonly number[]): number => values.reduce((total, value) => total * value, 1);
const layoutShape = (batch: number, spatial: readonly number[], channels: number, format: DataFormat): number[] =>
  format === 'channelsLast' ? [batch, ...spatial, channels] : [batch, channels, ...spatial];

/** The values of a tensor as planes[batch·channels + channel][flat spatial index], in either layout. */
function planesOf(tensor: Tensor, format: DataFormat, data: ArrayLike<number> = tensor.values): number[][] {
  const [batch, channels] = [tensor.shape[0]!, format === 'channelsLast' ? tensor.shape.at(-1)! : tensor.shape[1]!];
  const spatial = tensor.size / (batch * channels);
  return Array.from({ length: batch * channels }, (_, plane) => {
    const [sample, channel] = [Math.floor(plane / channels), plane % channels];
    return Array.from({ length: spatial }, (_, cell) =>
      format === 'channelsLast'
        ? data[(sample * spatial + cell) * channels + channel]!
        : data[(sample * channels + channel) * spatial + cell]!,
    );
  });
}

/** Flat spatial indices of the input cells that output cell `cell` pools, by PyTorch's rule. */
function adaptiveWindow(cell: number, inSizes: number[], outSizes: number[]): number[] {
  const axes = outSizes.map((outSize, axis) => {
    const position = Math.floor(cell / product(outSizes.slice(axis + 1))) % outSize;
    const inSize = inSizes[axis]!;
    const first = Math.floor((position * inSize) / outSize);
    return Array.from({ length: Math.ceil(((position + 1) * inSize) / outSize) - first }, (_, step) => first + step);
  });
  return axes.reduce<number[]>(
    (cells, axis, index) => cells.flatMap((prefix) => axis.map((value) => prefix * inSizes[index]! + value)),
    [0],
  );
}

const adaptiveCase = fc
  .record({
    dims: fc.constantFrom<Dims>(1, 2, 3),
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    format: fc.constantFrom<DataFormat>('channelsLast', 'channelsFirst'),
    inSizes: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 3, maxLength: 3 }),
    outSizes: fc.array(fc.option(fc.integer({ min: 1, max: 9 }), { nil: null, freq: 4 }), {
      minLength: 3,
      maxLength: 3,
    }),
  })
  .map((item) => ({ ...item, inSizes: item.inSizes.slice(0, item.dims), outSizes: item.outSizes.slice(0, item.dims) }));

test('adaptive max and average: shape, and every cell equals the max / mean of its PyTorch window', () => {
  fc.assert(
    fc.property(adaptiveCase, ({ dims, batch, channels, format, inSizes, outSizes }) =>
      tidy(() => {
        const input = randomNormal(layoutShape(batch, inSizes, channels, format), { seed: product(inSizes) });
        const resolved = outSizes.map((size, axis) => size ?? inSizes[axis]!);
        const options = { outputSize: outSizes, dataFormat: format };
        const { output, indices } = adaptiveMax[dims](input, { ...options, returnIndices: true });
        const mean = adaptiveAvg[dims](input, options);
        assert.deepEqual(output.shape, layoutShape(batch, resolved, channels, format));
        assert.deepEqual(mean.shape, output.shape);
        const [inPlanes, maxPlanes, meanPlanes] = [
          planesOf(input, format),
          planesOf(output, format),
          planesOf(mean, format),
        ];
        const indexPlanes = planesOf(indices, format, indices.intValues);
        inPlanes.forEach((plane, planeIndex) => {
          for (let cell = 0; cell < product(resolved); cell++) {
            const window = adaptiveWindow(cell, inSizes, resolved).map((index) => plane[index]!);
            assert.equal(maxPlanes[planeIndex]![cell], Math.fround(Math.max(...window)));
            assert.equal(plane[indexPlanes[planeIndex]![cell]!], maxPlanes[planeIndex]![cell]);
            const average = window.reduce((sum, value) => sum + value, 0) / window.length;
            assertClose([meanPlanes[planeIndex]![cell]!], [average], { label: `mean of cell ${cell}` });
          }
        });
      }),
    ),
    runs,
  );
});

test('adaptive pooling with an output size that divides the input equals avgPool / maxPool', () => {
  const dividing = adaptiveCase.chain((item) =>
    fc.array(fc.integer({ min: 1, max: 3 }), { minLength: item.dims, maxLength: item.dims }).map((factors) => ({
      ...item,
      inSizes: item.outSizes.map((size, axis) => (size ?? 2) * factors[axis]!),
      outSizes: item.outSizes.map((size) => size ?? 2),
      factors,
    })),
  );
  fc.assert(
    fc.property(dividing, ({ dims, batch, channels, format, inSizes, outSizes, factors }) =>
      tidy(() => {
        const input = randomNormal(layoutShape(batch, inSizes, channels, format), { seed: product(factors) + dims });
        const pool = { kernelSize: factors, dataFormat: format };
        const adaptive = adaptiveAvg[dims](input, { outputSize: outSizes, dataFormat: format });
        assertClose(adaptive.values, avgPools[dims](input, pool).values);
        const max = adaptiveMax[dims](input, { outputSize: outSizes, dataFormat: format, returnIndices: true });
        const reference = maxPools[dims](input, { ...pool, returnIndices: true });
        assert.deepEqual(Array.from(max.output.values), Array.from(reference.output.values));
        assert.deepEqual(Array.from(max.indices.intValues), Array.from(reference.indices.intValues));
      }),
    ),
    runs,
  );
});

test('global max, average and Lp: shapes by rank, keepDims and format, values per plane', () => {
  const globalCase = adaptiveCase.chain((item) =>
    fc.record({ keepDims: fc.boolean(), p: fc.constantFrom(1, 2, 3, 1.5) }).map((extra) => ({ ...item, ...extra })),
  );
  fc.assert(
    fc.property(globalCase, ({ batch, channels, format, inSizes, keepDims, p }) =>
      tidy(() => {
        const input = randomNormal(layoutShape(batch, inSizes, channels, format), { seed: product(inSizes) + 1 });
        const expectedShape = keepDims
          ? layoutShape(
              batch,
              inSizes.map(() => 1),
              channels,
              format,
            )
          : [batch, channels];
        const options = { dataFormat: format, keepDims };
        const outputs = [
          globalMaxPool(input, options),
          globalAvgPool(input, options),
          globalLpPool(input, { ...options, p }),
        ];
        for (const output of outputs) assert.deepEqual(output.shape, expectedShape);
        const planes = planesOf(input, format);
        const norm = (plane: number[]): number =>
          plane.reduce((sum, value) => sum + Math.abs(value) ** p, 0) ** (1 / p);
        assert.deepEqual(
          Array.from(outputs[0]!.values),
          planes.map((plane) => Math.fround(Math.max(...plane))),
        );
        assertClose(
          outputs[1]!.values,
          planes.map((plane) => plane.reduce((sum, value) => sum + value, 0) / plane.length),
        );
        assertClose(outputs[2]!.values, planes.map(norm));
      }),
    ),
    runs,
  );
});

const unpoolCase = adaptiveCase.chain((item) =>
  fc
    .record({
      kernel: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: item.dims, maxLength: item.dims }),
      stride: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: item.dims, maxLength: item.dims }),
      padBefore: fc.array(fc.boolean(), { minLength: item.dims, maxLength: item.dims }),
      ceilMode: fc.boolean(),
      explicit: fc.boolean(),
    })
    .map((extra) => {
      const kernel = extra.kernel.map((size, axis) => Math.min(size, item.inSizes[axis]!));
      const padding = kernel.map((size, axis) => (extra.padBefore[axis]! ? Math.floor(size / 2) : 0));
      return { ...item, ...extra, kernel, padding };
    }),
);

test('max unpool after max pool: shape by PyTorch default or outputSize, maxima back at their indices', () => {
  fc.assert(
    fc.property(unpoolCase, ({ dims, batch, channels, format, inSizes, kernel, stride, padding, ceilMode, explicit }) =>
      tidy(() => {
        const input = randomNormal(layoutShape(batch, inSizes, channels, format), { seed: product(inSizes) + 2 });
        const options = { kernelSize: kernel, stride, padding, dataFormat: format };
        const pooled = maxPools[dims](input, { ...options, ceilMode, returnIndices: true });
        const pooledSizes = format === 'channelsLast' ? pooled.output.shape.slice(1, -1) : pooled.output.shape.slice(2);
        const defaults = pooledSizes.map(
          (size, axis) => (size - 1) * stride[axis]! - 2 * padding[axis]! + kernel[axis]!,
        );
        if (!explicit && defaults.some((size, axis) => size < 1 || size < inSizes[axis]!)) return; // would not fit
        const outSizes = explicit ? inSizes : defaults;
        const restored = maxUnpools[dims](pooled.output, pooled.indices, {
          ...options,
          ...(explicit ? { outputSize: inSizes } : {}),
        });
        assert.deepEqual(restored.shape, layoutShape(batch, outSizes, channels, format));
        const [inPlanes, outPlanes] = [planesOf(input, format), planesOf(restored, format)];
        const indexPlanes = planesOf(pooled.indices, format, pooled.indices.intValues);
        outPlanes.forEach((plane, planeIndex) => {
          const chosen = new Set(indexPlanes[planeIndex]);
          plane.forEach((value, cell) => assert.equal(value, chosen.has(cell) ? inPlanes[planeIndex]![cell] : 0));
        });
      }),
    ),
    runs,
  );
});

test('max unpool accepts an explicit outputSize exactly when it is strictly within default ± stride', () => {
  const sizes = fc.record({
    inSize: fc.integer({ min: 1, max: 6 }),
    kernel: fc.integer({ min: 1, max: 4 }),
    stride: fc.integer({ min: 1, max: 4 }),
    padding: fc.integer({ min: 0, max: 2 }),
    offset: fc.integer({ min: -5, max: 5 }),
  });
  fc.assert(
    fc.property(sizes, ({ inSize, kernel, stride, padding, offset }) =>
      tidy(() => {
        const defaultSize = (inSize - 1) * stride - 2 * padding + kernel;
        const outputSize = defaultSize + offset;
        const input = randomNormal([1, inSize, 1], { seed: 1 });
        const indices = tensor(new Int32Array(inSize), [1, inSize, 1], 'int32'); // index 0 fits any output
        const call = (): Tensor => maxUnpool1d(input, indices, { kernelSize: kernel, stride, padding, outputSize });
        if (outputSize >= 1 && Math.abs(offset) < stride) assert.equal(call().shape[1], outputSize);
        else assert.throws(call, { name: 'PoolkitArgumentError', message: /outputSize/ });
      }),
    ),
    runs,
  );
});
