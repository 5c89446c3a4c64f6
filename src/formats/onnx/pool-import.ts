// ONNX pooling attributes → a poolkit pooling layer's config, with ONNX's exact semantics: strides
// default to 1 (not to the window), pads list begins then ends, SAME_UPPER puts the odd pad after
// (TensorFlow's SAME) and SAME_LOWER before, ceil_mode rounds up but drops a window that would start
// in the right padding, and auto_pad SAME ignores ceil_mode (as ONNX Runtime does).
import type { SpatialDims } from '../../geometry/layout.js';
import { poolGeometry } from '../../geometry/pool-geometry.js';
import type { ConfigValue } from '../../nn/layer.js';
import type { OnnxImportNode, OnnxImportResult } from './kind-hook.js';
import { windowAxes } from './pool-window.js';

const AUTO_PADS = ['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'];

/** The spatial rank of a node's input [batch, channels, ...spatial]: 1, 2 or 3. */
export function importRank(node: OnnxImportNode): SpatialDims {
  const rank = node.inputShape.length - 2;
  if (rank < 1 || rank > 3)
    node.refuse(`needs an input of rank 3 to 5 (1 to 3 spatial axes), not ${node.inputShape.length}`);
  return rank as SpatialDims;
}

function listOf(node: OnnxImportNode, attribute: string, length: number, fallback: number, minimum: number): number[] {
  const values = node.ints(attribute, Array<number>(length).fill(fallback));
  if (values.length !== length || values.some((value) => !Number.isSafeInteger(value) || value < minimum))
    node.refuse(`${attribute} must hold ${length} integers of at least ${minimum}, got [${values.join(', ')}]`);
  return values;
}

/** A window's sizes as ONNX gives them, poolkit's padding config, and its ceil mode. */
export interface ImportedWindow {
  readonly kernel: number[];
  readonly strides: number[];
  readonly dilations: number[];
  /** 'valid', 'same' (SAME_UPPER), or [begin, end] per axis (explicit pads, SAME_LOWER). */
  readonly padding: ConfigValue;
  /** ceil_mode = 1 without auto_pad SAME (which ignores it). */
  readonly ceilMode: boolean;
}

/** The padding config of a window: 'valid', 'same', or [begin, end] per axis. */
function paddingOf(node: OnnxImportNode, rank: SpatialDims, autoPad: string, window: ImportedWindow): ConfigValue {
  if (autoPad === 'VALID') return 'valid';
  if (autoPad === 'SAME_UPPER') return 'same';
  if (autoPad === 'SAME_LOWER') {
    // TensorFlow's SAME split puts the odd pad after; SAME_LOWER is the same amounts swapped.
    const shape = node.inputShape.map((extent) => Math.max(1, extent));
    const options = {
      kernelSize: window.kernel,
      stride: window.strides,
      dilation: window.dilations,
      padding: 'same' as const,
    };
    const axes = windowAxes(poolGeometry(node.name, shape, rank, { ...options, dataFormat: 'channelsFirst' }), rank);
    return axes.padBegin.map((begin, axis) => [axes.padEnd[axis]!, begin]);
  }
  const pads = listOf(node, 'pads', 2 * rank, 0, 0);
  if (pads.every((pad) => pad === 0)) return 'valid';
  return pads.slice(0, rank).map((begin, axis) => [begin, pads[rank + axis]!]);
}

/** The window of a pooling or convolution node; `kernel` is its kernel_shape (a Conv's from its weights). */
export function windowImport(node: OnnxImportNode, rank: SpatialDims, kernel: readonly number[]): ImportedWindow {
  const given = node.ints('kernel_shape', [...kernel]);
  if (given.length !== rank || given.some((size, axis) => size !== kernel[axis] || !(size >= 1)))
    node.refuse(
      `kernel_shape must hold ${rank} positive sizes (one per spatial axis${kernel.length > 0 ? ', as the weights have' : ''}), got [${given.join(', ')}]`,
    );
  const autoPad = node.string('auto_pad', 'NOTSET');
  if (!AUTO_PADS.includes(autoPad)) node.refuse(`auto_pad must be one of ${AUTO_PADS.join(', ')}, got '${autoPad}'`);
  const ceilMode = node.int('ceil_mode', 0);
  if (ceilMode !== 0 && ceilMode !== 1) node.refuse(`ceil_mode must be 0 or 1, got ${ceilMode}`);
  const window = {
    kernel: given,
    strides: listOf(node, 'strides', rank, 1, 1),
    dilations: listOf(node, 'dilations', rank, 1, 1),
    padding: 'valid',
    // With auto_pad SAME the output size is ceil(in / stride) whatever ceil_mode says (ONNX Runtime).
    ceilMode: ceilMode === 1 && !autoPad.startsWith('SAME'),
  };
  return { ...window, padding: paddingOf(node, rank, autoPad, window) };
}

/** A sliding-window pooling node (MaxPool, AveragePool, LpPool) → poolSize, strides, padding, dilation, ceilMode. */
export function slidingImport(node: OnnxImportNode): OnnxImportResult {
  const rank = importRank(node);
  const kernel = node.ints('kernel_shape', null);
  const window = windowImport(node, rank, kernel.length === rank ? kernel : []);
  const storageOrder = node.int('storage_order', 0);
  if (storageOrder !== 0 && storageOrder !== 1) node.refuse(`storage_order must be 0 or 1, got ${storageOrder}`);
  const { strides, dilations: dilation, padding, ceilMode } = window;
  return { rank, config: { poolSize: window.kernel, strides, padding, dilation, ceilMode } };
}

/** LpPool's and GlobalLpPool's p: an integer of at least 1 (ONNX's attribute is an int). */
export function powerImport(node: OnnxImportNode): number {
  const p = node.int('p', 2);
  if (p < 1) node.refuse(`p must be at least 1, got ${p}`);
  return p;
}

/** A global pooling node: the rank from its input; ONNX keeps the spatial axes as size 1. */
export function globalImport(
  node: OnnxImportNode,
  extra: Readonly<Record<string, ConfigValue>> = {},
): OnnxImportResult {
  return { rank: importRank(node), config: { keepDims: true, ...extra } };
}
