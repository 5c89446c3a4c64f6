// RoIAlign in the kinds module (assembly/kinds/regions/roi-align.ts). Every bin's samples (positions,
// bilinear weights, on the image or not) are the reference's (alignFrame, binSamples: float32 box
// arithmetic), tabulated here once per distinct box and kept for the next call with the same boxes,
// and for the backward the same turned around (per input cell, the terms that reach it); the kernels
// run over the channels.
import {
  alignFrame,
  binSamples,
  createSamples,
  type AlignFrame,
  type RoiAlignGeometry,
} from '../../reference/extra/roi-align.js';
import type { RoiBoxes } from '../../reference/extra/roi-geometry.js';
import type { PoolingKernels } from '../../types.js';
import { argumentViews, type KernelModule } from '../loader.js';
import { addressOf } from '../pool-arguments.js';
import { parallelFor } from '../threads.js';
import { cornerKey, heapTables, keptBoxTables } from './regions-tables.js';

/** Writes one frame's bins (every cell's samples, cell-major) into the tables from sample `first`. */
function writeFrame(geometry: RoiAlignGeometry, frame: AlignFrame, size: number, first: number, tables: Tables): void {
  const samples = createSamples(frame);
  for (let cell = 0; cell < geometry.outHeight * geometry.outWidth; cell++) {
    binSamples(geometry, frame, Math.floor(cell / geometry.outWidth), cell % geometry.outWidth, samples);
    const at = first + cell * size;
    tables.positions.set(samples.positions.subarray(0, 4 * size), 4 * at);
    tables.weights.set(samples.weights.subarray(0, 4 * size), 4 * at);
    for (let sample = 0; sample < size; sample++) tables.inside[at + sample] = samples.inside[sample]!;
  }
}

interface Tables {
  positions: Int32Array;
  weights: Float32Array;
  inside: Int32Array;
}

/**
 * [box, 4] (first sample, samples per bin, divisor, image), then per sample positions, weights,
 * inside. Boxes with the same corners share one frame's samples (a box's samples depend on its
 * corners and the geometry only): the seed CNN's boxes are every image's whole map, one frame.
 */
export function sampleTables(geometry: RoiAlignGeometry, boxes: RoiBoxes): Int32Array[] {
  const cells = geometry.outHeight * geometry.outWidth;
  const boxInfo = new Int32Array(geometry.boxCount * 4);
  const firsts = new Map<string, number>();
  const distinct: { frame: AlignFrame; size: number; first: number }[] = [];
  let total = 0;
  for (let box = 0; box < geometry.boxCount; box++) {
    const frame = alignFrame(geometry, boxes.corners, box);
    // The samples binSamples fills (the capacity can be larger: two negative grid sizes multiply).
    const size = Math.max(frame.gridRows, 0) * Math.max(frame.gridColumns, 0);
    const key = cornerKey(boxes.corners, box);
    let first = firsts.get(key);
    if (first === undefined) {
      [first, total] = [total, total + cells * size];
      firsts.set(key, first);
      distinct.push({ frame, size, first });
    }
    boxInfo.set([first, size, frame.count, boxes.batchIndices[box]!], box * 4);
  }
  const tables = {
    positions: new Int32Array(4 * total),
    weights: new Float32Array(4 * total),
    inside: new Int32Array(total),
  };
  for (const { frame, size, first } of distinct) writeFrame(geometry, frame, size, first, tables);
  return [boxInfo, tables.positions, new Int32Array(tables.weights.buffer), tables.inside];
}

/**
 * The backward's tables after sampleTables' (`samples`): [box, 2] (first entry, entries), then per
 * distinct frame its entries [entry, 3] (an input cell's plane position, the first and end of its
 * contributions), ascending by position, and the contributions [contribution, 2] (bin, float32
 * weight bits): every on-image corner of the frame's bins that reads the cell, in the reference
 * backward's (bin, corner) order, so that gathering them adds a cell's terms in the reference's order.
 */
export function readerTables(geometry: RoiAlignGeometry, samples: readonly Int32Array[]): Int32Array[] {
  const boxInfo = samples[0]!;
  const readerBoxes = new Int32Array(geometry.boxCount * 2);
  const frames = new Map<string, [number, number]>();
  const entries: number[] = [];
  const contributions: number[] = [];
  for (let box = 0; box < geometry.boxCount; box++) {
    const [first, size] = [boxInfo[box * 4]!, boxInfo[box * 4 + 1]!];
    const key = `${first},${size}`;
    let frame = frames.get(key);
    if (frame === undefined) {
      frame = [entries.length / 3, 0];
      for (const [position, terms] of frameReaders(geometry, samples, first, size)) {
        entries.push(position, contributions.length / 2, contributions.length / 2 + terms.length / 2);
        for (const term of terms) contributions.push(term);
        frame[1]++;
      }
      frames.set(key, frame);
    }
    readerBoxes.set(frame, box * 2);
  }
  return [readerBoxes, Int32Array.from(entries), Int32Array.from(contributions)];
}

/**
 * One frame's readers: per input cell its samples reach, ascending, its (bin, weight bits) pairs in
 * the reference's order (a map over the cells reached, not the plane: boxes are often small).
 */
function frameReaders(
  geometry: RoiAlignGeometry,
  samples: readonly Int32Array[],
  first: number,
  size: number,
): [number, number[]][] {
  const [, positions, weights, inside] = samples as [Int32Array, Int32Array, Int32Array, Int32Array];
  const byCell = new Map<number, number[]>();
  for (let bin = 0; bin < geometry.outHeight * geometry.outWidth; bin++)
    for (let sample = first + bin * size; sample < first + (bin + 1) * size; sample++) {
      if (inside[sample] !== 1) continue;
      for (let corner = sample * 4; corner < sample * 4 + 4; corner++) {
        const terms = byCell.get(positions[corner]!) ?? [];
        if (terms.length === 0) byCell.set(positions[corner]!, terms);
        terms.push(bin, weights[corner]!);
      }
    }
  return [...byCell].sort(([a], [b]) => a - b);
}

const BACKWARD = 'roiAlignBackwardImages';

function run(
  kinds: KernelModule,
  name: string,
  units: number,
  geometry: RoiAlignGeometry,
  pointers: readonly number[],
  boxes: RoiBoxes,
): void {
  const samples = keptBoxTables('roiAlign', geometry, boxes, () => sampleTables(geometry, boxes));
  const tables =
    name === BACKWARD
      ? [...samples, ...keptBoxTables('roiAlignReaders', geometry, boxes, () => readerTables(geometry, samples))]
      : samples;
  const { addresses, release } = heapTables(tables);
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
      run(kinds, BACKWARD, geometry.batch, geometry, pointers, boxes);
    },
  };
}
