// The pooling kinds the explorer offers: every pooling function the library exports (its 2D form,
// or 1D for masked pooling), each with the options it takes. Kinds are looked up on the public API
// by name, so one appears once the library exports it; an export not described here still appears.
import * as poolkit from '../../src/index.js';
import type { Padding, PoolOptions, Tensor } from '../../src/index.js';

/** Every option the explorer's form can set; each kind reads the ones it lists. */
export interface Settings {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: Padding;
  readonly dilation: [number, number];
  readonly ceilMode: boolean;
  readonly p: number;
  readonly seed: number;
  readonly training: boolean;
  readonly outputSize: [number, number];
  readonly countIncludePad: boolean;
  readonly alpha: number;
  readonly gateWeight: number;
  /** Fractional max pooling: PyTorch's fixed pool size, or Graham's sequences. */
  readonly fractionalMode: 'kernel' | 'pseudoRandom' | 'random';
  readonly fractionalKernel: [number, number];
  readonly overlapping: boolean;
  readonly levels: number[];
  readonly pyramidMode: 'max' | 'average';
  readonly maskedMode: 'max' | 'average' | 'lp';
  readonly maskedLength: number;
}

/** Groups of form fields: 'window' is kernel, stride, padding, dilation and ceil mode together. */
export type OptionGroup =
  | 'window'
  | 'p'
  | 'seed'
  | 'training'
  | 'outputSize'
  | 'countIncludePad'
  | 'alpha'
  | 'gate'
  | 'fractional'
  | 'pyramid'
  | 'masked';

export interface PoolKind {
  /** The library's export name, e.g. 'maxPool2d'. */
  readonly name: string;
  readonly label: string;
  readonly summary: string;
  readonly options: readonly OptionGroup[];
  /** Windows to draw: poolGeometry's, adaptive ones, the whole input, or traced through the gradient. */
  readonly geometry: 'window' | 'adaptive' | 'global' | 'traced';
  /** Calls the library; returns a tensor or { output, indices }. */
  readonly call: (input: Tensor, settings: Settings) => unknown;
  /** How the output's numbers lie as a grid, [rows, columns], when not [1, rows, columns, 1]. */
  readonly grid?: (shape: readonly number[]) => [number, number];
}

const api = poolkit as unknown as Record<string, unknown>;

/** The exported function `name`, called with these arguments. */
function invoke(name: string, ...args: unknown[]): unknown {
  return (api[name] as (...parameters: unknown[]) => unknown)(...args);
}

export const windowOptions = (settings: Settings): PoolOptions => ({
  kernelSize: settings.kernelSize,
  stride: settings.stride,
  padding: settings.padding,
  dilation: settings.dilation,
  ceilMode: settings.ceilMode,
});

const randomOptions = (settings: Settings): Record<string, unknown> => ({
  ...windowOptions(settings),
  training: settings.training,
  seed: settings.seed,
});

/** maxUnpool takes PyTorch's symmetric numeric padding only. */
function unpoolPadding(padding: Padding): unknown {
  if (padding === 'valid') return 0;
  if (Array.isArray(padding) && padding.every((pair) => Array.isArray(pair) && pair[0] === pair[1])) {
    return padding.map((pair) => (pair as number[])[0]);
  }
  return padding; // the library says what it accepts
}

type Description = Omit<PoolKind, 'name'>;

const windowed = (label: string, summary: string, extra: OptionGroup[] = []): Omit<Description, 'call'> => ({
  label,
  summary,
  options: ['window', ...extra],
  geometry: 'window',
});

/** One row vector: [batch 1, features]. */
const rowVector = (shape: readonly number[]): [number, number] => [1, shape[1] ?? 1];

