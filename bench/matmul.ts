// Training-kernel benchmark: the seed CNN's dense product [128 x 5408]·[5408 x 128] (forward and
// both backward shapes) and its conv2d (batch 128, 28x28x1 → 26x26x32, 3x3) forward and both
// backwards: reference vs wasm on 1 and 2 threads vs TensorFlow.js's CPU backend. GFLOP/s, ratios.
// Run: npm run bench:matmul [-- --quick]   (the machine's cores are shared: figures vary 5-20%)
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { poolGeometry, Random, type ConvGeometry, type MatmulOptions } from '../src/index.js';
import { referenceTrainKernels } from '../src/kernels/reference/train-kernels.js';
import type { TrainKernels } from '../src/kernels/types.js';
import { setThreadCount, threadsReady } from '../src/kernels/wasm/threads.js';
import { wasmTrainKernels } from '../src/kernels/wasm/train-kernels.js';
import { heap } from '../src/tensor/heap.js';
import { describeCores, probeCores } from './cores.js';
import { scriptOptions } from '../cli/args.js';

const options = scriptOptions(
  {
    name: 'bench:matmul',
    script: 'npm run bench:matmul',
    summary:
      "Times the seed CNN's dense products and conv2d, forward and backward: reference, wasm on 1 and " +
      "2 threads, TensorFlow.js's CPU backend; GFLOP/s and ratios.",
    options: { quick: { type: 'boolean', description: 'Fewer repetitions' } },
    examples: ['npm run bench:matmul', 'npm run bench:matmul -- --quick'],
  },
  process.argv.slice(2),
  ({ values }) => values,
);
if (options === null) process.exit(0);
const quick = options.quick === true;

function heapRandom(length: number, seed: number): Float32Array {
  const random = new Random(seed);
  const offset = heap.alloc(length * 4); // before reading heap.memory.buffer: the alloc may grow it
  const view = new Float32Array(heap.memory.buffer, offset, length);
  for (let index = 0; index < length; index++) view[index] = random.uniform() * 2 - 1;
  return view;
}

interface Timing {
  readonly median: number;
  /** The fastest run: on a shared machine, the one least disturbed by other processes. */
  readonly best: number;
  /** Process CPU time per run, all threads: equal on 1 and 2 threads when the split adds no work. */
  readonly cpu: number;
}

/** Milliseconds of `runs` timed calls, after one warm-up call unless `warm` is false (slow peers). */
function time(run: () => void, runs: number, warm = true): Timing {
  if (warm) run();
  const times: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let index = 0; index < runs; index++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  const cpu = process.cpuUsage(cpuStart);
  times.sort((left, right) => left - right);
  return { median: times[Math.floor(times.length / 2)]!, best: times[0]!, cpu: (cpu.user + cpu.system) / 1000 / runs };
}

interface Workload {
  readonly name: string;
  readonly flops: number;
  readonly poolkit: (kernels: TrainKernels) => void;
  readonly tfjs: () => void;
}

function matmulWorkload(name: string, options: MatmulOptions): Workload {
  const { m, k, n, transposeA, transposeB } = options;
  const a = heapRandom(m * k, 1);
  const b = heapRandom(k * n, 2);
  const out = heapRandom(m * n, 3);
  const tfA = tf.tensor2d(a, transposeA ? [k, m] : [m, k]);
  const tfB = tf.tensor2d(b, transposeB ? [n, k] : [k, n]);
  return {
    name,
    flops: 2 * m * n * k,
    poolkit: (kernels) => kernels.matmul(a, b, out, options),
    tfjs: () => tf.tidy(() => void tf.matMul(tfA, tfB, transposeA, transposeB).dataSync()),
  };
}

