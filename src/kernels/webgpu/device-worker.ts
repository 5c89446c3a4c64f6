// The device worker (a Node worker thread or a Web Worker): owns the WebGPU device and runs the jobs the main thread posts, reading
// and writing their arrays in the shared staging buffer, then sets the control word the main thread
// waits on. Started by bridge.ts (through device-channel.ts); never imported by the library itself.
import { deviceChannel } from './device-channel.js';
import { adapterName, DeviceRunner, openDevice, type GpuContext } from './device-runner.js';
import type { GpuJob } from './params.js';
import {
  signal,
  stagedView,
  Status,
  type AllocateMessage,
  type FreeMessage,
  type JobMessage,
  type TransferMessage,
} from './protocol.js';

const { port, control } = await deviceChannel();
/** Held for the worker's life: Dawn must not lose its instance or adapter to the garbage collector. */
let context: GpuContext | null = null;
let lost: string | null = null;

function stagedJob(message: JobMessage): GpuJob {
  const arrays = message.arrays.map((array) => {
    const resident = array.resident === undefined ? {} : { resident: array.resident };
    return { data: stagedView(message.staging, array), role: array.role, ...resident };
  });
  const { shader, params, work, bindings, then } = message;
  return { shader, params, arrays, work, ...(bindings && { bindings }), ...(then && { then }) };
}

try {
  context = await openDevice();
  const kept = context;
  void kept.device.lost.then((info) => (lost = `device lost (${info.reason}): ${info.message}`));
  const runner = new DeviceRunner(kept);
  const limits = kept.device.limits;
  port.postMessage({
    type: 'ready',
    adapter: adapterName(kept.adapter),
    limits: { maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize, maxBufferSize: limits.maxBufferSize },
  });
  port.on('message', (message: JobMessage | TransferMessage | FreeMessage | AllocateMessage | { type: 'close' }) => {
    if (message.type === 'close') {
      kept.device.destroy();
      port.close();
      return;
    }
    if (message.type === 'free') return runner.free(message.id);
    if (message.type === 'allocate') return runner.allocate(message.id, message.bytes);
    const { sequence } = message;
    if (lost !== null) return signal(control, sequence, Status.failed, lost);
    const done =
      message.type === 'job'
        ? runner.run(stagedJob(message))
        : runner.transfer(
            message.type,
            message.id,
            stagedView(message.staging, { ...message.array, resident: undefined }),
          );
    done.then(
      () => signal(control, sequence, Status.done),
      (error: unknown) =>
        signal(control, sequence, Status.failed, error instanceof Error ? error.message : String(error)),
    );
  });
} catch (error) {
  port.postMessage({ type: 'failed', reason: error instanceof Error ? error.message : String(error) });
}
