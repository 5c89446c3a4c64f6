// The functional Model (Keras's Functional): a graph of layers from symbolic inputs to outputs,
// with branches, merges (Concatenate, Add) and shared layers. model({ inputs, outputs }) walks the
// recorded nodes back from the outputs, names and builds the layers (seeded, in order) and runs
// them forward node by node with Keras's masks beside the tensors; training is LayersModel's.
import { fail } from '../errors.js';
import { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { endsInActivation } from './activation-names.js';
import { snakeCase, type CallOptions, type Layer, type LayerShape } from './layer.js';
import { LayersModel, type ForwardOptions, type ModelTensors } from './layers-model.js';
import { InputLayer } from './layers/input-layer.js';
import { formatFunctionalSummary, formatShape } from './summary.js';
import { functionalGraphFromJSON, functionalToJSON, type SerializedFunctional } from './functional-json.js';
import { shapeArgument, SymbolicTensor, type LayerNode } from './symbolic.js';

export interface ModelConfig {
  /** The symbolic tensors from input(): one, or a list (the model then takes a list of tensors). */
  inputs: SymbolicTensor | readonly SymbolicTensor[];
  /** The symbolic tensors the model returns: one, or a list (predict then returns a list). */
  outputs: SymbolicTensor | readonly SymbolicTensor[];
  /** Default 'model'. */
  name?: string;
  /** Seed of the weight initialisers (default 0), as Sequential's. */
  seed?: number;
}

function symbolicList(name: string, value: unknown): SymbolicTensor[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((item) => !(item instanceof SymbolicTensor)))
    fail('model', name, 'must be a symbolic tensor (from input() or layer.apply) or a non-empty list of them', value);
  return list as SymbolicTensor[];
}

/** The nodes that make `outputs`, each after the nodes of its inputs; every input node must be in `inputs`. */
function graphNodes(inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[]): LayerNode[] {
  const order: LayerNode[] = inputs.map((input) => input.node);
  const placed = new Set<LayerNode>(order);
  const visit = (node: LayerNode): void => {
    if (placed.has(node)) return;
    if (node.inputs.length === 0) {
      fail(
        'model',
        'inputs',
        `must include every input the outputs depend on; '${node.layer.name}' is missing`,
        node.layer.name,
      );
    }
    for (const input of node.inputs) visit(input.node);
    placed.add(node);
    order.push(node);
  };
  for (const output of outputs) visit(output.node);
  return order;
}

/** Gives unnamed layers Keras's names ('input_1', 'dense', 'dense_1'); explicit names must be unique. */
function nameLayers(layers: readonly Layer[]): void {
  const taken = new Set(layers.filter((layer) => layer.hasExplicitName).map((layer) => layer.name));
  const next = new Map<string, number>();
  for (const layer of layers) {
    if (layer.hasExplicitName) continue;
    const base = layer instanceof InputLayer ? 'input' : snakeCase(layer.className);
    let suffix = next.get(base) ?? (layer instanceof InputLayer ? 1 : 0);
    while (taken.has(suffix === 0 ? base : `${base}_${suffix}`)) suffix++;
    layer.assignName(suffix === 0 ? base : `${base}_${suffix}`);
    taken.add(layer.name);
    next.set(base, suffix + 1);
  }
  const names = layers.map((layer) => layer.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) fail('model', 'layers', 'must have unique names', repeated);
}

export class Model<Output extends Tensor | Tensor[] = Tensor> extends LayersModel<Output> {
  readonly className = 'Functional';
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  /** Every layer once, inputs first, each after the layers it reads (Keras's model.layers). */
  readonly layers: readonly Layer[];
  /** The calls of layers in the order forward runs them, input nodes first. */
  readonly nodes: readonly LayerNode[];
  private readonly inputIsList: boolean;
  private readonly outputsAreList: boolean;

