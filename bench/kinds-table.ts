// The per-kind table of `npm run bench` and `npm run bench:kinds`: every pooling kind with a 2D
// layer (the registry's seed kinds, with their seed settings: 2x2 windows or what the kind needs
// instead), forward and backward on the wasm backend, each timed in the same rounds as max pooling
// and the copy ceiling, so that the ratio (× max) and the share of the copy survive the drift of a
// shared machine. Training mode, so random kinds draw.
import { backward, Pooling, Random, requireGrad, setBackend, Tensor, tidy, type RegisteredKind } from '../src/index.js';
import {
  copyCeilingContender,
  copyRate,
  measureTogether,
  median,
  type Measurement,
  type Timed,
} from './pooling-timing.js';

/** The workloads of `npm run bench`: a large NHWC map, and the seed CNN's pooling input. */
export const KIND_WORKLOADS = [
  [32, 112, 112, 64],
  [128, 26, 26, 32],
];
const COPY = 'copy ceiling';

/** A kind's 2D layer with its seed settings, built on `shape`, and an input that requires a gradient. */
function setUp(kind: RegisteredKind, shape: readonly number[]): { layer: Pooling; input: Tensor; gradient: Tensor } {
  const layer = new Pooling(kind, 2, { ...kind.layer!.seedConfig });
  const input = Tensor.allocate(shape);
  const random = new Random(1);
  for (let index = 0; index < input.size; index++) input.values[index] = random.uniform() * 2 - 1;
  requireGrad(input);
  const probe = layer.apply(input, { training: true, random: new Random(2) });
  const gradient = Tensor.allocate(probe.shape);
  gradient.values.fill(1 / gradient.size);
  probe.dispose();
  return { layer, input, gradient };
}

/** A kind's contenders: forward alone, and forward then backward; `bytes` is what one pass must move. */
interface Contenders {
  readonly timed: Timed[];
  readonly bytes: number;
  release(): void;
}

/** Forward alone, and forward then backward, of one kind's layer. */
function contenders(kind: RegisteredKind, shape: readonly number[]): Contenders {
  const { layer, input, gradient } = setUp(kind, shape);
  const forward = (): Tensor => layer.apply(input, { training: true, random: new Random(3) });
  const clearGrads = (): void => {
    for (const tensor of [input, ...layer.parameters.map((parameter) => parameter.tensor)]) {
      tensor.grad?.dispose();
      tensor.grad = null;
    }
  };
  const timed: Timed[] = [
    { name: `${kind.name} forward`, run: () => tidy(() => void forward()) },
    {
      name: `${kind.name} forward + backward`,
      run: () => {
        tidy(() => backward(forward(), gradient));
        clearGrads();
      },
    },
  ];
  // Forward: the input read and the output written once; backward: gradOutput read, gradInput written once.
  const bytes = 4 * (input.size + gradient.size);
  return { timed, bytes, release: () => [input, gradient, layer].forEach((item) => item.dispose()) };
}

/**
 * Forward and backward medians: the backward is the median over rounds of the forward + backward
 * run less the forward run of the same round (neighbours in time, so the machine's drift cancels).
 */
function passes(ours: Contenders, times: Map<string, Measurement>): [number, number] {
  const [forward, both] = ours.timed.map((timed) => times.get(timed.name)!) as [Measurement, Measurement];
  const rounds = Math.min(forward.times!.length, both.times!.length);
  const differences = Array.from({ length: rounds }, (_, round) => both.times![round]! - forward.times![round]!);
  return [forward.ms, median(differences)];
}

/** The table rows of one kind on one shape, timed beside max pooling and the copy ceiling. */
export async function kindRows(kind: RegisteredKind, max: RegisteredKind, shape: readonly number[], quick: boolean) {
  const ours = contenders(kind, shape);
  const reference = kind === max ? ours : contenders(max, shape);
  try {
    const copy = copyCeilingContender(COPY);
    const all = kind === max ? [copy, ...ours.timed] : [copy, ...reference.timed, ...ours.timed];
    const times = await measureTogether(all, quick);
    const ceiling = copyRate(times.get(COPY)!);
    const [maxPasses, ourPasses] = [passes(reference, times), passes(ours, times)];
    return ['forward', 'backward'].map((pass, index) => {
      const [ms, maxMs] = [ourPasses[index]!, maxPasses[index]!];
      const rate = ours.bytes / (ms * 1e6);
      const cells = [kind.name, pass, ms.toFixed(2), (ms / maxMs).toFixed(2), rate.toFixed(1)];
      return `| ${[...cells, `${((100 * rate) / ceiling).toFixed(0)}%`, ceiling.toFixed(1)].join(' | ')} |`;
    });
  } finally {
    ours.release();
    if (reference !== ours) reference.release();
  }
}

/**
 * The table of `kinds` on each of `shapes` (markdown, one section per shape), each row printed as
 * it is measured (a full run takes minutes).
 */
export async function kindTables(
  shapes: readonly (readonly number[])[],
  kinds: readonly RegisteredKind[],
  max: RegisteredKind,
  quick: boolean,
): Promise<string> {
  setBackend('wasm');
  const lines: string[] = [];
  const say = (line: string): void => {
    console.log(line);
    lines.push(line);
  };
  for (const shape of shapes) {
    say(`\nNHWC [${shape.join(', ')}], each kind's seed settings, wasm backend, training mode.`);
    say(
      'Backward = (forward + backward) − forward, paired by round. GB/s: input + output (gradOutput + gradInput) bytes.\n',
    );
    say('| kind | pass | ms | × max | GB/s | % of copy | copy GB/s |');
    say('|---|---|---:|---:|---:|---:|---:|');
    for (const kind of kinds) say((await kindRows(kind, max, shape, quick)).join('\n'));
  }
  return lines.join('\n');
}
