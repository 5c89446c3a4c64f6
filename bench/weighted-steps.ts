// A training step's pooling alone (the layer's forward on the tape, then its backward) of some kinds, CPU ms
// per call (process.cpuUsage), kinds interleaved round by round, medians. Not a test: for A/B runs of a kernel
// change (run the same file from two checkouts, alternately). Usage:
// POOLKIT_THREADS=1 npx tsx bench/weighted-steps.ts [kinds, default max,soft,gem,lse,lip,adaPool,detailPreserving] [shape, default 128,26,26,32] [rounds]
import { backward, Pooling, Random, requireGrad, seedPoolingKinds, Tensor, threadsReady, tidy } from '../src/index.js';

const kindNames = (process.argv[2] ?? 'max,soft,gem,lse,lip,adaPool,detailPreserving').split(',');
const shape = (process.argv[3] ?? '128,26,26,32').split(',').map(Number);
const rounds = Number(process.argv[4] ?? 15);

/** CPU milliseconds of one call of `body`. */
function cpuMs(body: () => void): number {
  const start = process.cpuUsage();
  body();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

await threadsReady();
const kinds = kindNames.map((name) => seedPoolingKinds().find((kind) => kind.name === name)!);
const setups = kinds.map((kind) => {
  const layer = new Pooling(kind, 2, { ...kind.layer!.seedConfig });
  const input = Tensor.allocate(shape);
  const random = new Random(1);
  for (let index = 0; index < input.size; index++) input.values[index] = random.uniform() * 2 - 1;
  requireGrad(input);
  const forward = (): Tensor => layer.apply(input, { training: true, random: new Random(3) });
  const probe = forward();
  const gradient = Tensor.allocate(probe.shape);
  gradient.values.fill(1 / probe.size);
  probe.dispose();
  const clear = (): void => {
    for (const tensor of [input, ...layer.parameters.map((parameter) => parameter.tensor)]) {
      tensor.grad?.dispose();
      tensor.grad = null;
    }
  };
  return { forward, gradient, clear, times: { forward: [] as number[], both: [] as number[] } };
});
for (let round = 0; round < rounds; round++) {
  for (const setup of setups) {
    setup.times.forward.push(cpuMs(() => tidy(() => void setup.forward())));
    setup.times.both.push(
      cpuMs(() => {
        tidy(() => backward(setup.forward(), setup.gradient));
        setup.clear();
      }),
    );
  }
}
kinds.forEach((kind, index) => {
  const { forward, both } = setups[index]!.times;
  const backwardMs = median(both.map((total, round) => total - forward[round]!));
  console.log(`${kind.name.padEnd(18)} forward ${median(forward).toFixed(2)} ms  backward ${backwardMs.toFixed(2)} ms`);
});
