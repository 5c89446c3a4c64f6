/// <reference types="@webgpu/types" />
// Runs GPU jobs (params.ts) on one WebGPU device: compiles each shader once, uploads the job's
// arrays, dispatches, reads back what the job writes, and destroys its buffers. One job at a time,
// one submit per job, awaited through the read-back: the usage that stays stable on Dawn.
import { jobSteps, Param, type GpuJob, type JobStep } from './params.js';
import { WORKGROUP_SIZE } from './shader-common.js';
import { shaders } from './shaders.js';

/** Most workgroups per dispatch dimension WebGPU guarantees. */
const MAX_GROUPS_PER_DIMENSION = 65535;

/** WebGPU's usage and map-mode flags: globals in browsers, from the `webgpu` package in Node. */
export interface GpuFlags {
  readonly usage: { STORAGE: number; COPY_SRC: number; COPY_DST: number; MAP_READ: number };
  readonly mapRead: number;
}

/** What keeps a device usable: Dawn frees the device's instance when nothing holds it (a crash). */
export interface GpuContext {
  readonly entry: unknown;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly flags: GpuFlags;
}

/** Why a job cannot run on this device (too large for its limits), or null when it can. */
export function jobRefusal(
  job: GpuJob,
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number },
): string | null {
  const steps = jobSteps(job);
  const largest = Math.max(
    ...steps.map((step) => step.params.byteLength),
    ...job.arrays.map((array) => array.data.byteLength),
  );
  if (largest > Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)) {
    return `an array of ${largest} bytes exceeds the device's storage binding limit`;
  }
  if (steps.some((step) => step.work === 0) || job.arrays.some((array) => array.data.length === 0))
    return 'an empty array';
  if (steps.some((step) => Math.ceil(step.work / WORKGROUP_SIZE) > MAX_GROUPS_PER_DIMENSION ** 2))
    return 'too many invocations';
  return null;
}

/** One dispatch of a prepared job: its pipeline, bound, and its workgroups (x, y). */
export interface PreparedStep {
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly groups: readonly [number, number];
}

/** A job's buffers on the device (buffers[0]: the first step's params, then one per array) and its steps, ready to dispatch any number of times. */
export interface PreparedJob {
  readonly buffers: readonly GPUBuffer[];
  readonly steps: readonly PreparedStep[];
  /** The later steps' parameter buffers. */
  readonly stepParams: readonly GPUBuffer[];
}

export class DeviceRunner {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  /** Buffers that outlive jobs (resident tensors), by the id the main thread gave them. */
  private readonly resident = new Map<number, GPUBuffer>();

  constructor(readonly context: GpuContext) {}

  /** Runs `job` and writes its 'write' and 'readWrite' arrays in place. */
  async run(job: GpuJob): Promise<void> {
    const { device, flags } = this.context;
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    const prepared = this.prepare(job);
    const encoder = device.createCommandEncoder();
    this.dispatch(encoder, prepared);
    const readBacks = job.arrays.flatMap((array, index) => {
      if (array.role === 'read' || array.role === 'device' || array.resident !== undefined) return [];
      const source = prepared.buffers[index + 1]!;
      const staging = device.createBuffer({ size: source.size, usage: flags.usage.MAP_READ | flags.usage.COPY_DST });
      encoder.copyBufferToBuffer(source, 0, staging, 0, staging.size);
      return [{ staging, data: array.data }];
    });
    device.queue.submit([encoder.finish()]);
    try {
      const errors = [await device.popErrorScope(), await device.popErrorScope()];
      const error = errors.find((found) => found !== null);
      if (error) throw new Error(`poolkit: WebGPU rejected shader '${job.shader}': ${error.message}`);
      for (const { staging, data } of readBacks) {
        await staging.mapAsync(flags.mapRead);
        const bytes = new Uint8Array(staging.getMappedRange(), 0, data.byteLength);
        new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
        staging.unmap();
      }
    } finally {
      for (const { staging } of readBacks) staging.destroy();
      const owned = prepared.buffers.filter((_, index) => job.arrays[index - 1]?.resident === undefined);
      for (const buffer of [...owned, ...prepared.stepParams]) buffer.destroy();
    }
  }

  /** 'upload': a resident buffer `id` holding `data`; 'read': buffer `id`'s bytes copied into `data`. */
  async transfer(direction: 'upload' | 'read', id: number, data: Float32Array | Int32Array): Promise<void> {
    if (direction === 'upload') {
      this.resident.set(id, this.storage(data, true));
      return;
    }
    const { device, flags } = this.context;
    const source = this.residentBuffer(id);
    const staging = device.createBuffer({ size: source.size, usage: flags.usage.MAP_READ | flags.usage.COPY_DST });
    try {
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(source, 0, staging, 0, staging.size);
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(flags.mapRead);
      const bytes = new Uint8Array(staging.getMappedRange(), 0, data.byteLength);
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
      staging.unmap();
    } finally {
      staging.destroy();
    }
  }

  /** A zero-filled resident buffer `id` of `bytes` bytes (WebGPU zero-fills new buffers). */
  allocate(id: number, bytes: number): void {
    this.resident.set(id, this.storage(new Float32Array(Math.ceil(bytes / 4)), false));
  }

  /** Destroys resident buffer `id` (a no-op for an unknown id). */
  free(id: number): void {
    this.resident.get(id)?.destroy();
    this.resident.delete(id);
  }

