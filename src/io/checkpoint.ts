// Node only: a training checkpoint in one file, replaced atomically after every epoch: the model
// (topology and weights), the optimizer (config, step count, moment slots), the epochs done, the
// run's settings (seed included) and its history. Shuffles derive from (seed, epoch), so these
// are all the state a resumed run needs to continue exactly as if never stopped.
import type { AnyLayersModel } from '../nn/layers-model.js';
import { modelFromJSON } from '../nn/model-json.js';
import { Sequential, type SerializedModel } from '../nn/sequential.js';
import type { OptimizerState } from '../optim/optimizer.js';
import { writeFileAtomic } from './atomic-write.js';
import { decodeBundle, encodeBundle } from './bundle.js';
import { failFile } from './file-error.js';
import { modelWeights, setNamedWeights } from './model-artifacts.js';
import { readBytes } from './read-file.js';
import { asFileError, checkTopologyWeights } from './topology-check.js';
import type { NamedWeights } from './weights.js';

export const CHECKPOINT_FORMAT = 'poolkit-checkpoint';
const SLOT_PREFIX = 'optimizer/';

export interface CheckpointContent {
  /** Epochs completed. */
  readonly epochsDone: number;
  /** The run's settings (JSON): what a resumed run must match. */
  readonly settings: Record<string, unknown>;
  /** Per-epoch records so far (JSON). */
  readonly history: readonly unknown[];
}

/** Writes the checkpoint file atomically. */
export async function saveCheckpoint(path: string, model: AnyLayersModel, content: CheckpointContent): Promise<void> {
  if (model.optimizer === null) throw new Error('saveCheckpoint: the model must be compiled (it has no optimizer)');
  const { className, config, iterations, slots } = model.optimizer.getState();
  const slotWeights: NamedWeights[] = Object.entries(slots).flatMap(([parameter, arrays]) =>
    Object.entries(arrays).map(([slot, values]) => ({
      name: `${SLOT_PREFIX}${parameter}/${slot}`,
      shape: [values.length],
      values,
    })),
  );
  const header = {
    format: CHECKPOINT_FORMAT,
    formatVersion: 2,
    ...content,
    modelTopology: model.toJSON(),
    optimizer: { className, config, iterations },
  };
  await writeFileAtomic(path, encodeBundle(header, [...modelWeights(model), ...slotWeights]));
}

/** Reads a checkpoint: the model with its weights, the optimizer state to restore, and the rest. */
export async function loadCheckpoint(
  path: string,
): Promise<CheckpointContent & { model: Sequential; optimizerState: OptimizerState }> {
  const { header, weights } = decodeBundle(await readBytes(path), path);
  const { epochsDone, settings, history, modelTopology, optimizer } = checkHeader(header, path);
  checkTopologyWeights(modelTopology, weights, path, isSlot);
  const model: AnyLayersModel = asFileError(path, () => modelFromJSON(modelTopology));
  if (!(model instanceof Sequential)) {
    model.dispose();
    failFile(path, `holds a ${model.className} model; checkpoints hold Sequential ones`);
  }
  try {
    setNamedWeights(
      model,
      weights.filter((weight) => !isSlot(weight.name)),
      path,
    );
    const slots = slotsFrom(
      weights.filter((weight) => isSlot(weight.name)),
      model,
      path,
    );
    return { epochsDone, settings, history, model, optimizerState: { ...optimizer, slots } };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** The header's fields, each checked: the checksum guards against damage, this against nonsense. */
function checkHeader(header: Record<string, unknown>, path: string) {
  const { format, epochsDone, settings, history, modelTopology, optimizer } = header;
  if (format !== CHECKPOINT_FORMAT)
    failFile(path, `format must be '${CHECKPOINT_FORMAT}', got ${JSON.stringify(format)}`);
  if (settings === null || typeof settings !== 'object') failFile(path, 'lacks the run settings');
  if (!Array.isArray(history)) failFile(path, 'lacks the history');
  if (epochsDone !== history.length)
    failFile(path, `epochsDone (${String(epochsDone)}) must equal the history's length (${history.length})`);
  const { className, config, iterations } = (optimizer ?? {}) as Record<string, unknown>;
  if (typeof className !== 'string') failFile(path, 'lacks the optimizer state');
  if (modelTopology === null || typeof modelTopology !== 'object') failFile(path, 'lacks the model topology');
  return {
    epochsDone: history.length,
    settings: settings as Record<string, unknown>,
    history: history as unknown[],
    modelTopology: modelTopology as SerializedModel,
    optimizer: { className, config: (config ?? {}) as OptimizerState['config'], iterations: iterations as number },
  };
}

/** 'optimizer/<layer>/<weight>/<slot>': a model weight's name has one slash, a slot's three. */
function isSlot(name: string): boolean {
  return name.startsWith(SLOT_PREFIX) && name.includes('/', SLOT_PREFIX.length);
}

/** The slot arrays back into the optimizer's record, each the size of the model weight it follows. */
function slotsFrom(weights: readonly NamedWeights[], model: Sequential, path: string): OptimizerState['slots'] {
  const sizes = new Map(model.parameters.map((parameter) => [parameter.name, parameter.tensor.size]));
  const slots: Record<string, Record<string, Float32Array>> = {};
  for (const { name, values } of weights) {
    const rest = name.slice(SLOT_PREFIX.length);
    const parameter = rest.slice(0, rest.lastIndexOf('/'));
    if (sizes.get(parameter) !== values.length) {
      failFile(path, `holds optimizer slot '${name}' of ${values.length} values, which fits no weight of the model`);
    }
    (slots[parameter] ??= {})[rest.slice(rest.lastIndexOf('/') + 1)] = values;
  }
  return slots;
}
