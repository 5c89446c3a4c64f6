// An ONNX graph under construction, as plain objects: nodes, initializers, inputs and outputs with
// unique names. No protobuf here (encode.ts serialises it), so the pooling kinds' export hooks can
// build nodes without loading the protobuf library into every poolkit bundle.

/** ONNX's TensorProto.DataType numbers for the element types poolkit writes. */
export const ONNX_FLOAT = 1;
export const ONNX_INT32 = 6;
export const ONNX_INT64 = 7;
/** Cast's target for masks (no initializer is written as bool). */
export const ONNX_BOOL = 9;

export type ElementType = typeof ONNX_FLOAT | typeof ONNX_INT32 | typeof ONNX_INT64;

/** A float attribute (an integer-valued number alone would be written as an int). */
export interface FloatAttribute {
  readonly float: number;
}

/** An attribute value: an int, a string, a list of ints, or a float. */
export type AttributeValue = number | string | readonly number[] | FloatAttribute;

export interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

export interface OnnxInitializer {
  readonly name: string;
  readonly type: ElementType;
  readonly shape: readonly number[];
  /** float32 values for ONNX_FLOAT, whole numbers for the integer types. */
  readonly values: Float32Array | readonly number[];
}

/** A graph input or output: its element type and shape, null standing for an unnamed dynamic extent. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly type: ElementType;
  readonly shape: readonly (number | string | null)[];
}

/** Wraps a number so it is written as a float attribute. */
export function float(value: number): FloatAttribute {
  return { float: value };
}

export class OnnxGraph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  readonly inputs: OnnxValueInfo[] = [];
  readonly outputs: OnnxValueInfo[] = [];
  private readonly taken = new Set<string>();

  /** A name not used yet in the graph, from a readable stem ('conv2d/kernel', 'conv2d/kernel_1'). */
  fresh(stem: string): string {
    let name = stem;
    for (let suffix = 1; this.taken.has(name); suffix++) name = `${stem}_${suffix}`;
    this.taken.add(name);
    return name;
  }

  /** Adds a node; returns its output names (made fresh from `name` unless given). */
  node(
    opType: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, AttributeValue>> = {},
    options: { name?: string; outputs?: number | readonly string[] } = {},
  ): string[] {
    const name = this.fresh(options.name ?? opType);
    const given = options.outputs;
    const outputs =
      typeof given === 'object'
        ? [...given]
        : Array.from({ length: given ?? 1 }, (_, index) => this.fresh(index === 0 ? name : `${name}:${index}`));
    this.nodes.push({ opType, name, inputs: [...inputs], outputs, attributes: { ...attributes } });
    return outputs;
  }

  /** One-output node: its output name. */
  apply(
    opType: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, AttributeValue>> = {},
    name?: string,
  ): string {
    return this.node(opType, inputs, attributes, { name })[0]!;
  }

  /** A float32 initializer (weights, scalars): its name. */
  floats(stem: string, values: Float32Array | readonly number[], shape: readonly number[]): string {
    const name = this.fresh(stem);
    this.initializers.push({ name, type: ONNX_FLOAT, shape: [...shape], values: Float32Array.from(values) });
    return name;
  }

  /** An int64 initializer (shapes, axes, slice bounds): its name. */
  int64s(stem: string, values: readonly number[], shape: readonly number[] = [values.length]): string {
    const name = this.fresh(stem);
    this.initializers.push({ name, type: ONNX_INT64, shape: [...shape], values: [...values] });
    return name;
  }

  /** Declares a graph input under its exact name. */
  input(name: string, type: ElementType, shape: OnnxValueInfo['shape']): string {
    if (this.taken.has(name)) throw new Error(`OnnxGraph: the input name '${name}' is taken`);
    this.taken.add(name);
    this.inputs.push({ name, type, shape: [...shape] });
    return name;
  }

  /** Declares `value` a graph output. */
  output(value: string, type: ElementType, shape: OnnxValueInfo['shape']): void {
    this.outputs.push({ name: value, type, shape: [...shape] });
  }
}