function convWorkloads(): Workload[] {
  const pool = poolGeometry('conv2d', [128, 28, 28, 1], 2, { kernelSize: 3, stride: 1, padding: 'valid' });
  const geometry: ConvGeometry = { ...pool, outChannels: 32, outputShape: [128, 26, 26, 32] };
  const input = heapRandom(128 * 28 * 28, 4);
  const filter = heapRandom(3 * 3 * 32, 5);
  const bias = heapRandom(32, 6);
  const output = heapRandom(128 * 26 * 26 * 32, 7);
  const gradInput = heapRandom(input.length, 8);
  const gradFilter = heapRandom(filter.length, 9);
  const tfInput = tf.tensor4d(input, [128, 28, 28, 1]);
  const tfFilter = tf.tensor4d(filter, [3, 3, 1, 32]);
  const tfGradOutput = tf.tensor4d(output, [128, 26, 26, 32]);
  const attributes = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined };
  const run = (kernel: string, inputs: Record<string, tf.Tensor>, extra: object) => () =>
    tf.tidy(
      () =>
        void (
          tf.engine().runKernel(kernel, inputs, { ...attributes, ...extra } as unknown as tf.NamedAttrMap) as tf.Tensor
        ).dataSync(),
    );
  const flops = 2 * 128 * 26 * 26 * 32 * 9;
  return [
    {
      name: 'conv2d forward 128x28x28x1 → 26x26x32',
      flops,
      poolkit: (kernels) => kernels.conv2dForward(input, filter, bias, output, geometry),
      tfjs: () => tf.tidy(() => void tf.add(tf.conv2d(tfInput, tfFilter, 1, 'valid'), tf.tensor1d(bias)).dataSync()),
    },
    {
      name: 'conv2d backward input',
      flops,
      poolkit: (kernels) => kernels.conv2dBackwardInput(output, filter, gradInput, geometry),
      tfjs: run('Conv2DBackpropInput', { dy: tfGradOutput, filter: tfFilter }, { inputShape: [128, 28, 28, 1] }),
    },
    {
      name: 'conv2d backward filter',
      flops,
      poolkit: (kernels) => kernels.conv2dBackwardFilter(input, output, gradFilter, geometry),
      tfjs: run('Conv2DBackpropFilter', { x: tfInput, dy: tfGradOutput }, { filterShape: [3, 3, 1, 32] }),
    },
  ];
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  if (wasmTrainKernels.matmul === undefined) throw new Error('bench: WebAssembly SIMD is not available');
  const wasm = wasmTrainKernels as TrainKernels;
  const dense = { m: 128, k: 5408, n: 128, transposeA: false, transposeB: false, accumulate: false };
  const workloads = [
    matmulWorkload('matmul [128x5408]·[5408x128] (dense forward)', dense),
    matmulWorkload('matmul dW = Xᵀ·dY (m 5408, k 128, n 128, transposeA)', {
      ...dense,
      m: 5408,
      k: 128,
      transposeA: true,
    }),
    matmulWorkload('matmul dX = dY·Wᵀ (m 128, k 128, n 5408, transposeB)', {
      ...dense,
      k: 128,
      n: 5408,
      transposeB: true,
    }),
    ...convWorkloads(),
  ];
  const runs = quick ? 3 : 15;
  const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
  console.log(`poolkit training kernels: median and best of ${runs} runs (peers: 1 or 2), load average ${load}`);
  console.log('GFLOP/s; cpu = process CPU time per run, all threads; ratio = other / wasm 2 threads (medians)');
  await setThreadCount(2);
  console.log(describeCores(await probeCores()));
  for (const workload of workloads) {
    const reference = time(() => workload.poolkit(referenceTrainKernels), quick ? 1 : 2, false);
    const tfjs = time(workload.tfjs, quick ? 1 : 2, !quick);
    await setThreadCount(1);
    const one = time(() => workload.poolkit(wasm), runs);
    await setThreadCount(2);
    await threadsReady();
    const two = time(() => workload.poolkit(wasm), runs);
    const line = (label: string, timing: Timing, ratio: string) => {
      const gflops = (ms: number) => (workload.flops / ms / 1e6).toFixed(1).padStart(6);
      const median = `${timing.median.toFixed(2).padStart(9)} ms ${gflops(timing.median)} GFLOP/s`;
      const best = `best ${timing.best.toFixed(2).padStart(8)} ms ${gflops(timing.best)}`;
      console.log(`  ${label.padEnd(15)}${median}   ${best}   cpu ${timing.cpu.toFixed(1).padStart(7)} ms   ${ratio}`);
    };
    console.log(`\n${workload.name}: ${(workload.flops / 1e6).toFixed(0)} MFLOP`);
    line('reference', reference, `x${(reference.median / two.median).toFixed(1)}`);
    line('tfjs-cpu', tfjs, `x${(tfjs.median / two.median).toFixed(1)}`);
    line('wasm 1 thread', one, `x${(one.median / two.median).toFixed(2)}`);
    line('wasm 2 threads', two, '');
  }
  await setThreadCount(1);
}

await main();
