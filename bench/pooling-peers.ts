// The contenders of the pooling benchmark, each behind one interface: poolkit on a backend and a
// thread count, TensorFlow.js on its wasm and cpu backends, and ONNX Runtime (CPU). Each prepares
// its own copy of the same input values, then runs one workload operation per call.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import {
  avgPool2d,
  lpPool2d,
  maxPool2d,
  poolGeometry,
  setBackend,
  setThreadCount,
  tensor,
  threadsReady,
  type Tensor,
} from '../src/index.js';
import { kernel } from '../src/kernels/backend.js';
import { poolingOpToOnnx } from '../src/formats/onnx/export-pooling.js';

export type Operation = 'max' | 'avg' | 'lp2' | 'maxBackward' | 'avgBackward';
export const OPERATIONS: readonly Operation[] = ['max', 'avg', 'lp2', 'maxBackward', 'avgBackward'];

export interface Workload {
  readonly label: string;
  /** NHWC. */
  readonly shape: readonly [number, number, number, number];
  readonly kernel: number;
  readonly stride: number;
  readonly padding: 'valid' | 'same';
}

/** The workload as poolkit's pooling options. */
export function poolOptions(workload: Workload): { kernelSize: number; stride: number; padding: 'valid' | 'same' } {
  return { kernelSize: workload.kernel, stride: workload.stride, padding: workload.padding };
}

/** One contender on one workload: run(operation) does the work once; null = not offered. */
export interface Runner {
  run(operation: Operation): Promise<void> | void;
  supports(operation: Operation): boolean;
  dispose(): void;
}

export interface Contender {
  readonly name: string;
  prepare(workload: Workload, values: Float32Array): Promise<Runner>;
}

/**
 * poolkit through its public ops (forward) and the kernels the ops' backward steps call. The
 * thread count is the caller's to set before timing (it is global, and changing it restarts workers).
 */
export function poolkitContender(name: string, backend: 'reference' | 'wasm', threads: number): Contender {
  return {
    name,
    async prepare(workload, values) {
      setBackend(backend);
      await setThreadCount(threads);
      await threadsReady();
      const options = poolOptions(workload);
      const input = tensor(values, workload.shape);
      const { output, indices } = maxPool2d(input, { ...options, returnIndices: true });
      const geometry = poolGeometry('bench', workload.shape, 2, options);
      const divisor = { countIncludePad: false, divisorOverride: null };
      const gradInput = input.clone();
      const run = (operation: Operation): void => {
        setBackend(backend); // contenders are timed in turn; the thread count is set by the caller
        if (operation === 'maxBackward') {
          kernel('maxPoolBackward')(output.values, indices.intValues, gradInput.values, geometry);
        } else if (operation === 'avgBackward') {
          kernel('avgPoolBackward')(output.values, gradInput.values, geometry, divisor);
        } else {
          const result: Tensor =
            operation === 'max'
              ? maxPool2d(input, options)
              : operation === 'avg'
                ? avgPool2d(input, options)
                : lpPool2d(input, { ...options, p: 2 });
          result.dispose();
        }
      };
      return {
        run,
        supports: () => true,
        dispose: () => [input, output, indices, gradInput].forEach((item) => item.dispose()),
      };
    },
  };
}

/** TensorFlow.js on one backend: forward ops, and the MaxPoolGrad / AvgPoolGrad kernels. */
export function tfjsContender(name: string, backend: 'wasm' | 'cpu'): Contender {
  return {
    name,
    async prepare(workload, values) {
      await tf.setBackend(backend);
      await tf.ready();
      const { kernel: size, stride, padding } = workload;
      const input = tf.tensor4d(values, [...workload.shape]);
      const output = tf.maxPool(input, size, stride, padding);
      const attributes = { filterSize: size, strides: stride, pad: padding };
      const run = async (operation: Operation): Promise<void> => {
        if (tf.getBackend() !== backend) await tf.setBackend(backend); // contenders are timed in turn
        tf.tidy(() => {
          if (operation === 'max') tf.maxPool(input, size, stride, padding);
          else if (operation === 'avg') tf.avgPool(input, size, stride, padding);
          else if (operation === 'maxBackward') {
            const grad = tf.engine().runKernel('MaxPoolGrad', { dy: output, input, output }, attributes);
            void grad;
          } else {
            const grad = tf.engine().runKernel('AvgPoolGrad', { dy: output, input }, attributes);
            void grad;
          }
        });
      };
      return {
        run,
        supports: (operation) => operation !== 'lp2', // TensorFlow has no Lp pooling
        dispose: () => tf.dispose([input, output]),
      };
    },
  };
}

/** ONNX Runtime (CPU) on the same values laid out NCHW, as ONNX pooling requires; forward only. */
export function onnxContender(name: string, threads: number): Contender {
  return {
    name,
    async prepare(workload, values) {
      const [batch, height, width, channels] = workload.shape;
      const nchw = toChannelsFirst(values, workload.shape);
      const inputShape = [batch, channels, height, width];
      const sessions = new Map<Operation, ort.InferenceSession>();
      // One pooling node each, written by poolkit's ONNX exporter from the kind's own hook (NCHW: ONNX's layout).
      const kinds: [Operation, string, Record<string, unknown>][] = [
        ['max', 'max', {}],
        ['avg', 'average', {}],
        ['lp2', 'lp', { p: 2 }],
      ];
      for (const [operation, kind, extra] of kinds) {
        const options = { ...poolOptions(workload), ...extra, dataFormat: 'channelsFirst' };
        const model = poolingOpToOnnx({ kind, rank: 2, options, inputShape });
        sessions.set(operation, await ort.InferenceSession.create(model, { intraOpNumThreads: threads }));
      }
      const feeds = { x: new ort.Tensor('float32', nchw, inputShape) };
      return {
        async run(operation) {
          const results = await sessions.get(operation)!.run(feeds);
          results.y!.dispose();
        },
        supports: (operation) => sessions.has(operation),
        dispose: () => sessions.forEach((session) => void session.release()),
      };
    },
  };
}

function toChannelsFirst(values: Float32Array, shape: readonly number[]): Float32Array {
  const [batch, height, width, channels] = shape as [number, number, number, number];
  const result = new Float32Array(values.length);
  const plane = height * width;
  for (let sample = 0; sample < batch; sample++) {
    for (let cell = 0; cell < plane; cell++) {
      const from = (sample * plane + cell) * channels;
      for (let channel = 0; channel < channels; channel++) {
        result[(sample * channels + channel) * plane + cell] = values[from + channel]!;
      }
    }
  }
  return result;
}
