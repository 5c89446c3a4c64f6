// RoIAlign in the kinds module (assembly/kinds/regions/roi-align.ts). Every bin's samples (positions,
// bilinear weights, on the image or not) are the reference's (alignFrame, binSamples: float32 box
// arithmetic), tabulated here once per call; the kernels run over the channels.
import { alignFrame, binSamples, createSamples, type RoiAlignGeometry } from '../../reference/extra/roi-align.js';
import type { RoiBoxes } from '../../reference/extra/roi-geometry.js';
import type { PoolingKernels } from '../../types.js';
import { argumentViews, type KernelModule } from '../loader.js';
import { addressOf } from '../pool-arguments.js';
import { parallelFor } from '../threads.js';
import { heapTables } from './regions-tables.js';

/** [box, 4] (first sample, samples per bin, divisor, image), then per sample positions, weights, inside. */
function sampleTables(geometry: RoiAlignGeometry, boxes: RoiBoxes): Int32Array[] {
  const cells = geometry.outHeight * geometry.outWidth;
  const boxInfo = new Int32Array(geometry.boxCount * 4);
  const positions: number[] = [];
  const weights: number[] = [];
  const inside: number[] = [];
  for (let box = 0; box < geometry.boxCount; box++) {
    const frame = alignFrame(geometry, boxes.corners, box);
    const samples = createSamples(frame);
    // The samples binSamples fills (the capacity can be larger: two negative grid sizes multiply).
    const size = Math.max(frame.gridRows, 0) * Math.max(frame.gridColumns, 0);
    boxInfo.set([inside.length, size, frame.count, boxes.batchIndices[box]!], box * 4);
    for (let cell = 0; cell < cells; cell++) {
      binSamples(geometry, frame, Math.floor(cell / geometry.outWidth), cell % geometry.outWidth, samples);
      for (let corner = 0; corner < 4 * size; corner++) {
        positions.push(samples.positions[corner]!);
        weights.push(samples.weights[corner]!);
      }
      for (let sample = 0; sample < size; sample++) inside.push(samples.inside[sample]!);
    }
  }
  return [
    boxInfo,
    Int32Array.from(positions),
    new Int32Array(Float32Array.from(weights).buffer),
    Int32Array.from(inside),
  ];
}

function run(
  kinds: KernelModule,
  name: string,
  units: number,
  geometry: RoiAlignGeometry,
  pointers: readonly number[],
  boxes: RoiBoxes,
): void {
  const { addresses, release } = heapTables(sampleTables(geometry, boxes));
  try {
    const words = [geometry.channels, geometry.channelsLast ? 1 : 0, geometry.inHeight * geometry.inWidth];
    words.push(geometry.outHeight * geometry.outWidth, geometry.mode === 'max' ? 1 : 0, geometry.boxCount);
    argumentViews(kinds).ints.set([...words, ...pointers, ...addresses], 0);
    const moved = 4 * geometry.boxCount * geometry.channels * geometry.outHeight * geometry.outWidth * 8;
    parallelFor(kinds, name, units, moved, kinds.argumentBlock);
  } finally {
    release();
  }
}

export function createRoiAlignKernels(
  kinds: KernelModule,
): Pick<PoolingKernels, 'roiAlignForward' | 'roiAlignBackward'> {
  return {
    roiAlignForward(input, boxes, output, geometry) {
      const pointers = [addressOf(input), addressOf(output), 0, 0];
      run(kinds, 'roiAlignBoxes', geometry.boxCount, geometry, pointers, boxes);
    },
    roiAlignBackward(input, boxes, gradOutput, gradInput, geometry) {
      const pointers = [addressOf(input), 0, addressOf(gradOutput), addressOf(gradInput)];
      run(kinds, 'roiAlignBackwardImages', geometry.batch, geometry, pointers, boxes);
    },
  };
}