  constructor(config: ModelConfig) {
    if (config === null || typeof config !== 'object') fail('model', 'config', 'must be { inputs, outputs }', config);
    super(config.name ?? 'model', config.seed ?? 0, 'model');
    this.inputs = Object.freeze(symbolicList('inputs', config.inputs));
    this.outputs = Object.freeze(symbolicList('outputs', config.outputs));
    this.inputs.forEach((input, index) => {
      if (!(input.node.layer instanceof InputLayer))
        fail('model', `inputs[${index}]`, 'must come from input()', input.toString());
      if (this.inputs.indexOf(input) !== index) fail('model', 'inputs', 'must not repeat a tensor', input.toString());
    });
    [this.inputIsList, this.outputsAreList] = [Array.isArray(config.inputs), Array.isArray(config.outputs)];
    this.nodes = Object.freeze(graphNodes(this.inputs, this.outputs));
    this.layers = Object.freeze([...new Set(this.nodes.map((node) => node.layer))]);
    nameLayers(this.layers);
    const random = new Random(this.seed);
    for (const layer of this.layers) {
      const node = this.nodes.find((candidate) => candidate.layer === layer)!;
      const shapes = node.inputs.map((input) => input.shape);
      if (node.inputs.length > 0 && !layer.built) layer.build(shapeArgument(shapes, node.inputIsList), random.fork());
    }
  }

  get built(): boolean {
    return true;
  }

  get inputShapes(): LayerShape[] {
    return this.inputs.map((input) => input.shape);
  }

  get outputShapes(): LayerShape[] {
    return this.outputs.map((output) => output.shape);
  }

  protected get outputIsList(): boolean {
    return this.outputsAreList;
  }

  override get regionInputs(): readonly number[] {
    const upstream = new Set<LayerNode>();
    const visit = (node: LayerNode): void => {
      if (upstream.has(node)) return;
      upstream.add(node);
      node.inputs.forEach((input) => visit(input.node));
    };
    for (const node of this.nodes)
      if (node.layer.regionInput !== undefined && node.inputs.length === 2) visit(node.inputs[1]!.node);
    return this.inputs.flatMap((input, index) => (upstream.has(input.node) ? [index] : []));
  }

  /** Whether fit trains from logits: one output, made last by a softmax layer, with a cross-entropy loss. */
  get trainsFromLogits(): boolean {
    const output = this.outputs[0]!;
    const layer = output.node.layer;
    const consumed = this.nodes.some((node) => node.inputs.includes(output));
    const softmax = endsInActivation(layer) && layer.activation === 'softmax';
    return this.outputs.length === 1 && (this.loss?.fromLogits ?? null) !== null && softmax && !consumed;
  }

  /** Checks that data fits the inputs: their count, ranks and known extents. */
  buildFor(inputs: readonly Tensor[]): void {
    if (inputs.length !== this.inputs.length)
      fail(
        this.name,
        'x',
        `must be ${this.inputs.length === 1 ? 'one tensor' : `a list of ${this.inputs.length} tensors`}`,
        inputs.length,
      );
    inputs.forEach((input, index) => {
      const shape = this.inputs[index]!.shape;
      const fits =
        input.rank === shape.length &&
        shape.every((extent, axis) => axis === 0 || extent === null || extent === input.shape[axis]);
      const name = this.inputs.length === 1 ? 'x' : `x[${index}]`;
      if (!fits)
        fail(
          this.name,
          name,
          `must have shape [${shape.map((extent) => extent ?? 'any').join(', ')}]`,
          `shape [${input.shape.join(', ')}]`,
        );
    });
  }

  /** The forward pass, node by node; each layer gets its input's mask and gives the next one. */
  forward(inputs: readonly Tensor[], options: ForwardOptions): Tensor[] {
    this.buildFor(inputs);
    const values = new Map<SymbolicTensor, { tensor: Tensor; mask: Tensor | null }>();
    this.inputs.forEach((input, index) => values.set(input, { tensor: inputs[index]!, mask: null }));
    const logitsNode = options.logits ? this.outputs[0]!.node : null;
    for (const node of this.nodes) {
      if (node.inputs.length === 0) continue;
      const args = node.inputs.map((input) => values.get(input)!);
      const input = (node.inputIsList ? args.map((arg) => arg.tensor) : args[0]!.tensor) as Tensor;
      const mask = (node.inputIsList ? args.map((arg) => arg.mask) : args[0]!.mask) as Tensor | null;
      const callOptions: CallOptions = {
        training: options.training,
        random: options.random,
        mask: node.inputIsList ? null : mask,
      };
      const layer = node.layer;
      const nextMask = layer.computeMask(input, mask);
      const output =
        node === logitsNode && endsInActivation(layer)
          ? layer.callWithoutActivation(input, callOptions)
          : layer.call(input, callOptions);
      values.set(node.output, { tensor: output, mask: nextMask });
    }
    return this.outputs.map((output) => values.get(output)!.tensor);
  }

