// The WebAssembly pooling kernels behind the typed table: each writes its sizes and the tensors'
// heap addresses into the argument block and runs the export over its work units, on the thread
// pool when the work is large. No tensor is copied.
import type { AdaptiveGeometry } from '../../geometry/adaptive-geometry.js';
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import type { ArgmaxPlanes, PoolKernels } from '../types.js';
import type { KernelModule } from './loader.js';
import { writeAdaptiveGeometry, writeArgmaxPlanes, writeGatherScratch, writePoolGeometry } from './pool-arguments.js';
import { getThreadCount, parallelFor } from './threads.js';

type Sizes = Pick<
  AdaptiveGeometry,
  'channelsLast' | 'batch' | 'channels' | 'inDepth' | 'inHeight' | 'outDepth' | 'outHeight'
>;

/** Output rows: the units of every forward kernel (rows.ts in assembly/pool). */
export function outputRows(geometry: Sizes): number {
  const outer = geometry.channelsLast ? geometry.batch : geometry.batch * geometry.channels;
  return outer * geometry.outDepth * geometry.outHeight;
}

/** Input rows: the units of the gather-form backward kernels, which write each input cell once. */
export function inputRows(geometry: Sizes): number {
  const outer = geometry.channelsLast ? geometry.batch : geometry.batch * geometry.channels;
  return outer * geometry.inDepth * geometry.inHeight;
}

/** Samples (NHWC) or planes (NCHW): scatters by argmax split there, so no two threads hit one cell. */
export function planeUnits(planes: Pick<ArgmaxPlanes, 'channelsLast' | 'batch' | 'channels'>): number {
  return planes.channelsLast ? planes.batch : planes.batch * planes.channels;
}

const both =
  (first: () => void, second: () => void): (() => void) =>
  () => {
    first();
    second();
  };

/** Bytes read and written by a kernel over these views: what decides whether it is split among threads. */
export const bytes = (...views: (Float32Array | Int32Array | null)[]): number =>
  views.reduce((total, view) => total + (view?.byteLength ?? 0), 0);

/** The pooling kernel table over an instantiated assembly/pool module. */
export function createPoolKernels(pool: KernelModule): PoolKernels {
  const block = pool.argumentBlock;
  /** Runs `name` over the output rows, then frees the window tables. */
  const forward = (name: string, geometry: Sizes, release: () => void, moved: number): void => {
    try {
      parallelFor(pool, name, outputRows(geometry), moved, block);
    } finally {
      release();
    }
  };
  const backward = (name: string, geometry: Sizes, release: () => void, moved: number): void => {
    try {
      parallelFor(pool, name, inputRows(geometry), moved, block);
    } finally {
      release();
    }
  };
  return {
    maxPoolForward(input, output, argmax, geometry: PoolGeometry) {
      const release = writePoolGeometry(pool, geometry, { input, output, argmax });
      forward('maxPoolRows', geometry, release, bytes(input, output, argmax));
    },
    maxPoolBackward(gradOutput, argmax, gradInput, geometry) {
      const release = writePoolGeometry(pool, geometry, { input: null, output: null, argmax, gradOutput, gradInput });
      backward('maxBackwardRows', geometry, release, bytes(gradOutput, argmax, gradInput));
    },
    avgPoolForward(input, output, geometry, divisor) {
      const release = writePoolGeometry(pool, geometry, { input, output }, divisor);
      forward('averagePoolRows', geometry, release, bytes(input, output));
    },
    avgPoolBackward(gradOutput, gradInput, geometry, divisor) {
      const release = writePoolGeometry(pool, geometry, { input: null, output: null, gradOutput, gradInput }, divisor);
      const releaseScratch = writeGatherScratch(pool, geometry, getThreadCount());
      backward('averageBackwardRows', geometry, both(release, releaseScratch), bytes(gradOutput, gradInput));
    },
    lpPoolForward(input, output, geometry, p) {
      const release = writePoolGeometry(pool, geometry, { input, output }, null, p);
      forward('lpPoolRows', geometry, release, bytes(input, output));
    },
    lpPoolBackward(input, output, gradOutput, gradInput, geometry, p) {
      const release = writePoolGeometry(pool, geometry, { input, output, gradOutput, gradInput }, null, p);
      backward('lpBackwardRows', geometry, release, bytes(input, output, gradOutput, gradInput));
    },
    adaptiveMaxPoolForward(input, output, argmax, geometry) {
      const release = writeAdaptiveGeometry(pool, geometry, { input, output, argmax });
      forward('maxPoolRows', geometry, release, bytes(input, output, argmax));
    },
    adaptiveAvgPoolForward(input, output, geometry) {
      const release = writeAdaptiveGeometry(pool, geometry, { input, output });
      forward('averagePoolRows', geometry, release, bytes(input, output));
    },
    adaptiveAvgPoolBackward(gradOutput, gradInput, geometry) {
      const release = writeAdaptiveGeometry(pool, geometry, { input: null, output: null, gradOutput, gradInput });
      const releaseScratch = writeGatherScratch(pool, geometry, getThreadCount());
      backward('averageBackwardRows', geometry, both(release, releaseScratch), bytes(gradOutput, gradInput));
    },
    argmaxScatterAdd(small, argmax, large, planes) {
      writeArgmaxPlanes(pool, planes, small, argmax, large);
      parallelFor(pool, 'argmaxScatterAddPlanes', planeUnits(planes), bytes(small, argmax, large), block);
    },
    argmaxScatter(small, argmax, large, planes) {
      writeArgmaxPlanes(pool, planes, small, argmax, large);
      parallelFor(pool, 'argmaxScatterPlanes', planeUnits(planes), bytes(small, argmax, large), block);
    },
    argmaxGather(large, argmax, small, planes) {
      writeArgmaxPlanes(pool, planes, small, argmax, large);
      parallelFor(pool, 'argmaxGatherPlanes', planeUnits(planes), bytes(small, argmax, large), block);
    },
  };
}
