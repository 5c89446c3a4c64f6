// The webgpu kernels of RoI max pooling and RoIAlign (kind-roi-shaders.ts). The bins' extents and the
// samples' positions and weights are the reference's float32 box arithmetic, tabulated on the host
// as the wasm kernels do (binTable, sampleTables) and uploaded with one int32 table array; RoIAlign's
// gradient also gets, per input cell, the list of corners that read it (built here), so the GPU
// gathers in the order the reference scatters.
import type { PoolingSizes } from '../../geometry/layout.js';
import { roiAlignBackward, roiAlignForward, type RoiAlignGeometry } from '../reference/extra/roi-align.js';
import type { RoiBoxes, RoiGeometry } from '../reference/extra/roi-geometry.js';
import { roiPoolBackward, roiPoolForward } from '../reference/extra/roi-pool.js';
import type { PoolingKernels } from '../types.js';
import { binTable } from '../wasm/kinds/regions-roi.js';
import { sampleTables } from '../wasm/kinds/regions-roi-align.js';
import { keptBoxTables } from '../wasm/kinds/regions-tables.js';
import { tableJob } from './kind-region-kernels.js';
import { KindParam } from './kind-walk.js';
import { ROI_BOX_COUNT } from './kind-roi-shaders.js';
import type { GpuJob, JobArray } from './params.js';
import { placeholder } from './protocol.js';
import { JobBuilder } from './train-jobs.js';

export type RoiGpuKernels = Pick<
  PoolingKernels,
  'roiPoolForward' | 'roiPoolBackward' | 'roiAlignForward' | 'roiAlignBackward'
>;
export type RoiRunner = (kernel: keyof RoiGpuKernels, job: GpuJob, fallback: () => void) => void;

const read = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'read' });
const write = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'write' });

/** The call's sizes as a 2D pooling's: images in, one output image per box. */
function roiSizes(geometry: RoiGeometry): PoolingSizes {
  const { channelsLast, batch, channels, inHeight, inWidth, outHeight, outWidth } = geometry;
  return {
    ...{ spatialDims: 2, channelsLast, batch, channels, inDepth: 1, inHeight, inWidth, outDepth: 1 },
    ...{ outHeight, outWidth, inputShape: geometry.inputShape, outputShape: geometry.outputShape },
  };
}

/** The parameters and table array of `parts`, with the kind's flag (ONNX's rule, RoIAlign's max). */
function roiTables(geometry: RoiGeometry, parts: readonly Int32Array[], flag: boolean) {
  const { params, tables } = tableJob(roiSizes(geometry), parts);
  params[KindParam.coefficient] = flag ? 1 : 0;
  params[ROI_BOX_COUNT] = geometry.boxCount;
  return { params, tables };
}

/**
 * Per input cell (image, position) the (box·bins + bin, corner) pairs of the samples on the image
 * that read it, in box, bin, corner order (the reference backward's): `starts` (one per cell and the
 * end) into `pairs`. `tables` are sampleTables' (box info, positions, weights, inside).
 */
function alignReaders(geometry: RoiAlignGeometry, tables: readonly Int32Array[]): [Int32Array, Int32Array] {
  const [boxInfo, positions, , inside] = tables as [Int32Array, Int32Array, Int32Array, Int32Array];
  const plane = geometry.inHeight * geometry.inWidth;
  const bins = geometry.outHeight * geometry.outWidth;
  const visit = (each: (cell: number, slot: number, corner: number) => void) => {
    for (let box = 0; box < geometry.boxCount; box++) {
      const [first, size, , image] = boxInfo.subarray(box * 4, box * 4 + 4) as unknown as number[];
      for (let bin = 0; bin < bins; bin++) {
        for (let sample = first! + bin * size!; sample < first! + (bin + 1) * size!; sample++) {
          if (inside[sample] === 0) continue;
          for (let corner = sample * 4; corner < sample * 4 + 4; corner++)
            each(image! * plane + positions[corner]!, box * bins + bin, corner);
        }
      }
    }
  };
  const starts = new Int32Array(geometry.batch * plane + 1);
  visit((cell) => starts[cell + 1]!++);
  for (let cell = 0; cell < geometry.batch * plane; cell++) starts[cell + 1]! += starts[cell]!;
  const cursor = starts.slice(0, -1);
  const pairs = new Int32Array(2 * starts[geometry.batch * plane]!);
  visit((cell, slot, corner) => pairs.set([slot, corner], 2 * cursor[cell]!++));
  return [starts, pairs];
}

