// Spatial pyramid pooling on the GPU: each level is an adaptive max or average pooling to L×L (the
// adaptive shaders, on the same adaptiveStart/adaptiveEnd tables), whose per-sample block the host
// places at the level's offset in the [batch, features] output. Backward level by level in the
// reference's order: max through the argmax scatter-add into the same gradient (bit for bit), average
// through the adaptive gather, added per level.
import type { PoolingSizes } from '../../geometry/layout.js';
import { sppBackward, sppForward, type SppGeometry } from '../reference/extra/spatial-pyramid-pool.js';
import type { PoolingKernels } from '../types.js';
import type { KindRunner } from './kind-kernels.js';
import { adaptiveTables, planeParams, sizeParams, type GpuJob, type JobArray } from './params.js';

const read = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'read' });
const write = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'write' });

/** Level `side`'s adaptive pooling sizes: the input's plane to side × side. */
function levelSizes(geometry: SppGeometry, side: number): PoolingSizes {
  const { batch, channels, channelsLast, inHeight, inWidth } = geometry;
  const outputShape = channelsLast ? [batch, side, side, channels] : [batch, channels, side, side];
  return {
    ...{ spatialDims: 2, batch, channels, channelsLast, inDepth: 1, inHeight, inWidth },
    ...{ outDepth: 1, outHeight: side, outWidth: side, inputShape: geometry.inputShape, outputShape },
  };
}

/** Copies each sample's level block between the level's own array and its place in the [batch, features] array. */
function moveLevel(
  geometry: SppGeometry,
  level: number,
  levelArray: Int32Array | Float32Array,
  all: Int32Array | Float32Array,
  toAll: boolean,
): void {
  const block = geometry.channels * geometry.levels[level]! ** 2;
  for (let sample = 0; sample < geometry.batch; sample++) {
    const at = sample * geometry.features + geometry.levelOffsets[level]!;
    if (toAll) all.set(levelArray.subarray(sample * block, (sample + 1) * block), at);
    else levelArray.set(all.subarray(at, at + block), sample * block);
  }
}

/** Runs every level's job; false (nothing written) when the device refused one, so the caller falls back. */
function runLevels(
  run: KindRunner,
  name: 'sppForward' | 'sppBackward',
  jobs: readonly (() => GpuJob)[],
  after: (level: number) => void,
): boolean {
  for (let level = 0; level < jobs.length; level++) {
    let refused = false;
    run(name, jobs[level]!(), () => (refused = true));
    if (refused) return false;
    after(level);
  }
  return true;
}

export function createPyramidGpuKernels(run: KindRunner) {
  return {
    sppForward(input, output, argmax, geometry, mode) {
      const levels = geometry.levels.map((side) => {
        const sizes = levelSizes(geometry, side);
        const count = sizes.batch * sizes.channels * side * side;
        return { sizes, output: new Float32Array(count), argmax: new Int32Array(count) };
      });
      const jobs = levels.map(({ sizes, output: levelOutput, argmax: levelArgmax }) => () => {
        const params = sizeParams(sizes);
        const arrays = [read(adaptiveTables(sizes, params)), read(input), write(levelOutput)];
        if (mode === 'max') arrays.push(write(levelArgmax));
        return {
          shader: mode === 'max' ? 'maxAdaptiveForward' : 'averageAdaptiveForward',
          params,
          arrays,
          work: levelOutput.length,
        };
      });
      const done = runLevels(run, 'sppForward', jobs, (level) => {
        moveLevel(geometry, level, levels[level]!.output, output, true);
        if (argmax !== null && mode === 'max') moveLevel(geometry, level, levels[level]!.argmax, argmax, true);
      });
      if (!done) sppForward(input, output, argmax, geometry, mode);
      else if (argmax !== null && mode === 'average') argmax.fill(-1);
    },
    sppBackward(gradOutput, argmax, gradInput, geometry, mode) {
      const levelInput = new Float32Array(gradInput.length);
      const jobs = geometry.levels.map((side, level) => () => {
        const sizes = levelSizes(geometry, side);
        const count = sizes.batch * sizes.channels * side * side;
        const levelGradient = new Float32Array(count);
        moveLevel(geometry, level, levelGradient, gradOutput, false);
        if (mode === 'max') {
          const levelArgmax = new Int32Array(count);
          moveLevel(geometry, level, levelArgmax, argmax!, false);
          const planes = {
            channelsLast: sizes.channelsLast,
            batch: sizes.batch,
            channels: sizes.channels,
            largeSpatial: sizes.inHeight * sizes.inWidth,
            smallSpatial: side * side,
          };
          const arrays: JobArray[] = [read(levelGradient), read(levelArgmax), { data: gradInput, role: 'readWrite' }];
          return {
            shader: 'argmaxScatterAdd',
            params: planeParams(planes),
            arrays,
            work: planes.batch * planes.channels,
          };
        }
        const params = sizeParams(sizes);
        const arrays = [read(adaptiveTables(sizes, params)), read(levelGradient), write(levelInput)];
        return { shader: 'averageAdaptiveBackward', params, arrays, work: gradInput.length };
      });
      const before = gradInput.slice();
      const done = runLevels(run, 'sppBackward', jobs, () => {
        if (mode === 'average')
          for (let index = 0; index < gradInput.length; index++) gradInput[index]! += levelInput[index]!;
      });
      if (!done) {
        gradInput.set(before);
        sppBackward(gradOutput, argmax, gradInput, geometry, mode);
      }
    },
  } satisfies Partial<PoolingKernels>;
}
