// The stream probes of assembly/train/probe.ts as benchmark contenders: the plainest WebAssembly
// loops that move a pooling row's bytes (its large side and its quarter-size small side), on the
// thread count in force. They show what any WebAssembly kernel can reach with that traffic, beside
// the copy ceiling, which is native code (memcpy, with stores that skip the cache).
import { Tensor } from '../src/tensor/tensor.js';
import { argumentViews } from '../src/kernels/wasm/loader.js';
import { addressOf } from '../src/kernels/wasm/pool-arguments.js';
import { parallelFor } from '../src/kernels/wasm/threads.js';
import { trainKernelModule } from '../src/kernels/wasm/train-kernels.js';
import type { Timed } from './pooling-timing.js';

/** Must equal assembly/train/arguments.ts: ELEMENT_COUNT, ARRAY_0, ARRAY_1 and ELEMENT_UNIT. */
const COUNT_WORD = 40;
const ARRAY_0_WORD = 41;
const ELEMENT_UNIT = 4096;

export interface StreamProbe {
  /** A forward pass's traffic (read the large side, write the small), or a backward pass's. */
  contender(name: string, direction: 'gather' | 'spread'): Timed;
  dispose(): void;
}

/** Probes over `largeLength` floats and a quarter as many; null without the wasm kernels. */
export function streamProbe(largeLength: number): StreamProbe | null {
  const train = trainKernelModule;
  if (train === null || largeLength % 16 !== 0) return null;
  const large = Tensor.allocate([largeLength]);
  const small = Tensor.allocate([largeLength / 4]);
  large.values.fill(1);
  small.values.fill(1);
  const bytes = (largeLength + largeLength / 4) * 4;
  const run = (kernel: string): void => {
    const words = argumentViews(train).ints;
    words[COUNT_WORD] = small.values.length;
    words[ARRAY_0_WORD] = addressOf(large.values);
    words[ARRAY_0_WORD + 1] = addressOf(small.values);
    parallelFor(train, kernel, Math.ceil(small.values.length / ELEMENT_UNIT), bytes);
  };
  return {
    contender: (name, direction) => ({
      name,
      run: () => run(direction === 'gather' ? 'streamGatherProbe' : 'streamSpreadProbe'),
    }),
    dispose: () => [large, small].forEach((tensor) => tensor.dispose()),
  };
}
