// `npm run bench:kinds`: every pooling kind with a 2D layer (the registry's seed kinds, with their
// seed settings: 2x2 windows or what the kind needs instead), forward and backward on one NHWC
// input on the wasm backend, each timed in the same rounds as max pooling so that the ratio
// (× max) survives the drift of a shared machine. Training mode, so random kinds draw.
import {
  backward,
  Pooling,
  Random,
  requireGrad,
  seedPoolingKinds,
  setBackend,
  Tensor,
  tidy,
  type RegisteredKind,
} from '../src/index.js';
import { scriptOptions, type CommandSpec } from '../cli/args.js';
import { measureTogether, type Timed } from './pooling-timing.js';

const spec: CommandSpec & { script: string } = {
  name: 'bench:kinds',
  script: 'npm run bench:kinds',
  summary:
    'Times every pooling kind with a 2D layer, forward and forward + backward, against max pooling in the same ' +
    'rounds, on the wasm backend; prints milliseconds and × max.',
  options: {
    shape: { type: 'string', value: '<n,h,w,c>', default: '8,56,56,32', description: 'NHWC input shape' },
    kinds: { type: 'string', value: '<list>', description: 'Comma-separated kinds (default: all)' },
    quick: { type: 'boolean', description: 'Fewer repetitions' },
  },
  examples: ['npm run bench:kinds', 'npm run bench:kinds -- --kinds mixed,gated --shape 32,112,112,64'],
};

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

/** Forward alone, and forward then backward, of one kind's layer. */
function contenders(kind: RegisteredKind, shape: readonly number[]): { timed: Timed[]; release: () => void } {
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
  return { timed, release: () => [input, gradient, layer].forEach((item) => item.dispose()) };
}

async function main(): Promise<void> {
  const flags = scriptOptions(spec, process.argv.slice(2), ({ values }) => values);
  if (flags === null) return;
  const shape = String(flags.shape).split(',').map(Number);
  const wanted = flags.kinds === undefined ? null : new Set(String(flags.kinds).split(','));
  const kinds = seedPoolingKinds().filter((kind) => wanted === null || wanted.has(kind.name));
  const max = seedPoolingKinds().find((kind) => kind.name === 'max')!;
  setBackend('wasm');
  console.log(`NHWC [${shape.join(', ')}], each kind's seed settings, wasm backend, training mode.\n`);
  console.log('| kind | forward ms | × max | forward + backward ms | × max |');
  console.log('|---|---:|---:|---:|---:|');
  for (const kind of kinds) {
    const ours = contenders(kind, shape);
    const reference = kind === max ? ours : contenders(max, shape);
    try {
      const all = kind === max ? ours.timed : [...reference.timed, ...ours.timed];
      const times = await measureTogether(all, flags.quick === true);
      const ms = (timed: Timed): number => times.get(timed.name)!.ms;
      const [forward, both] = ours.timed.map(ms) as [number, number];
      const [maxForward, maxBoth] = reference.timed.map(ms) as [number, number];
      const ratio = (value: number, base: number): string => (value / base).toFixed(2);
      const row = [kind.name, forward.toFixed(2), ratio(forward, maxForward), both.toFixed(2), ratio(both, maxBoth)];
      console.log(`| ${row.join(' | ')} |`);
    } finally {
      ours.release();
      if (reference !== ours) reference.release();
    }
  }
}

await main();
