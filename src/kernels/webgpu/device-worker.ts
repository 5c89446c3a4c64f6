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
  // Messages run one after another in the order they came: a queued job (nothing waits for it), a
  // free or an allocation must not overtake the jobs before it, nor a job's error scopes mix with
  // another's. A queued job's failure is reported with the next answer.
  let queue: Promise<void> = Promise.resolve();
  let queuedFailure: string | null = null;
  const answer = async (message: JobMessage | TransferMessage): Promise<void> => {
    const { sequence } = message;
    try {
      if (lost !== null) throw new Error(lost);
      await (message.type === 'job'
        ? runner.run(stagedJob(message))
        : runner.transfer(
            message.type,
            message.id,
            stagedView(message.staging, { ...message.array, resident: undefined }),
          ));
      if (sequence === 0) return;
      if (queuedFailure !== null) signal(control, sequence, Status.failed, queuedFailure);
      else signal(control, sequence, Status.done);
      queuedFailure = null;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (sequence !== 0) {
        signal(control, sequence, Status.failed, queuedFailure ?? reason);
        queuedFailure = null;
      } else queuedFailure ??= `poolkit: a queued GPU job ('${(message as JobMessage).shader}') failed: ${reason}`;
    }
  };
  port.on('message', (message: JobMessage | TransferMessage | FreeMessage | AllocateMessage | { type: 'close' }) => {
    queue = queue
      .then(() => {
        if (message.type === 'close') {
          kept.device.destroy();
          port.close();
          return;
        }
        if (message.type === 'free') return runner.free(message.id);
        if (message.type === 'allocate') return runner.allocate(message.id, message.bytes);
        return answer(message);
      })
      .catch((error: unknown) => {
        // A free or an allocation that threw: the next answer reports it, and the queue goes on.
        queuedFailure ??= `poolkit: ${message.type} failed: ${error instanceof Error ? error.message : String(error)}`;
      });
  });
} catch (error) {
  port.postMessage({ type: 'failed', reason: error instanceof Error ? error.message : String(error) });
}