  private residentBuffer(id: number): GPUBuffer {
    const buffer = this.resident.get(id);
    if (buffer === undefined) throw new Error(`poolkit: no resident GPU buffer ${id} (freed, or the device restarted)`);
    return buffer;
  }

  /** Uploads the job's parameters and the arrays it reads; buffers[0] is params, then one per array. */
  prepare(job: GpuJob): PreparedJob {
    const arrays = job.arrays.map((array) =>
      array.resident !== undefined
        ? this.residentBuffer(array.resident)
        : this.storage(array.data, array.role === 'read' || array.role === 'readWrite'),
    );
    const steps = jobSteps(job);
    const paramBuffers = steps.map((step) => this.storage(this.stepParameters(step), true));
    const prepared = steps.map((step, index) => this.prepareStep(step, paramBuffers[index]!, arrays));
    return { buffers: [paramBuffers[0]!, ...arrays], steps: prepared, stepParams: paramBuffers.slice(1) };
  }

  /** Records one run of a prepared job: its steps in order, each in a pass of its own. */
  dispatch(encoder: GPUCommandEncoder, prepared: PreparedJob): void {
    for (const step of prepared.steps) {
      const pass = encoder.beginComputePass();
      pass.setPipeline(step.pipeline);
      pass.setBindGroup(0, step.bindGroup);
      pass.dispatchWorkgroups(...step.groups);
      pass.end();
    }
  }

  /** The step's parameters with its invocation count and row width (workgroups in x) written in. */
  private stepParameters(step: JobStep): Int32Array {
    const params = step.params.slice();
    params[Param.work] = step.work;
    params[Param.threadsPerRow] = this.groupsOf(step.work)[0] * WORKGROUP_SIZE;
    return params;
  }

  /** Workgroups along x (at most 65535) and y for `work` invocations. */
  private groupsOf(work: number): [number, number] {
    const groups = Math.ceil(work / WORKGROUP_SIZE);
    const groupsX = Math.min(groups, MAX_GROUPS_PER_DIMENSION);
    return [groupsX, Math.ceil(groups / groupsX)];
  }

  private prepareStep(step: JobStep, params: GPUBuffer, arrays: readonly GPUBuffer[]): PreparedStep {
    const pipeline = this.pipeline(step.shader);
    const buffers = [params, ...step.bindings.map((index) => arrays[index]!)];
    const entries = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
    const bindGroup = this.context.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    return { pipeline, bindGroup, groups: this.groupsOf(step.work) };
  }

  /** A storage buffer the size of `data` (rounded up to 4 bytes), holding a copy of it when `upload`. */
  private storage(data: Float32Array | Int32Array, upload: boolean): GPUBuffer {
    const { device, flags } = this.context;
    const size = Math.max(4, Math.ceil(data.byteLength / 4) * 4);
    const usage = flags.usage.STORAGE | flags.usage.COPY_SRC | flags.usage.COPY_DST;
    // Mapped at creation rather than queue.writeBuffer: Dawn's writeBuffer refuses shared memory.
    const buffer = device.createBuffer({ size, usage, mappedAtCreation: upload });
    if (upload) {
      new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      buffer.unmap();
    }
    return buffer;
  }

  private pipeline(name: string): GPUComputePipeline {
    let pipeline = this.pipelines.get(name);
    if (pipeline === undefined) {
      const source = shaders[name];
      if (source === undefined) throw new Error(`poolkit: no WebGPU shader named '${name}'`);
      const module = this.context.device.createShaderModule({ code: source() });
      pipeline = this.context.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.pipelines.set(name, pipeline);
    }
    return pipeline;
  }
}

/**
 * A device: navigator.gpu in browsers, else the npm package `webgpu` (Dawn) loaded now. Throws
 * with the reason when neither gives an adapter. Limits: the adapter's, up to 1 GiB per buffer.
 */
export async function openDevice(): Promise<GpuContext> {
  const browserGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  let entry: GPU;
  let flags: GpuFlags;
  if (browserGpu !== undefined) {
    entry = browserGpu;
    flags = { usage: GPUBufferUsage, mapRead: GPUMapMode.READ };
  } else {
    const specifier = 'webgpu';
    const dawn = (await import(/* @vite-ignore */ specifier)) as {
      create(options: string[]): GPU;
      globals: { GPUBufferUsage: GpuFlags['usage']; GPUMapMode: { READ: number } };
    };
    entry = dawn.create([]);
    flags = { usage: dawn.globals.GPUBufferUsage, mapRead: dawn.globals.GPUMapMode.READ };
  }
  const adapter = await entry.requestAdapter();
  if (adapter === null) throw new Error('no WebGPU adapter (no GPU, or no Vulkan/Metal/D3D12 driver Dawn can use)');
  const wanted = Math.min(adapter.limits.maxStorageBufferBindingSize, adapter.limits.maxBufferSize, 1 << 30);
  const device = await adapter.requestDevice({
    requiredLimits: { maxStorageBufferBindingSize: wanted, maxBufferSize: wanted, maxStorageBuffersPerShaderStage: 8 },
  });
  return { entry, adapter, device, flags };
}

/** The adapter's vendor, architecture, device and description, as far as WebGPU reports them. */
export function adapterName(adapter: GPUAdapter): string {
  // GPUAdapter.info is newer than some type packages.
  const info = (
    adapter as unknown as { info?: Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>> }
  ).info;
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : 'an unnamed adapter';
}
