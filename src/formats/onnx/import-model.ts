// ONNX bytes → a poolkit Sequential: a chain of CNN operators (Conv, pooling, Gemm/MatMul,
// BatchNormalization, Flatten, Reshape, Dropout, activations, Transposes) with ONNX's exact
// attribute semantics, weights turned into Keras's layouts. Anything else is refused, naming the node.
import { failFile } from '../../io/file-error.js';
import { setNamedWeights } from '../../io/model-artifacts.js';
import { asFileError } from '../../io/topology-check.js';
import type { ConfigObject } from '../../nn/layer.js';
import { modelFromJSON } from '../../nn/model-json.js';
import type { Sequential, SerializedModel } from '../../nn/sequential.js';
import { decodeOnnx, type DecodedModel } from './decode.js';
import { ONNX_FLOAT } from './graph.js';
import { opImporters, type OpImporter } from './import-ops.js';
import { poolingImporters } from './import-pooling.js';
import { ImportState } from './import-state.js';
import { identity, isIdentity } from './layout.js';

/** The opsets whose operators poolkit reads as it implements them. */
const OPSETS = { lowest: 7, highest: 23 };

export interface OnnxImportOptions {
  /** Names the bytes in errors (a file path); default 'ONNX model'. */
  readonly file?: string;
}

/** The one graph input that is not an initializer: float, every extent but the batch known. */
function modelInput(model: DecodedModel, file: string): { name: string; shape: number[] } {
  const inputs = model.inputs.filter((input) => !model.initializers.has(input.name));
  if (inputs.length !== 1) failFile(file, `has ${inputs.length} inputs; poolkit imports models of one input`);
  const { name, type, shape } = inputs[0]!;
  if (type !== ONNX_FLOAT) failFile(file, `has input '${name}' of element type ${type}; poolkit imports float inputs`);
  if (shape === null || shape.length < 2 || shape.slice(1).some((extent) => extent === null || extent < 1))
    failFile(
      file,
      `has input '${name}' of shape [${(shape ?? []).map(String).join(', ')}]; poolkit needs every extent but the batch known`,
    );
  return { name, shape: shape.slice(1) as number[] };
}

function importers(): Readonly<Record<string, OpImporter>> {
  return { ...opImporters, ...poolingImporters() };
}

function walk(state: ImportState): void {
  const table = importers();
  for (const node of state.model.nodes) {
    if (node.domain !== '' && node.domain !== 'ai.onnx')
      state.refuse(node, `is in the operator domain '${node.domain}'; poolkit reads ONNX's default domain`);
    const importer = Object.hasOwn(table, node.opType) ? table[node.opType] : undefined;
    if (importer === undefined) {
      const hint = node.opType === 'Shape' ? ' (a shape computed at run time: export a flatten as ONNX Flatten)' : '';
      state.refuse(
        node,
        `is an operator poolkit does not import${hint}; it imports ${Object.keys(table).sort().join(', ')}`,
      );
    }
    importer(state, node);
  }
}

/** The layers and weights of the walk as a Sequential. */
function build(state: ImportState, inputShape: number[]): Sequential {
  const { file, model } = state;
  const outputs = model.outputs;
  if (outputs.length !== 1) failFile(file, `has ${outputs.length} outputs; poolkit imports models of one output`);
  const output = state.values.get(outputs[0]!.name);
  if (output === undefined)
    failFile(file, `has output '${outputs[0]!.name}', which no imported node computes from the input`);
  if (!isIdentity(output.perm))
    failFile(file, `leaves its output transposed by [${output.perm.join(', ')}] from poolkit's order`);
  if (state.layers.length === 0) failFile(file, 'has no layers: its output is its input');
  const layers = state.layers.map((layer, index) => ({
    className: layer.className,
    config: (index === 0 ? { ...layer.config, inputShape } : layer.config) as ConfigObject,
  }));
  const name = /^[A-Za-z][\w-]*$/.test(model.name) ? model.name : 'onnx_model';
  const topology: SerializedModel = { className: 'Sequential', config: { name, layers } };
  const sequential = asFileError(file, () => modelFromJSON(topology));
  try {
    const named = sequential.layers.flatMap((layer, index) =>
      state.layers[index]!.weights.map((weight) => ({ ...weight, name: `${layer.name}/${weight.name}` })),
    );
    setNamedWeights(sequential, named, file);
  } catch (error) {
    sequential.dispose();
    throw error;
  }
  return sequential;
}

/**
 * A poolkit Sequential from the bytes of an ONNX model whose graph is a chain of supported operators.
 * The model's input keeps ONNX's axis order (NCHW gives channelsFirst layers).
 * @example const model = modelFromOnnx(new Uint8Array(readFileSync('cnn.onnx')));
 */
export function modelFromOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): Sequential {
  const file = options.file ?? 'ONNX model';
  if (!(bytes instanceof Uint8Array)) failFile(file, 'must be given as bytes (a Uint8Array)');
  const model = decodeOnnx(bytes, file);
  if (model.opset < OPSETS.lowest || model.opset > OPSETS.highest)
    failFile(file, `uses opset ${model.opset}; poolkit imports opsets ${OPSETS.lowest} to ${OPSETS.highest}`);
  const state = new ImportState(model, file);
  const input = modelInput(model, file);
  state.values.set(input.name, {
    perm: identity(input.shape.length + 1),
    shape: [null, ...input.shape],
    producer: null,
  });
  walk(state);
  return build(state, input.shape);
}
