// Masked pooling (max and average) in the kinds module (assembly/kinds/regions/masked.ts). The mask
// bytes and the argmax steps live in plain arrays on the TypeScript side, so they are copied into
// the heap around each call. Lp keeps the reference kernels: its |x|^p is Math.pow's, which the
// kernels have no bit-for-bit equal of.
import { maskedPoolBackward, maskedPoolForward } from '../../reference/extra/masked-pool.js';
import type { PoolingKernels } from '../../types.js';
import { heap } from '../../../tensor/heap.js';
import { argumentViews, type KernelModule } from '../loader.js';
import { addressOf } from '../pool-arguments.js';
import { parallelFor } from '../threads.js';

type MaskedKernels = Pick<PoolingKernels, 'maskedPoolForward' | 'maskedPoolBackward'>;
type Geometry = Parameters<PoolingKernels['maskedPoolForward']>[4];

/** Mask bytes, then argmax steps (when given), in one heap block; runs `body` with their addresses. */
function withHeapCopies(
  mask: Uint8Array,
  argmax: Int32Array | null,
  body: (mask: number, argmax: number) => void,
): void {
  const maskBytes = Math.ceil(mask.length / 4) * 4;
  const bytes = Math.max(maskBytes + 4 * (argmax?.length ?? 0), 4);
  const base = heap.alloc(bytes);
  try {
    new Uint8Array(heap.memory.buffer, base, mask.length).set(mask);
    const steps = argmax === null ? null : new Int32Array(heap.memory.buffer, base + maskBytes, argmax.length);
    steps?.set(argmax!);
    body(base, steps === null ? 0 : base + maskBytes);
    if (argmax !== null) argmax.set(new Int32Array(heap.memory.buffer, base + maskBytes, argmax.length));
  } finally {
    heap.free(base, bytes);
  }
}

export function createMaskedKernels(kinds: KernelModule): MaskedKernels {
  const run = (name: string, geometry: Geometry, max: boolean, views: (Float32Array | null)[], moved: number) => {
    const pointers = views.map((view) => addressOf(view)); // before the alloc, which may grow the heap
    return (mask: number, argmax: number) => {
      const [input, output, gradOutput, gradInput] = pointers;
      const words = [
        geometry.time,
        geometry.features,
        max ? 0 : 1,
        input!,
        mask,
        output!,
        argmax,
        gradOutput!,
        gradInput!,
      ];
      argumentViews(kinds).ints.set(words, 0);
      parallelFor(kinds, name, geometry.batch, moved, kinds.argumentBlock);
    };
  };
  return {
    maskedPoolForward(input, mask, output, argmax, geometry, reduction) {
      if (reduction.kind === 'lp') return maskedPoolForward(input, mask, output, argmax, geometry, reduction);
      const max = reduction.kind === 'max';
      const body = run('maskedForwardSamples', geometry, max, [input, output, null, null], input.byteLength);
      withHeapCopies(mask, max ? argmax : null, body);
    },
    maskedPoolBackward(input, mask, output, argmax, gradOutput, gradInput, geometry, reduction) {
      if (reduction.kind === 'lp' || (reduction.kind === 'max' && argmax === null))
        return maskedPoolBackward(input, mask, output, argmax, gradOutput, gradInput, geometry, reduction);
      const max = reduction.kind === 'max';
      const views = [null, null, gradOutput, gradInput];
      withHeapCopies(
        mask,
        max ? argmax : null,
        run('maskedBackwardSamples', geometry, max, views, gradInput.byteLength),
      );
    },
  };
}
