// Node only: a training checkpoint in one file, replaced atomically after every epoch: the model
// (topology and weights), the optimizer (config, step count, moment slots), the epochs done, the
// run's settings (seed included) and its history. Shuffles derive from (seed, epoch), so these
// are all the state a resumed run needs to continue exactly as if never stopped.
import type { AnyLayersModel, LayersModel } from '../nn/layers-model.js';
import { modelFromJSON, Sequential, type SerializedModel } from '../nn/sequential.js';
import type { OptimizerState } from '../optim/optimizer.js';
import { writeFileAtomic } from './atomic-write.js';
import { decodeBundle, encodeBundle } from './bundle.js';
import { failFile } from './file-error.js';
import { modelWeights, setNamedWeights } from './model-artifacts.js';
import { readBytes } from './model-folder.js';
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
    formatVersion: 1,
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
  if (header.format !== CHECKPOINT_FORMAT)
    failFile(path, `format must be '${CHECKPOINT_FORMAT}', got ${JSON.stringify(header.format)}`);
  const { epochsDone, settings, history, modelTopology, optimizer } = header as Record<string, unknown>;
  if (!Number.isInteger(epochsDone) || (epochsDone as number) < 0)
    failFile(path, `epochsDone must be a non-negative integer`);
  if (settings === null || typeof settings !== 'object') failFile(path, 'lacks the run settings');
  if (!Array.isArray(history)) failFile(path, 'lacks the history');
  const optimizerHeader = optimizer as { className?: unknown; config?: unknown; iterations?: unknown } | undefined;
  if (typeof optimizerHeader?.className !== 'string') failFile(path, 'lacks the optimizer state');
  const model = buildModel(modelTopology, path);
  const modelNames = new Set(model.parameters.map((parameter) => parameter.name));
  setNamedWeights(
    model,
    weights.filter((weight) => modelNames.has(weight.name)),
    path,
  );
  const optimizerState: OptimizerState = {
    className: optimizerHeader.className,
    config: (optimizerHeader.config ?? {}) as OptimizerState['config'],
    iterations: optimizerHeader.iterations as number,
    slots: slotsFrom(
      weights.filter((weight) => !modelNames.has(weight.name)),
      path,
    ),
  };
  return {
    epochsDone: epochsDone as number,
    settings: settings as Record<string, unknown>,
    history,
    model,
    optimizerState,
  };
}

function buildModel(topology: unknown, path: string): Sequential {
  let model: LayersModel;
  try {
    model = modelFromJSON(topology as SerializedModel);
  } catch (error) {
    failFile(path, `has a model topology poolkit cannot build: ${(error as Error).message}`);
  }
  if (!(model instanceof Sequential))
    failFile(path, `holds a ${model.className} model; checkpoints hold Sequential ones`);
  return model;
}

/** 'optimizer/<parameter>/<slot>' arrays back into the optimizer's slots record. */
function slotsFrom(weights: readonly NamedWeights[], path: string): OptimizerState['slots'] {
  const slots: Record<string, Record<string, Float32Array>> = {};
  for (const { name, values } of weights) {
    const rest = name.startsWith(SLOT_PREFIX) ? name.slice(SLOT_PREFIX.length) : '';
    const cut = rest.lastIndexOf('/');
    if (cut <= 0) failFile(path, `holds weight '${name}', which is neither the model's nor an optimizer slot`);
    (slots[rest.slice(0, cut)] ??= {})[rest.slice(cut + 1)] = values;
  }
  return slots;
}
