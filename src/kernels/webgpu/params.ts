// What crosses to the GPU for one kernel call: the geometry packed as int32 parameters (binding 0
// of every shader), the arrays bound after it, and how many invocations run. The same job runs
// through the synchronous worker bridge (bridge.ts) and directly on a device (device-runner.ts).
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import type { PoolingSizes } from '../../geometry/layout.js';
import { adaptiveEnd, adaptiveStart } from '../../geometry/adaptive-geometry.js';
import type { ArgmaxPlanes, AverageDivisor } from '../types.js';

/** Positions in the parameter block; shader-common.ts reads the same positions. */
export const Param = {
  batch: 0,
  channels: 1,
  channelsLast: 2,
  inDepth: 3,
  inHeight: 4,
  inWidth: 5,
  outDepth: 6,
  outHeight: 7,
  outWidth: 8,
  kernelDepth: 9,
  strideDepth: 12,
  dilationDepth: 15,
  padFront: 18,
  padBack: 21,
  /** 0: divide by in-bounds taps, 1: by taps inside input plus padding, 2: by the override. */
  divisorMode: 24,
  divisorOverride: 25,
  power: 26,
  work: 27,
  threadsPerRow: 28,
  /** Adaptive window tables: offsets of start, end (per output cell) and first, last window (per input cell) per axis. */
  tables: 29,
  count: 41,
} as const;

/**
 * read: uploaded; write: read back; readWrite: both; device: neither, it lives on the device for the
 * job only (an intermediate between its steps; its data gives only its length and type).
 */
export type ArrayRole = 'read' | 'write' | 'readWrite' | 'device';

export interface JobArray {
  readonly data: Float32Array | Int32Array;
  readonly role: ArrayRole;
  /** The device buffer (by id) holding the array across jobs: bound in place, never uploaded or read back. */
  readonly resident?: number;
}

/** One dispatch: `shader` with `params`, binding the job's arrays at `bindings` (indexes) in order. */
export interface JobStep {
  readonly shader: string;
  readonly params: Int32Array;
  readonly bindings: readonly number[];
  readonly work: number;
}

/**
 * The first dispatch is the job's own step: `shader` (shaders.ts) binds params, then `arrays` in order
 * or those at `bindings` when given; `work` counts invocations (per output element, input element
 * or plane, as the shader counts).
 */
export interface GpuJob extends Omit<JobStep, 'bindings'> {
  readonly arrays: readonly JobArray[];
  /** The arrays the first dispatch binds, by index; all of them in order when absent. */
  readonly bindings?: readonly number[];
  /** Dispatches after the first, in order, in the same submit: intermediates never leave the device. */
  readonly then?: readonly JobStep[];
}

/** The job's dispatches in order, each with the arrays it binds. */
export function jobSteps(job: GpuJob): JobStep[] {
  const bindings = job.bindings ?? job.arrays.map((_, index) => index);
  return [{ shader: job.shader, params: job.params, bindings, work: job.work }, ...(job.then ?? [])];
}

const floatBits = new Float32Array(1);
const intBits = new Int32Array(floatBits.buffer);

/** The float32 bits of `value` as an int32, for a float parameter. */
export function floatParam(value: number): number {
  floatBits[0] = value;
  return intBits[0]!;
}

/** The sizes every shader reads: batch, channels, layout, input and output extents. */
export function sizeParams(sizes: PoolingSizes): Int32Array {
  const params = new Int32Array(Param.count);
  params.set([sizes.batch, sizes.channels, sizes.channelsLast ? 1 : 0]);
  params.set([sizes.inDepth, sizes.inHeight, sizes.inWidth, sizes.outDepth, sizes.outHeight, sizes.outWidth], 3);
  return params;
}

/** The sliding-window geometry (poolGeometry's struct) as parameters, with the divisor and power. */
export function windowParams(geometry: PoolGeometry, divisor: AverageDivisor | null = null, power = 1): Int32Array {
  const params = sizeParams(geometry);
  const g = geometry;
  params.set([g.kernelDepth, g.kernelHeight, g.kernelWidth, g.strideDepth, g.strideHeight, g.strideWidth], 9);
  params.set([g.dilationDepth, g.dilationHeight, g.dilationWidth, g.padFront, g.padTop, g.padLeft], 15);
  params.set([g.padBack, g.padBottom, g.padRight], 21);
  if (divisor !== null) {
    params[Param.divisorMode] = divisor.divisorOverride !== null ? 2 : divisor.countIncludePad ? 1 : 0;
    params[Param.divisorOverride] = floatParam(divisor.divisorOverride ?? 0);
  }
  params[Param.power] = floatParam(power);
  return params;
}

/** Argmax planes as parameters: the large side as the input, the small side as the output. */
export function planeParams(planes: ArgmaxPlanes): Int32Array {
  const params = new Int32Array(Param.count);
  params.set([planes.batch, planes.channels, planes.channelsLast ? 1 : 0, 1, 1, planes.largeSpatial]);
  params.set([1, 1, planes.smallSpatial], 6);
  return params;
}

/**
 * The adaptive windows as tables (adaptiveStart/adaptiveEnd, the reference's rule), per axis: start
 * and end per output cell, and per input cell the first window holding it and one past the last.
 * Their offsets go into `params`.
 */
export function adaptiveTables(sizes: PoolingSizes, params: Int32Array): Int32Array {
  const axes: [number, number][] = [
    [sizes.inDepth, sizes.outDepth],
    [sizes.inHeight, sizes.outHeight],
    [sizes.inWidth, sizes.outWidth],
  ];
  const parts: number[] = [];
  axes.forEach(([inSize, outSize], axis) => {
    const starts = Array.from({ length: outSize }, (_, index) => adaptiveStart(index, outSize, inSize));
    const ends = Array.from({ length: outSize }, (_, index) => adaptiveEnd(index, outSize, inSize));
    const first = new Array<number>(inSize).fill(outSize);
    const last = new Array<number>(inSize).fill(0);
    starts.forEach((start, window) => {
      for (let cell = start; cell < ends[window]!; cell++) {
        first[cell] = Math.min(first[cell]!, window);
        last[cell] = Math.max(last[cell]!, window + 1);
      }
    });
    [starts, ends, first, last].forEach((table, part) => {
      params[Param.tables + axis * 4 + part] = parts.length;
      parts.push(...table);
    });
  });
  return Int32Array.from(parts);
}

/** Elements of a pooling's input and output. */
export function elementCounts(sizes: PoolingSizes): { input: number; output: number } {
  const plane = sizes.batch * sizes.channels;
  return {
    input: plane * sizes.inDepth * sizes.inHeight * sizes.inWidth,
    output: plane * sizes.outDepth * sizes.outHeight * sizes.outWidth,
  };
}