/** What the explorer knows about each kind, in menu order; kinds not exported (yet) are skipped. */
const known: Record<string, Description> = {
  maxPool2d: {
    ...windowed('Max pooling', 'The largest value of each window; the gradient goes to that one cell (the argmax).'),
    call: (input, settings) => invoke('maxPool2d', input, { ...windowOptions(settings), returnIndices: true }),
  },
  avgPool2d: {
    ...windowed('Average pooling', 'The mean of each window; its gradient is shared by the cells it averaged.', [
      'countIncludePad',
    ]),
    call: (input, settings) =>
      invoke('avgPool2d', input, { ...windowOptions(settings), countIncludePad: settings.countIncludePad }),
  },
  lpPool2d: {
    ...windowed('Lp pooling', '(Σ |x|^p)^(1/p) over each window: p = 1 sums, large p approaches max.', ['p']),
    call: (input, settings) => invoke('lpPool2d', input, { ...windowOptions(settings), p: settings.p }),
  },
  adaptiveMaxPool2d: {
    label: 'Adaptive max pooling',
    summary: 'You choose the output size; window i spans floor(i·In/Out) to ceil((i+1)·In/Out).',
    options: ['outputSize'],
    geometry: 'adaptive',
    call: (input, settings) =>
      invoke('adaptiveMaxPool2d', input, { outputSize: settings.outputSize, returnIndices: true }),
  },
  adaptiveAvgPool2d: {
    label: 'Adaptive average pooling',
    summary: 'You choose the output size; each output averages its adaptive window.',
    options: ['outputSize'],
    geometry: 'adaptive',
    call: (input, settings) => invoke('adaptiveAvgPool2d', input, { outputSize: settings.outputSize }),
  },
  globalMaxPool: {
    label: 'Global max pooling',
    summary: 'One window covering the whole input: the largest value of each channel.',
    options: [],
    geometry: 'global',
    call: (input) => invoke('globalMaxPool', input, { keepDims: true }),
  },
  globalAvgPool: {
    label: 'Global average pooling',
    summary: 'One window covering the whole input: the mean of each channel.',
    options: [],
    geometry: 'global',
    call: (input) => invoke('globalAvgPool', input, { keepDims: true }),
  },
  globalLpPool: {
    label: 'Global Lp pooling',
    summary: 'One window covering the whole input: (Σ |x|^p)^(1/p) of each channel.',
    options: ['p'],
    geometry: 'global',
    call: (input, settings) => invoke('globalLpPool', input, { keepDims: true, p: settings.p }),
  },
  maxUnpool2d: {
    label: 'Max unpooling (after max pooling)',
    summary: 'Max-pools, then puts each maximum back where it came from; every other cell is 0.',
    options: ['window'],
    geometry: 'traced',
    call: (input, settings) => {
      const pooled = invoke('maxPool2d', input, { ...windowOptions(settings), returnIndices: true }) as {
        output: Tensor;
        indices: Tensor;
      };
      return invoke('maxUnpool2d', pooled.output, pooled.indices, {
        kernelSize: settings.kernelSize,
        stride: settings.stride,
        padding: unpoolPadding(settings.padding),
        outputSize: input.shape.slice(1, 3),
      });
    },
  },
  stochasticPool2d: {
    ...windowed(
      'Stochastic pooling',
      'Training: one cell drawn with probability ∝ its value; else that weighted mean.',
      ['seed', 'training'],
    ),
    call: (input, settings) => invoke('stochasticPool2d', input, randomOptions(settings)),
  },
  randomPool2d: {
    ...windowed('Random pooling', 'Training: one cell of each window chosen uniformly at random; else the average.', [
      'seed',
      'training',
    ]),
    call: (input, settings) => invoke('randomPool2d', input, randomOptions(settings)),
  },
  mixedPool2d: {
    ...windowed('Mixed pooling', 'a·max + (1 − a)·mean of each window, with a learnable proportion a.', ['alpha']),
    call: (input, settings) => invoke('mixedPool2d', input, poolkit.tensor([settings.alpha]), windowOptions(settings)),
  },
  gatedPool2d: {
    ...windowed('Gated pooling', 's·max + (1 − s)·mean, where the gate s = sigmoid(w·window) depends on the input.', [
      'gate',
    ]),
    call: (input, settings) => {
      const taps = settings.kernelSize[0] * settings.kernelSize[1];
      const weights = poolkit.full([Number.isInteger(taps) && taps > 0 ? taps : 1], settings.gateWeight);
      return invoke('gatedPool2d', input, weights, windowOptions(settings));
    },
  },
  lstmPool2d: {
    ...windowed(
      'LSTM pooling',
      'Each window’s cells, row by row, run through an LSTM (1 hidden unit, seeded weights).',
      ['seed'],
    ),
    call: (input, settings) => {
      const weights = invoke('initLstmPoolWeights', 1, 1, settings.seed);
      return invoke('lstmPool2d', input, weights, windowOptions(settings));
    },
  },
  fractionalMaxPool2d: {
    label: 'Fractional max pooling',
    summary: 'Max over regions of varying size chosen at random, for outputs not a whole factor smaller.',
    options: ['outputSize', 'fractional', 'seed'],
    geometry: 'traced',
    call: (input, settings) => {
      const graham = settings.fractionalMode !== 'kernel';
      return invoke('fractionalMaxPool2d', input, {
        outputSize: settings.outputSize,
        ...(graham
          ? { sequence: settings.fractionalMode, overlapping: settings.overlapping }
          : { kernelSize: settings.fractionalKernel }),
        seed: settings.seed,
        returnIndices: true,
      });
    },
  },
  spatialPyramidPool: {
    label: 'Spatial pyramid pooling',
    summary: 'Pools the whole input at several grid sizes (levels) into one fixed-length vector.',
    options: ['pyramid'],
    geometry: 'traced',
    call: (input, settings) =>
      invoke('spatialPyramidPool', input, { levels: settings.levels, mode: settings.pyramidMode }),
    grid: rowVector,
  },
  maskedPool1d: {
    label: 'Masked pooling (1D, each row a sequence)',
    summary: 'Each row is a sequence; steps past its length are padding that never counts.',
    options: ['masked', 'p'],
    geometry: 'traced',
    call: (input, settings) => {
      const [, rows, columns] = input.shape as [number, number, number];
      const sequences = poolkit.reshape(input, [rows, columns, 1]);
      const lengths = Array.from({ length: rows }, () => settings.maskedLength);
      return invoke('maskedPool1d', sequences, { lengths, mode: settings.maskedMode, p: settings.p });
    },
    grid: (shape) => [shape[0] ?? 1, 1],
  },
};

