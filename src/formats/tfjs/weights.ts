// TensorFlow.js's weights manifest: groups of weight specs ({name, shape, dtype, quantization?}),
// each group's values concatenated over its shard files. Reading checks the manifest whole and
// dequantizes (uint8/uint16: q·scale + min; float16) into float32; writing is one float32 shard.
import { failFile } from '../../io/file-error.js';
import type { NamedWeights } from '../../io/weights.js';
import { MAX_ALLOCATION_BYTES } from '../../tensor/heap.js';

export interface TfjsQuantization {
  readonly dtype: 'uint8' | 'uint16' | 'float16';
  readonly scale?: number;
  readonly min?: number;
  readonly original_dtype?: string;
}

export interface TfjsWeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  /** 'optimizer' marks the optimizer's own state, which tfjs-layers saves beside the model's weights. */
  readonly group?: string;
  readonly quantization?: TfjsQuantization;
}

export interface TfjsManifestGroup {
  readonly paths: readonly string[];
  readonly weights: readonly TfjsWeightSpec[];
}

/** A spec with where its bytes lie in its group's concatenated shards. */
export interface PlacedSpec extends TfjsWeightSpec {
  readonly groupIndex: number;
  readonly offset: number;
  readonly byteLength: number;
}

const BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** The byte width of one stored element of a spec (its quantized type when quantized). */
function elementBytes(spec: TfjsWeightSpec, file: string): number {
  const stored = spec.quantization?.dtype ?? spec.dtype;
  const width = BYTES[stored];
  if (width === undefined)
    failFile(
      file,
      `weight '${spec.name}' has dtype '${stored}'; TensorFlow.js weights poolkit reads are float32, int32, bool or quantized uint8/uint16/float16`,
    );
  return width;
}

function checkSpec(value: unknown, file: string): TfjsWeightSpec {
  const spec = value as Partial<TfjsWeightSpec> | null;
  if (spec === null || typeof spec !== 'object' || typeof spec.name !== 'string' || typeof spec.dtype !== 'string')
    failFile(file, `has a weight spec that is not {name, shape, dtype}: ${JSON.stringify(value)?.slice(0, 120)}`);
  const shape = spec.shape;
  if (!Array.isArray(shape) || shape.some((extent) => !Number.isSafeInteger(extent) || extent < 0))
    failFile(file, `weight '${spec.name}' has shape ${JSON.stringify(shape)}, not a list of non-negative integers`);
  const quantization = spec.quantization;
  if (quantization !== undefined) {
    const original = quantization.original_dtype ?? 'float32';
    if (!['uint8', 'uint16', 'float16'].includes(quantization.dtype) || original !== 'float32')
      failFile(
        file,
        `weight '${spec.name}' is quantized as ${JSON.stringify(quantization)}; poolkit reads uint8, uint16 and float16 quantization of float32 weights`,
      );
    if (quantization.dtype !== 'float16' && !(Number.isFinite(quantization.scale) && Number.isFinite(quantization.min)))
      failFile(file, `weight '${spec.name}' is quantized without a finite scale and min`);
  }
  return spec as TfjsWeightSpec;
}

/** The manifest checked, each spec placed in its group's bytes; `file` names model.json. */
export function placeManifest(manifest: unknown, file: string): { groups: TfjsManifestGroup[]; specs: PlacedSpec[] } {
  if (!Array.isArray(manifest)) failFile(file, 'weightsManifest must be a list of {paths, weights} groups');
  const specs: PlacedSpec[] = [];
  const groups = manifest.map((entry: Partial<TfjsManifestGroup> | null, groupIndex) => {
    const paths = entry?.paths;
    if (!Array.isArray(paths) || paths.length === 0 || paths.some((path) => typeof path !== 'string'))
      failFile(file, `weightsManifest[${groupIndex}].paths must list the group's shard files`);
    if (!Array.isArray(entry!.weights)) failFile(file, `weightsManifest[${groupIndex}].weights must be a list`);
    let offset = 0;
    const weights = entry!.weights.map((value) => {
      const spec = checkSpec(value, file);
      const count = spec.shape.reduce((total, extent) => total * extent, 1);
      const byteLength = count * elementBytes(spec, file);
      if (byteLength > MAX_ALLOCATION_BYTES)
        failFile(file, `weight '${spec.name}' of shape [${spec.shape.join(', ')}] is too large for memory`);
      specs.push({ ...spec, groupIndex, offset, byteLength });
      offset += byteLength;
      return spec;
    });
    return { paths, weights };
  });
  return { groups, specs };
}

/** Bytes a group's shards must hold together. */
export function groupByteLength(specs: readonly PlacedSpec[], groupIndex: number): number {
  return specs.filter((spec) => spec.groupIndex === groupIndex).reduce((total, spec) => total + spec.byteLength, 0);
}

function halfToFloat(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** A float32 weight's values from its group's bytes, dequantized where it is quantized. */
export function readSpec(spec: PlacedSpec, bytes: Uint8Array, file: string): NamedWeights {
  if (spec.dtype !== 'float32') failFile(file, `weight '${spec.name}' is ${spec.dtype}; poolkit's weights are float32`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + spec.offset, spec.byteLength);
  const count = spec.byteLength / elementBytes(spec, file);
  const values = new Float32Array(count);
  const quantization = spec.quantization;
  for (let index = 0; index < count; index++) {
    if (quantization === undefined) values[index] = view.getFloat32(index * 4, true);
    else if (quantization.dtype === 'float16') values[index] = halfToFloat(view.getUint16(index * 2, true));
    else {
      const stored = quantization.dtype === 'uint8' ? view.getUint8(index) : view.getUint16(index * 2, true);
      values[index] = stored * quantization.scale! + quantization.min!;
    }
  }
  return { name: spec.name, shape: spec.shape, values };
}

/** Named float32 weights as one group of one shard (`path`) and its bytes, in the order given. */
export function encodeTfjsWeights(
  weights: readonly NamedWeights[],
  path: string,
): { manifest: TfjsManifestGroup[]; bytes: Uint8Array } {
  const bytes = new Uint8Array(weights.reduce((total, weight) => total + weight.values.length * 4, 0));
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const { values } of weights) {
    for (const value of values) {
      view.setFloat32(offset, value, true);
      offset += 4;
    }
  }
  const specs = weights.map(({ name, shape }) => ({ name, shape: [...shape], dtype: 'float32' }));
  return { manifest: [{ paths: [path], weights: specs }], bytes };
}
