// Stability probe for Dawn (the npm package `webgpu`) under SwiftShader: one process runs a
// pattern of buffer creation, submission, waiting and read-back, checks the result, and exits.
// Run it many times (scripts/webgpu-probe-loop.sh) to tell stable usage from crashing usage.
//   node scripts/webgpu-probe.mjs <pattern> [megabytes] [rounds]
// Patterns: see `patterns` below. Exit 0 and "ok" when every read-back is exact.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
const [pattern = 'careful', megabytesText = '16', roundsText = '8'] = process.argv.slice(2);
const elements = (Number(megabytesText) * 1024 * 1024) / 4;
const rounds = Number(roundsText);

const shader = `
@group(0) @binding(0) var<storage, read> source: array<f32>;
@group(0) @binding(1) var<storage, read_write> destination: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = id.x + id.y * groups.x * 256u;
  if (index < arrayLength(&destination)) { destination[index] = source[index] * 2.0 + 1.0; }
}`;

// Keep the instance referenced: when the garbage collector frees it, Dawn keeps processing events on
// the freed instance (a use-after-free: the futex errors, mutex assertions and segfaults seen before).
const gpu = create([]);
const adapter = await gpu.requestAdapter();
globalThis.keptAlive = { gpu, adapter };
if (adapter === null) throw new Error('no adapter');
const device = await adapter.requestDevice({
  requiredLimits: pattern.includes('limits') ? { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 30 } : {},
});
let lost = null;
device.lost.then((info) => (lost = info));
device.addEventListener('uncapturederror', (event) => console.error('uncaptured', event.error.message));
const pipeline = device.createComputePipeline({
  layout: 'auto',
  compute: { module: device.createShaderModule({ code: shader }), entryPoint: 'main' },
});

function storage(size) {
  return device.createBuffer({
    size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
}

function dispatch(encoder, source, target) {
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: source } },
        { binding: 1, resource: { buffer: target } },
      ],
    }),
  );
  const groups = Math.ceil(elements / 256);
  const x = Math.min(groups, 65535);
  pass.dispatchWorkgroups(x, Math.ceil(groups / x));
  pass.end();
}

/** Copies `bytes` of `buffer` to a fresh MAP_READ buffer, maps it, copies out, unmaps, destroys it. */
async function readBack(buffer, bytes) {
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const copy = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return copy;
}

const input = new Float32Array(elements);
for (let index = 0; index < elements; index++) input[index] = (index % 1000) - 500;
const source = storage(elements * 4);
device.queue.writeBuffer(source, 0, input);
const targets = [storage(elements * 4), storage(elements * 4)];
let mismatches = 0;
for (let round = 0; round < rounds; round++) {
  // Several command buffers per round, as a timing loop or a training step makes.
  const submits = pattern.includes('single') ? 1 : 4;
  for (let submit = 0; submit < submits; submit++) {
    const encoder = device.createCommandEncoder();
    dispatch(encoder, source, targets[submit % 2]);
    device.queue.submit([encoder.finish()]);
  }
  if (pattern.includes('done')) await device.queue.onSubmittedWorkDone();
  const bytes = pattern.includes('tiny') ? 4 : elements * 4;
  const result = await readBack(targets[(submits - 1) % 2], bytes);
  for (let index = 0; index < result.length; index++) if (result[index] !== input[index] * 2 + 1) mismatches++;
  if (pattern.includes('churn')) {
    // Make and destroy buffers every round, as ops that allocate outputs do.
    const scratch = storage(elements * 4);
    const encoder = device.createCommandEncoder();
    dispatch(encoder, source, scratch);
    device.queue.submit([encoder.finish()]);
    if (pattern.includes('eager')) scratch.destroy();
    else await device.queue.onSubmittedWorkDone().then(() => scratch.destroy());
  }
}
for (const buffer of [source, ...targets]) buffer.destroy();
if (pattern.includes('nodestroy')) {
  // leave the device to process exit
} else {
  await device.queue.onSubmittedWorkDone();
  device.destroy();
}
console.log(mismatches === 0 && lost === null ? 'ok' : `mismatches ${mismatches} lost ${lost?.message}`);
if (pattern.includes('exit')) process.exit(mismatches === 0 ? 0 : 1);
