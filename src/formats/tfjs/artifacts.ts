// A poolkit model ⇄ TensorFlow.js's layers format in memory: model.json's object (format
// 'layers-model', Keras's modelTopology, the weights manifest, the trainingConfig) and the weight
// shards' bytes. Pure, so a browser can read what tensorflowjs_converter or tfjs-layers wrote.
import { compileSettingsOf } from '../../io/compile-settings.js';
import { failFile } from '../../io/file-error.js';
import { setNamedWeights } from '../../io/model-artifacts.js';
import { asFileError, checkTopologyWeights } from '../../io/topology-check.js';
import type { NamedWeights } from '../../io/weights.js';
import type { ConfigObject } from '../../nn/layer.js';
import type { AnyLayersModel, LayersModel } from '../../nn/layers-model.js';
import { layersFromJSON, modelFromJSON, type ModelJSON } from '../../nn/model-json.js';
import { isFunctionalJSON } from '../../nn/functional-json.js';
import { topologyFromKeras, topologyToKeras } from './topology.js';
import { trainingConfigFromTfjs, trainingConfigToTfjs } from './training-config.js';
import {
  encodeTfjsWeights,
  groupByteLength,
  placeManifest,
  readSpec,
  type PlacedSpec,
  type TfjsManifestGroup,
} from './weights.js';

export const TFJS_FORMAT = 'layers-model';
/** The shard poolkit writes: one file, as tfjs-node's file:// handler names it. */
export const TFJS_WEIGHTS_FILE = 'weights.bin';

/** What a TensorFlow.js model.json holds. */
export interface TfjsModelJson {
  readonly format: typeof TFJS_FORMAT;
  readonly generatedBy: string;
  readonly convertedBy: string | null;
  readonly modelTopology: ConfigObject;
  readonly weightsManifest: readonly TfjsManifestGroup[];
  readonly trainingConfig?: ConfigObject;
  readonly userDefinedMetadata?: Record<string, unknown>;
}

/** model.json's object and the one weights shard of a built model (its compile settings as trainingConfig). */
export function modelToTfjsArtifacts(
  model: AnyLayersModel,
  metadata: Record<string, unknown> = {},
): { modelJson: TfjsModelJson; weights: Uint8Array } {
  if (!model.built)
    throw new Error('modelToTfjsArtifacts: the model must be built (give the first layer an inputShape)');
  const named = model.parameters.map(({ name, tensor }) => ({ name, shape: [...tensor.shape], values: tensor.values }));
  const { manifest, bytes } = encodeTfjsWeights(named, TFJS_WEIGHTS_FILE);
  const trainingConfig = trainingConfigToTfjs(compileSettingsOf(model));
  const modelJson: TfjsModelJson = {
    format: TFJS_FORMAT,
    generatedBy: 'poolkit 0.1.0',
    convertedBy: null,
    modelTopology: topologyToKeras(model),
    weightsManifest: manifest,
    ...(trainingConfig === null ? {} : { trainingConfig }),
    ...(Object.keys(metadata).length === 0 ? {} : { userDefinedMetadata: metadata }),
  };
  return { modelJson, weights: bytes };
}

/** model.json read on its own: the topology as poolkit's, the manifest placed and checked against it. */
export interface CheckedTfjsModel {
  readonly topology: ModelJSON;
  readonly groups: readonly TfjsManifestGroup[];
  /** The model's own weights, named as poolkit names them ('layer/weight'). */
  readonly specs: readonly PlacedSpec[];
  /** Bytes each group's shards hold: every spec's, the optimizer state's too. */
  readonly groupLengths: readonly number[];
  readonly trainingConfig: unknown;
  readonly metadata: Record<string, unknown>;
}

/** Layer names of the topology, to find each weight's layer in a name a converter may have prefixed. */
function layerNames(topology: ModelJSON, file: string): Set<string> {
  if (isFunctionalJSON(topology)) return new Set(topology.config.layers.map((layer) => layer.name));
  return new Set(asFileError(file, () => layersFromJSON(topology).layers.map((layer) => layer.name)));
}

/** 'sequential/conv2d/kernel:0' → 'conv2d/kernel' when 'conv2d' is a layer of the model. */
function poolkitWeightName(name: string, layers: ReadonlySet<string>): string {
  const parts = name.replace(/:\d+$/, '').split('/');
  for (let start = 0; start < parts.length - 1; start++)
    if (layers.has(parts[start]!)) return parts.slice(start).join('/');
  return name;
}

