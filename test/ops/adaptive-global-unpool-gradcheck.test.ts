// Finite-difference checks of every backward in this area: adaptive max and average in 1D, 2D and 3D
// in both data formats, global max, average and Lp, and max unpooling. Max kinds use spaced values
// so that no two cells are within the difference step of each other.
import { test } from 'node:test';
import {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
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
  type DataFormat,
  type Tensor,
} from '../../src/index.js';
import { gradcheck, spacedValues } from '../helpers/gradcheck.js';

const formats: DataFormat[] = ['channelsLast', 'channelsFirst'];
const sizeOf = (shape: number[]): number => shape.reduce((product, extent) => product * extent, 1);

/** [batch, ...spatial, channels] or [batch, channels, ...spatial]. */
function shapeOf(spatial: number[], dataFormat: DataFormat, batch = 2, channels = 2): number[] {
  return dataFormat === 'channelsLast' ? [batch, ...spatial, channels] : [batch, channels, ...spatial];
}

const adaptiveCases = [
  { dims: 1, spatial: [7], outputSize: [3] },
  { dims: 1, spatial: [3], outputSize: [5] },
  { dims: 2, spatial: [7, 5], outputSize: [3, 4] },
  { dims: 2, spatial: [3, 4], outputSize: [5, null] },
  { dims: 3, spatial: [4, 3, 5], outputSize: [3, 2, 4] },
  { dims: 3, spatial: [2, 3, 3], outputSize: [3, null, 2] },
] as const;
const adaptiveMax = { 1: adaptiveMaxPool1d, 2: adaptiveMaxPool2d, 3: adaptiveMaxPool3d };
const adaptiveAvg = { 1: adaptiveAvgPool1d, 2: adaptiveAvgPool2d, 3: adaptiveAvgPool3d };

for (const dataFormat of formats) {
  for (const { dims, spatial, outputSize } of adaptiveCases) {
    const shape = shapeOf([...spatial], dataFormat);
    const label = `[${shape.join(', ')}] → [${outputSize.join(', ')}], ${dataFormat}`;
    test(`adaptiveMaxPool${dims}d backward matches finite differences: ${label}`, () => {
      const input = tensor(spacedValues(sizeOf(shape), shape.length + spatial[0]!), shape);
      gradcheck((x) => adaptiveMax[dims](x, { outputSize, dataFormat }), [input]);
    });
    test(`adaptiveAvgPool${dims}d backward matches finite differences: ${label}`, () => {
      const input = randomNormal(shape, { seed: sizeOf(shape) });
      gradcheck((x) => adaptiveAvg[dims](x, { outputSize, dataFormat }), [input]);
    });
  }
}

const globalShapes = [[5], [3, 4], [2, 3, 2]];
for (const dataFormat of formats) {
  for (const spatial of globalShapes) {
    const shape = shapeOf(spatial, dataFormat, 2, 3);
    const label = `[${shape.join(', ')}], ${dataFormat}`;
    test(`globalMaxPool and globalAvgPool backward match finite differences: ${label}`, () => {
      const spaced = tensor(spacedValues(sizeOf(shape), 11), shape);
      gradcheck((x) => globalMaxPool(x, { dataFormat }), [spaced]);
      gradcheck((x) => globalAvgPool(x, { dataFormat, keepDims: true }), [randomNormal(shape, { seed: 3 })]);
    });
    test(`globalLpPool backward matches finite differences for p = 1, 1.5, 2, 3: ${label}`, () => {
      // Spaced values keep |x| clear of the kink of |x| at 0, where p = 1 and 1.5 are not smooth.
      const input = tensor(spacedValues(sizeOf(shape), 5, 0.15), shape);
      for (const p of [1, 1.5, 2, 3]) gradcheck((x) => globalLpPool(x, { dataFormat, p }), [input]);
    });
  }
}

const unpoolCases = [
  { dims: 1, spatial: [9], kernelSize: [2], stride: [2], padding: [0] },
  { dims: 2, spatial: [5, 6], kernelSize: [2, 3], stride: [2, 3], padding: [1, 1] },
  { dims: 3, spatial: [3, 4, 4], kernelSize: [1, 2, 2], stride: [1, 2, 2], padding: [0, 1, 0] },
] as const;
const maxPools = { 1: maxPool1d, 2: maxPool2d, 3: maxPool3d };
const maxUnpools = { 1: maxUnpool1d, 2: maxUnpool2d, 3: maxUnpool3d };

for (const dataFormat of formats) {
  for (const { dims, spatial, kernelSize, stride, padding } of unpoolCases) {
    const shape = shapeOf([...spatial], dataFormat);
    test(`maxUnpool${dims}d backward matches finite differences: [${shape.join(', ')}], ${dataFormat}`, () => {
      // Windows that do not overlap give distinct indices, so the gather is the exact derivative.
      const options = { kernelSize, stride, padding, dataFormat };
      const source = tensor(spacedValues(sizeOf(shape), 9), shape);
      const pooled = maxPools[dims](source, { ...options, returnIndices: true });
      const unpool = (x: Tensor): Tensor => maxUnpools[dims](x, pooled.indices, { ...options, outputSize: spatial });
      gradcheck(unpool, [randomNormal(pooled.output.shape, { seed: dims })]);
    });
  }
}
