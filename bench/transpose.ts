// The batched 2D transpose of layout changes (transposePlanes: NCHW ↔ NHWC) timed beside a copy of the
// same bytes (Float32Array.prototype.set) and the reference kernel, in interleaved rounds of one run
// (wall ms, median), on 1 and 2 threads. GB/s counts bytes read plus written. No timings in tests.
// Usage: npx tsx bench/transpose.ts [--quick]
import { kernel } from '../src/kernels/backend.js';
import { referenceLayoutKernels } from '../src/kernels/reference/transpose-planes.js';
import { setThreadCount, Tensor, threadsReady } from '../src/index.js';
import { measureTogether, type Timed } from './pooling-timing.js';

const SHAPES = [
  [128, 32, 26, 26],
  [32, 64, 112, 112],
];

function contenders(shape: readonly number[]): Timed[] {
  const [batch, channels, height, width] = shape as [number, number, number, number];
  const source = Tensor.allocate(shape);
  for (let index = 0; index < source.size; index++) source.values[index] = index % 1013;
  const target = Tensor.allocate(shape);
  const transposePlanes = kernel('transposePlanes');
  const toLast = { batch, rows: channels, columns: height * width };
  const toFirst = { batch, rows: height * width, columns: channels };
  return [
    { name: 'copy (set)', run: () => target.values.set(source.values) },
    { name: 'NCHW→NHWC', run: () => transposePlanes(source.values, target.values, toLast) },
    { name: 'NHWC→NCHW', run: () => transposePlanes(source.values, target.values, toFirst) },
    {
      name: 'reference NCHW→NHWC',
      run: () => referenceLayoutKernels.transposePlanes(source.values, target.values, toLast),
    },
  ];
}

const quick = process.argv.includes('--quick');
for (const threads of [1, 2]) {
  await setThreadCount(threads);
  await threadsReady();
  for (const shape of SHAPES) {
    const bytes = 2 * 4 * shape.reduce((total, size) => total * size, 1);
    const timings = await measureTogether(contenders(shape), quick);
    const cells = [...timings].map(
      ([name, { ms }]) => `${name} ${ms.toFixed(2)} ms (${(bytes / ms / 1e6).toFixed(1)} GB/s)`,
    );
    console.log(`[${shape.join(',')}] ${threads} thread(s): ${cells.join('; ')}`);
  }
}