/**
 * Checks model.json's object before any weight is read: its format, its topology (converted to
 * poolkit's), its manifest, and the topology's planned weights against it (a hostile size is refused here).
 */
export function checkTfjsModelJson(json: unknown, file: string): CheckedTfjsModel {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) failFile(file, 'is not a JSON object');
  const { format, modelTopology, weightsManifest, trainingConfig, userDefinedMetadata } = json as Record<
    string,
    unknown
  >;
  if (format !== undefined && format !== TFJS_FORMAT)
    failFile(
      file,
      `format must be '${TFJS_FORMAT}' (TensorFlow.js's layers format), got ${JSON.stringify(format)}${format === 'graph-model' ? ': a graph model has no layers to read; convert the Keras model with --output_format tfjs_layers_model' : ''}`,
    );
  const topology = asFileError(file, () => topologyFromKeras(modelTopology));
  const { groups, specs } = placeManifest(weightsManifest ?? [], file);
  const names = layerNames(topology, file);
  const own = specs
    .filter((spec) => spec.group !== 'optimizer')
    .map((spec) => ({ ...spec, name: poolkitWeightName(spec.name, names) }));
  checkTopologyWeights(topology, own, file);
  const metadata =
    userDefinedMetadata !== null && typeof userDefinedMetadata === 'object'
      ? (userDefinedMetadata as Record<string, unknown>)
      : {};
  const groupLengths = groups.map((_, index) => groupByteLength(specs, index));
  return { topology, groups, specs: own, groupLengths, trainingConfig, metadata };
}

/** The weights of a checked model.json from each group's bytes (its shards concatenated). */
export function tfjsWeightsOf(
  checked: CheckedTfjsModel,
  groupBytes: readonly Uint8Array[],
  file: string,
): NamedWeights[] {
  checked.groups.forEach((group, index) => {
    const needed = checked.groupLengths[index]!;
    const held = groupBytes[index]?.length ?? 0;
    if (held < needed)
      failFile(
        file,
        `weights group ${index} (${group.paths.join(', ')}) holds ${held} bytes, its manifest needs ${needed}: truncated`,
      );
  });
  return checked.specs.map((spec) => readSpec(spec, groupBytes[spec.groupIndex]!, file));
}

/**
 * A poolkit model from a checked model.json and its groups' bytes, compiled as its trainingConfig
 * says where poolkit can; `warnings` says why not otherwise.
 */
export function modelFromCheckedTfjs(
  checked: CheckedTfjsModel,
  groupBytes: readonly Uint8Array[],
  file: string,
): { model: LayersModel; warnings: string[] } {
  const weights = tfjsWeightsOf(checked, groupBytes, file);
  const model = asFileError(file, () => modelFromJSON(checked.topology));
  const warnings: string[] = [];
  try {
    setNamedWeights(model, weights, file);
    if (checked.trainingConfig !== undefined && checked.trainingConfig !== null) {
      const settings = trainingConfigFromTfjs(checked.trainingConfig);
      if (typeof settings === 'string') warnings.push(`not compiled: ${settings}`);
      else {
        try {
          model.compile({
            optimizer: settings.optimizerConfig,
            loss: settings.loss as never,
            metrics: settings.metrics as never,
          });
        } catch (error) {
          warnings.push(`not compiled: ${(error as Error).message}`);
        }
      }
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, warnings };
}

/**
 * A poolkit model from a TensorFlow.js model.json object and its shards' bytes by path.
 * @example const { model } = modelFromTfjsArtifacts(json, { 'weights.bin': bytes });
 */
export function modelFromTfjsArtifacts(
  json: unknown,
  shards: Readonly<Record<string, Uint8Array>>,
  file = 'model.json',
): { model: LayersModel; warnings: string[] } {
  const checked = checkTfjsModelJson(json, file);
  const groupBytes = checked.groups.map((group) =>
    concatenate(
      group.paths.map((path) => {
        const shard = Object.hasOwn(shards, path) ? shards[path] : undefined;
        if (shard === undefined) failFile(file, `names the weights shard '${path}', which was not given`);
        return shard;
      }),
    ),
  );
  return modelFromCheckedTfjs(checked, groupBytes, file);
}

/** Shards joined in order. */
export function concatenate(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const joined = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
