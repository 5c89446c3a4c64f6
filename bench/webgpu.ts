// WebGPU pooling throughput with the data resident on the GPU: max, average and Lp(2) 2x2/2 forward
// on NHWC [32,112,112,64], beside a GPU buffer copy of the same input in the same run. GB/s counts
// the input read once and the output written once (the copy: its bytes read and written).
//   npm run bench:webgpu                                      the H200 workload
//   npm run bench:webgpu -- --shape 2,16,16,8 --rounds 3      a smoke run (SwiftShader: a CPU)
// Each output is checked against the wasm/reference kernel before timing (max bit for bit). Times
// are wall time around submits of many dispatches, the difference of two batch sizes (no timestamp
// queries: not every adapter has them).
import '../src/index.js';
import { poolGeometry } from '../src/geometry/pool-geometry.js';
import { kernel } from '../src/kernels/backend.js';
import {
  adapterName,
  DeviceRunner,
  openDevice,
  type GpuContext,
  type PreparedJob,
} from '../src/kernels/webgpu/device-runner.js';
import { createGpuKernels, type GpuKernels } from '../src/kernels/webgpu/gpu-kernels.js';
import type { GpuJob } from '../src/kernels/webgpu/params.js';
import { Tensor } from '../src/tensor/tensor.js';

const argument = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
};
const shape = argument('shape', '32,112,112,64').split(',').map(Number);
const rounds = Number(argument('rounds', '15'));
/** Dispatches per submit: one submit's latency spread over several runs. */
const DISPATCHES = Number(argument('dispatches', '20'));

const geometry = poolGeometry('bench', shape, 2, { kernelSize: 2, stride: 2 });
// Tensors in the heap, where the wasm kernels read them; held (never dropped) for the whole run, or
// the garbage collector's safety net would free their bytes under the views.
const inputTensor = Tensor.allocate(shape);
const input = inputTensor.values;
for (let index = 0; index < input.length; index++) input[index] = Math.random() * 8 - 4;
const bytesIn = input.byteLength;

/** The job a GPU kernel makes for `call`, captured instead of run. */
function jobOf(call: (kernels: GpuKernels) => void): GpuJob {
  let captured: GpuJob | null = null;
  call(createGpuKernels((_name, job) => (captured = job)));
  return captured!;
}

interface Operation {
  readonly label: string;
  readonly job: GpuJob;
  /** The tensor the job's output array views. */
  readonly output: Tensor;
  /** Largest difference from the CPU kernel, relative to its value. */
  check(output: Float32Array): number;
}

function operation(
  label: string,
  gpu: (kernels: GpuKernels, output: Float32Array) => void,
  cpu: (output: Float32Array) => void,
): Operation {
  const outputTensor = Tensor.allocate(geometry.outputShape);
  const output = outputTensor.values;
  const job = jobOf((kernels) => gpu(kernels, output));
  return {
    label,
    job,
    output: outputTensor,
    check() {
      const expectedTensor = Tensor.allocate(geometry.outputShape);
      const expected = expectedTensor.values;
      cpu(expected);
      let worst = 0;
      expected.forEach(
        (value, index) =>
          (worst = Math.max(worst, Math.abs(output[index]! - value) / Math.max(Math.abs(value), 1e-30))),
      );
      expectedTensor.dispose();
      return worst;
    },
  };
}

const divisor = { countIncludePad: false, divisorOverride: null };
const operations = [
  operation(
    'max 2x2/2',
    (k, out) => k.maxPoolForward(input, out, null, geometry),
    (out) => kernel('maxPoolForward')(input, out, null, geometry),
  ),
  operation(
    'average 2x2/2',
    (k, out) => k.avgPoolForward(input, out, geometry, divisor),
    (out) => kernel('avgPoolForward')(input, out, geometry, divisor),
  ),
  operation(
    'Lp(2) 2x2/2',
    (k, out) => k.lpPoolForward(input, out, geometry, 2),
    (out) => kernel('lpPoolForward')(input, out, geometry, 2),
  ),
];

/** Best wall seconds of one submit of `count` runs of `record`, awaited, over the rounds (2 warm-up rounds first). */
async function bestSubmit(context: GpuContext, record: (encoder: GPUCommandEncoder) => void, count: number) {
  let best = Infinity;
  for (let round = 0; round < rounds + 2; round++) {
    const encoder = context.device.createCommandEncoder();
    for (let run = 0; run < count; run++) record(encoder);
    const start = performance.now();
    context.device.queue.submit([encoder.finish()]);
    await context.device.queue.onSubmittedWorkDone();
    if (round >= 2) best = Math.min(best, (performance.now() - start) / 1000);
  }
  return best;
}

/**
 * Seconds per run of `record`: submits of 2·DISPATCHES and of DISPATCHES runs, their difference over
 * DISPATCHES, so that a submit's fixed latency cancels (the plain average where noise defeats that).
 */
async function time(context: GpuContext, record: (encoder: GPUCommandEncoder) => void): Promise<number> {
  const single = await bestSubmit(context, record, DISPATCHES);
  const double = await bestSubmit(context, record, 2 * DISPATCHES);
  return double > single ? (double - single) / DISPATCHES : double / (2 * DISPATCHES);
}

const context = await openDevice();
const runner = new DeviceRunner(context);
console.log(`webgpu bench on ${adapterName(context.adapter)}`);
console.log(
  `input [${shape.join(',')}] NHWC float32, ${(bytesIn / 1e6).toFixed(1)} MB; best of ${rounds} rounds, ${DISPATCHES} and ${2 * DISPATCHES} runs per submit`,
);
const copyTarget = context.device.createBuffer({
  size: bytesIn,
  usage: context.flags.usage.COPY_DST | context.flags.usage.STORAGE,
});
const prepared: PreparedJob[] = operations.map((item) => runner.prepare(item.job));
const source = prepared[0]!.buffers[1]!;
const copySeconds = await time(context, (encoder) => encoder.copyBufferToBuffer(source, 0, copyTarget, 0, bytesIn));
const copyRate = (2 * bytesIn) / copySeconds / 1e9;
console.log(`${'GPU buffer copy'.padEnd(16)} ${(copySeconds * 1e3).toFixed(3)} ms  ${copyRate.toPrecision(3)} GB/s`);
for (const [index, item] of operations.entries()) {
  await runner.run(item.job); // writes the output for the check
  const worst = item.check(item.job.arrays[1]!.data as Float32Array);
  const seconds = await time(context, (encoder) => runner.dispatch(encoder, prepared[index]!));
  const bytes = bytesIn + item.job.arrays[1]!.data.byteLength;
  const rate = bytes / seconds / 1e9;
  console.log(
    `${item.label.padEnd(16)} ${(seconds * 1e3).toFixed(3)} ms  ${rate.toPrecision(3)} GB/s  ${((100 * rate) / copyRate).toFixed(0)}% of copy  ` +
      `(largest relative difference from the CPU kernel: ${worst.toExponential(1)})`,
  );
}
for (const item of prepared) for (const buffer of item.buffers) buffer.destroy();
copyTarget.destroy();
context.device.destroy();
for (const tensor of [inputTensor, ...operations.map((item) => item.output)]) tensor.dispose();
