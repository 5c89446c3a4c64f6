// Loading the trained CNN in the browser (model.json + binary weights, as `poolkit train` saves
// them, or a TensorFlow.js layers-format folder: model.json + its weight shards) and running it
// layer by layer, keeping each layer's output for the feature maps.
import {
  modelFromArtifacts,
  modelFromTfjsArtifacts,
  TFJS_FORMAT,
  type LayersModel,
  type TfjsModelJson,
  noGrad,
  poolingClassName,
  poolingKinds,
  Sequential as SequentialModel,
  tensor,
  tidy,
  type Sequential,
  type Tensor,
} from '../../src/index.js';

/** One layer's output for the drawn digit, without the batch axis: [height, width, channels] or [units]. */
export interface Stage {
  readonly layerName: string;
  readonly className: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Class probabilities for a 28x28 image (0..1) and every layer's output. */
export interface ModelRun {
  readonly probabilities: Float32Array;
  readonly stages: Stage[];
}

export interface LoadedModel {
  /** One line about the model: its layers, size and what training reported. */
  readonly description: string;
  /** At once on the page's thread; later from the compute worker (compute.ts). */
  run(image: Float32Array): ModelRun | Promise<ModelRun>;
}

interface ModelFolderJson {
  readonly modelTopology: unknown;
  readonly weightsManifest: {
    readonly file: string;
    readonly entries: readonly { name: string; shape: number[]; offset: number; byteLength: number }[];
  };
  readonly metadata?: Record<string, unknown>;
}

/** Whether a layer pools (a pooling kind's layer class, RoIAlign2D included): the maps before and after these are drawn. */
export function isPooling(className: string): boolean {
  const classOf = (kind: (typeof poolingKinds)[number]) =>
    [null, ...kind.ranks].map((rank) => (kind.layer === null ? '' : poolingClassName(kind.layer, rank)));
  return /pool/i.test(className) || poolingKinds.some((kind) => classOf(kind).includes(className));
}

/** Softmax, unless the values already are probabilities (the model ends in a softmax). */
export function asProbabilities(values: Float32Array): Float32Array {
  const sum = values.reduce((total, value) => total + value, 0);
  if (values.every((value) => value >= 0) && Math.abs(sum - 1) < 1e-3) return values;
  const top = Math.max(...values);
  const exponentials = values.map((value) => Math.exp(value - top));
  const total = exponentials.reduce((runningSum, value) => runningSum + value, 0);
  return exponentials.map((value) => value / total);
}

/** Whether model.json is TensorFlow.js's layers format rather than poolkit's. */
function isTfjs(json: ModelFolderJson | TfjsModelJson): json is TfjsModelJson {
  return (json as { format?: unknown }).format === TFJS_FORMAT;
}

/** The shard paths a TensorFlow.js model.json names, in order. */
function shardPaths(json: TfjsModelJson): string[] {
  return (Array.isArray(json.weightsManifest) ? json.weightsManifest : []).flatMap((group) => group.paths ?? []);
}

/** The model from model.json's content and its weights; it must be a Sequential (layers in a row). */
function buildModel(
  json: ModelFolderJson | TfjsModelJson,
  weights: Readonly<Record<string, Uint8Array>>,
  files: { model: string; weights: string },
): Sequential {
  const model: LayersModel = isTfjs(json)
    ? modelFromTfjsArtifacts(json, weights, files.model).model
    : modelFromArtifacts(json, weights[json.weightsManifest.file]!, files);
  if (!(model instanceof SequentialModel))
    throw new Error(`${files.model} holds a ${model.className} model, not a Sequential`);
  return model;
}

function describe(model: Sequential, metadata: Record<string, unknown> | undefined, source: string): string {
  const layers = model.layers.map((layer) => layer.className).join(' → ');
  const accuracy = metadata?.testAccuracy ?? metadata?.accuracy;
  const trained = typeof accuracy === 'number' ? `, test accuracy ${(accuracy * 100).toFixed(1)}%` : '';
  const note = typeof metadata?.note === 'string' ? ` (${metadata.note})` : '';
  return `${source}: ${layers}; ${model.countParams().toLocaleString('en')} weights${trained}${note}`;
}

/** Runs each layer in turn (inference), copying out every layer's output. */
function runner(model: Sequential): (image: Float32Array) => ModelRun {
  return (image) =>
    tidy(() =>
      noGrad(() => {
        const stages: Stage[] = [];
        let current: Tensor = tensor(image, [1, 28, 28, 1]);
        for (const layer of model.layers) {
          current = layer.apply(current, { training: false });
          stages.push({
            layerName: layer.name,
            className: layer.className,
            shape: current.shape.slice(1),
            values: current.toFloat32Array(),
          });
        }
        return { probabilities: asProbabilities(current.toFloat32Array()), stages };
      }),
    );
}

function loaded(
  json: ModelFolderJson | TfjsModelJson,
  weights: Readonly<Record<string, Uint8Array>>,
  files: { model: string; weights: string },
  source: string,
): LoadedModel {
  const model = buildModel(json, weights, files);
  const metadata = isTfjs(json) ? json.userDefinedMetadata : json.metadata;
  return { description: describe(model, metadata, source), run: runner(model) };
}

/** Loads the model folder at `url` (ending in '/', relative to `base`): model.json, then the weights file it names. */
export async function loadModelFromUrl(url: string, base = location.href): Promise<LoadedModel> {
  const modelUrl = new URL('model.json', new URL(url, base));
  const response = await fetch(modelUrl);
  // A static server may answer a missing file with the page itself: only JSON counts.
  if (!response.ok || !(response.headers.get('content-type') ?? '').includes('json')) {
    throw new Error(`there is no ${modelUrl.pathname}`);
  }
  const json = (await response.json()) as ModelFolderJson | TfjsModelJson;
  const paths = isTfjs(json) ? shardPaths(json) : [json.weightsManifest.file];
  const weights: Record<string, Uint8Array> = {};
  for (const path of paths) {
    const weightsUrl = new URL(path, modelUrl);
    const weightsResponse = await fetch(weightsUrl);
    if (!weightsResponse.ok) throw new Error(`${weightsUrl.pathname} answered ${weightsResponse.status}`);
    weights[path] = new Uint8Array(await weightsResponse.arrayBuffer());
  }
  return loaded(
    json,
    weights,
    { model: modelUrl.pathname, weights: new URL(paths[0] ?? '', modelUrl).pathname },
    url.replace(/^\.\//, '').replace(/\/$/, ''),
  );
}

/** Loads a model from files a person picked: model.json and the weights file it names. */
export async function loadModelFromFiles(files: readonly File[]): Promise<LoadedModel> {
  const modelFile = files.find((file) => file.name.endsWith('.json'));
  if (modelFile === undefined) throw new Error('pick the folder’s model.json together with its weights file');
  const json = JSON.parse(await modelFile.text()) as ModelFolderJson | TfjsModelJson;
  const paths = isTfjs(json) ? shardPaths(json) : [json.weightsManifest?.file];
  const weights: Record<string, Uint8Array> = {};
  for (const path of paths) {
    // Picked files carry their names only: a shard is found by the last part of its path.
    const weightsFile = files.find((file) => file.name === path?.split('/').pop());
    if (path === undefined || weightsFile === undefined) throw new Error(`pick ${path ?? 'the weights file'} too`);
    weights[path] = new Uint8Array(await weightsFile.arrayBuffer());
  }
  return loaded(json, weights, { model: modelFile.name, weights: paths[0] ?? '' }, modelFile.name);
}