/** A kind the table does not describe: window options and a seed, traced through the gradient. */
function generic(name: string): Description {
  return {
    label: name.replace(/([A-Z])/g, ' $1').replace(/^./, (first) => first.toUpperCase()),
    summary: 'A pooling kind exported by the library; the highlighted cells are those its output depends on.',
    options: ['window', 'seed', 'training'],
    geometry: 'traced',
    call: (input, settings) => invoke(name, input, randomOptions(settings)),
  };
}

/**
 * Pooling functions of the public API, one per kind: `xxxPool2d`, `xxxPool` (global, pyramid) or
 * `maskedPool1d` (1D only); the 1D and 3D forms of 2D kinds are left to the 2D one. Fused ops that
 * end in a pool (`conv2dMaxPool2d`) are not pooling kinds: they need a filter.
 */
export function exportedPoolNames(): string[] {
  const names = Object.keys(api).filter(
    (name) =>
      /^[a-z]\w*(Pool|Unpool|Pooling)(1d|2d|3d)?$/.test(name) &&
      !name.startsWith('conv') &&
      typeof api[name] === 'function',
  );
  const stem = (name: string): string => name.replace(/[123]d$/, '');
  return names
    .filter((name) => !/[13]d$/.test(name) || !names.some((other) => other !== name && stem(other) === stem(name)))
    .sort();
}

/** Every kind on offer, known ones first in the table's order. */
export function poolKinds(): PoolKind[] {
  const exported = new Set(exportedPoolNames());
  const ordered = Object.keys(known).filter((name) => exported.has(name));
  for (const name of exported) if (!(name in known)) ordered.push(name);
  return ordered.map((name) => ({ name, ...(known[name] ?? generic(name)) }));
}

/** Runs a kind on the input; `indices` is set when the op returned them. */
export function runKind(kind: PoolKind, input: Tensor, settings: Settings): { output: Tensor; indices: Tensor | null } {
  const result = kind.call(input, settings);
  if (result instanceof poolkit.Tensor) return { output: result, indices: null };
  const { output, indices } = result as { output: Tensor; indices?: Tensor };
  return { output, indices: indices ?? null };
}

/** The output as a grid: [rows, columns] of a [1, rows, columns, 1] tensor unless the kind says. */
export function outputGrid(kind: PoolKind, output: Tensor): [number, number] {
  if (kind.grid) return kind.grid(output.shape);
  return [output.shape[1] ?? 1, output.shape[2] ?? 1];
}