  /** The forward pass on tensors (a list when the model was made with a list of inputs). */
  call(x: ModelTensors, options: Partial<CallOptions> = {}): Output {
    const inputs = Array.isArray(x) ? (x as readonly Tensor[]) : [x as Tensor];
    if (inputs.some((input) => !(input instanceof Tensor)))
      fail(this.name, 'x', 'must be a Tensor or a list of Tensors', x);
    const outputs = this.forward(inputs, {
      training: options.training ?? false,
      random: options.random ?? new Random(this.seed),
    });
    return (this.outputsAreList ? outputs : outputs[0]!) as Output;
  }

  /** Each node's place among its layer's nodes in this model: Keras's node index in 'dense[1][0]'. */
  nodeIndex(node: LayerNode): number {
    return this.nodes.filter((other) => other.layer === node.layer).indexOf(node);
  }

  summary(print: ((line: string) => void) | null = console.log): string {
    const rows = this.layers.map((layer) => {
      const nodes = this.nodes.filter((node) => node.layer === layer);
      // Keras prints an input layer's shape in list brackets, [(None, 32)].
      const shape =
        layer instanceof InputLayer
          ? `[${formatShape(layer.batchInputShape)}]`
          : nodes.length > 1
            ? 'multiple'
            : nodes[0]!.output.shape;
      const connectedTo = nodes.flatMap((node) =>
        node.inputs.map((input) => `${input.node.layer.name}[${this.nodeIndex(input.node)}][0]`),
      );
      return {
        name: layer.name,
        className: layer.className,
        outputShape: shape,
        params: layer.countParams(),
        connectedTo,
      };
    });
    const trainable = this.trainableParameters.reduce((total, parameter) => total + parameter.tensor.size, 0);
    const totals = { trainable, nonTrainable: this.countParams() - trainable };
    const text = formatFunctionalSummary(this.name, rows, totals, this.isChain());
    if (print !== null) for (const line of text.split('\n')) print(line);
    return text;
  }

  toJSON(): SerializedFunctional {
    return functionalToJSON(this);
  }

  /** Keras's sequential-like test: one input, every layer called once on one tensor, each read once. */
  private isChain(): boolean {
    const reads = this.nodes.flatMap((node) => node.inputs);
    return (
      this.inputs.length === 1 &&
      this.outputs.length === 1 &&
      this.layers.length === this.nodes.length &&
      this.nodes.every((node) => node.inputs.length <= 1) &&
      new Set(reads).size === reads.length
    );
  }
}

/**
 * Keras's functional Model, from symbolic inputs and outputs. With one output (not a list),
 * predict and call return one tensor; with a list, a list.
 * @example const x = input({ shape: [8] }); const y = layers.dense({ units: 2 }).apply(x); const net = model({ inputs: x, outputs: y });
 */
export function model(config: ModelConfig & { outputs: SymbolicTensor }): Model<Tensor>;
export function model(config: ModelConfig & { outputs: readonly SymbolicTensor[] }): Model<Tensor[]>;
export function model(config: ModelConfig): Model<Tensor | Tensor[]>;
export function model(config: ModelConfig): Model<Tensor | Tensor[]> {
  return new Model(config);
}

/** Rebuilds a functional model (new weights, seeded) from its toJSON(); restore weights with setWeights. */
export function functionalFromJSON(
  json: SerializedFunctional,
  options: { seed?: number } = {},
): Model<Tensor | Tensor[]> {
  const { name, inputs, outputs } = functionalGraphFromJSON(json);
  const single = (tensors: SymbolicTensor[]) => (tensors.length === 1 ? tensors[0]! : tensors);
  return new Model({ name, seed: options.seed, inputs: single(inputs), outputs: single(outputs) });
}
