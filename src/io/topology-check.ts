// A saved topology checked against its weights manifest before any weight is made: every layer's
// planned weights (names and shapes, from its config) must be in the manifest and the manifest
// must hold nothing else, so a hostile model.json (units: 150000) is refused from the JSON alone.
import { isFunctionalJSON } from '../nn/functional-json.js';
import { layersFromJSON } from '../nn/model-json.js';
import { planWeights } from '../nn/model-plan.js';
import type { ModelJSON } from '../nn/model-json.js';
import { MAX_ALLOCATION_BYTES } from '../tensor/heap.js';
import { sizeOf } from '../tensor/tensor.js';
import { PoolkitFileError, failFile } from './file-error.js';

/** How many names a mismatch message lists before it says "and N more". */
const NAMES_SHOWN = 5;

/**
 * Checks the topology's planned weights against the manifest's entries (those `ignore` does not
 * set aside: a checkpoint's optimizer slots). A layer that can tell its weights only by building
 * (null plan) keeps its entries for setNamedWeights to check after building. Errors name `file`.
 */
export function checkTopologyWeights(
  topology: ModelJSON,
  entries: readonly { readonly name: string; readonly shape: readonly number[] }[],
  file: string,
  ignore: (name: string) => boolean = () => false,
): void {
  // A functional model's graph is checked when it is built (setNamedWeights); a Sequential's here.
  if (isFunctionalJSON(topology)) return;
  const plan = asFileError(file, () => planWeights(layersFromJSON(topology).layers));
  if (plan === null) return; // an unbuilt model makes no weights: setNamedWeights reports the mismatch
  const unchecked = new Map(entries.filter((entry) => !ignore(entry.name)).map((entry) => [entry.name, entry]));
  const deferred = new Set<string>();
  const missing: string[] = [];
  for (const { layer, weights } of plan) {
    if (weights === null) deferred.add(layer.name);
    for (const weight of weights ?? []) {
      const name = `${layer.name}/${weight.name}`;
      const entry = unchecked.get(name);
      if (entry === undefined) missing.push(name);
      else checkShape(name, entry.shape, weight.shape, file, `layer '${layer.name}' (${layer.className})`);
      unchecked.delete(name);
    }
  }
  const extra = [...unchecked.keys()].filter((name) => !deferred.has(name.slice(0, name.lastIndexOf('/'))));
  checkPlannedBytes(plan, file);
  failOnMismatch(missing, extra, file);
}

/** Throws when the planned weights could never fit the tensor heap, before the manifest is compared. */
function checkPlannedBytes(plan: NonNullable<ReturnType<typeof planWeights>>, file: string): void {
  let bytes = 0;
  for (const { weights } of plan) for (const weight of weights ?? []) bytes += 4 * sizeOf(weight.shape);
  if (bytes > MAX_ALLOCATION_BYTES) {
    const gib = (bytes / 2 ** 30).toFixed(1);
    failFile(
      file,
      `describes a model too large for memory: its weights need ${gib} GiB, more than the 4 GiB tensor heap`,
    );
  }
}

/** Throws unless a saved weight's shape is the one the model needs. */
export function checkShape(
  name: string,
  saved: readonly number[],
  needed: readonly number[],
  file: string,
  layer?: string,
): void {
  if (saved.length === needed.length && saved.every((extent, axis) => extent === needed[axis])) return;
  const owner = layer === undefined ? '' : ` for ${layer}`;
  failFile(file, `weight '${name}' has shape [${saved.join(', ')}], the model needs [${needed.join(', ')}]${owner}`);
}

/** Throws when weights are missing or unknown, listing a few of each. */
export function failOnMismatch(missing: readonly string[], extra: readonly string[], file: string): void {
  if (missing.length === 0 && extra.length === 0) return;
  const parts = [
    missing.length > 0 ? `lacks ${listNames(missing)}` : '',
    extra.length > 0 ? `has unknown ${listNames(extra)}` : '',
  ];
  failFile(file, `does not match the model: it ${parts.filter(Boolean).join(' and ')}`);
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).join(', ');
  return names.length > NAMES_SHOWN ? `${shown} and ${names.length - NAMES_SHOWN} more` : shown;
}

/**
 * Runs `build` (a topology being planned or built), turning its errors into errors naming `file`:
 * a config poolkit refuses, or a model too large for the tensor heap.
 */
export function asFileError<T>(file: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof PoolkitFileError || !(error instanceof Error)) throw error;
    const problem =
      error.name === 'RangeError'
        ? 'describes a model too large for memory'
        : 'has a model topology poolkit cannot build';
    failFile(file, `${problem}: ${error.message}`);
  }
}