/** sampleTables for these boxes (kept while the boxes and geometry are the same), the readers added for a backward. */
function alignTables(geometry: RoiAlignGeometry, boxes: RoiBoxes, backward: boolean): Int32Array[] {
  const samples = keptBoxTables('roiAlignGpu', geometry, boxes, () => sampleTables(geometry, boxes));
  if (!backward) return samples.slice(0, 3);
  const readers = keptBoxTables('roiAlignGpuReaders', geometry, boxes, () => alignReaders(geometry, samples));
  return [...samples.slice(0, 3), ...readers];
}

export function createRoiGpuKernels(run: RoiRunner): RoiGpuKernels {
  return {
    roiPoolForward(input, boxes, output, argmax, geometry) {
      const parts = keptBoxTables('roiPoolGpu', geometry, boxes, () => [
        binTable(geometry, boxes.corners),
        boxes.batchIndices,
      ]);
      const { params, tables } = roiTables(geometry, parts, geometry.maxRule === 'onnx');
      const arrays = [tables, read(input), write(output), write(argmax ?? new Int32Array(output.length))];
      run('roiPoolForward', { shader: 'roiPoolKindForward', params, arrays, work: output.length }, () =>
        roiPoolForward(input, boxes, output, argmax, geometry),
      );
    },
    roiPoolBackward(gradOutput, argmax, batchIndices, gradInput, geometry) {
      const { params, tables } = roiTables(geometry, [batchIndices], false);
      const arrays = [tables, read(gradOutput), read(argmax), { data: gradInput, role: 'readWrite' } as const];
      const planes = geometry.batch * geometry.channels;
      run('roiPoolBackward', { shader: 'roiPoolKindBackward', params, arrays, work: planes }, () =>
        roiPoolBackward(gradOutput, argmax, batchIndices, gradInput, geometry),
      );
    },
    roiAlignForward(input, boxes, output, geometry) {
      const { params, tables } = roiTables(geometry, alignTables(geometry, boxes, false), geometry.mode === 'max');
      const winners = { data: placeholder(output.length, 'int32'), role: 'device' } as const;
      const arrays = [tables, read(input), write(output), winners];
      run('roiAlignForward', { shader: 'roiAlignKindForward', params, arrays, work: output.length }, () =>
        roiAlignForward(input, boxes, output, geometry),
      );
    },
    roiAlignBackward(input, boxes, gradOutput, gradInput, geometry) {
      const max = geometry.mode === 'max';
      const { params, tables } = roiTables(geometry, alignTables(geometry, boxes, true), max);
      const builder = new JobBuilder();
      const [table, gradients] = [builder.add(tables.data, 'read'), builder.add(gradOutput, 'read')];
      const winners = builder.add(placeholder(max ? gradOutput.length : 1, 'int32'), 'device');
      if (max) {
        const values = builder.scratch(gradOutput.length);
        builder.step(
          'roiAlignKindForward',
          params,
          [table, builder.add(input, 'read'), values, winners],
          gradOutput.length,
        );
      }
      const gradInputIndex = builder.add(gradInput, 'write');
      builder.step('roiAlignKindBackward', params, [table, gradients, winners, gradInputIndex], gradInput.length);
      run('roiAlignBackward', builder.job(), () => roiAlignBackward(input, boxes, gradOutput, gradInput, geometry));
    },
  };
}
