// Two builds' seed layers in one process (issue #15): this tree and another checkout of poolkit (its
// src/ and built wasm, e.g. a copy of the branch's starting commit), each kind's forward and
// forward + backward timed in alternation, call by call, so the machine's drift (shared cores) falls
// on both alike; median CPU ms per call on [128,26,26,32]. Layer-cpu.ts run from the two trees in turn
// sees minutes of drift between them. The two builds keep separate heaps and wasm instances.
// Usage: POOLKIT_THREADS=1 npx tsx bench/layer-ab.ts <other checkout> [kinds] [--rounds 15]
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as here from '../src/index.js';

type Poolkit = typeof here;

/** A kind's forward and forward + backward calls on one build (inputs uniform in [−1, 1]). */
function passes(poolkit: Poolkit, name: string): [() => void, () => void] {
  poolkit.setBackend('wasm');
  const kind = poolkit.findPoolingKind(name)!;
  const layer = new poolkit.Pooling(kind, 2, { ...kind.layer!.seedConfig });
  const input = poolkit.Tensor.allocate([128, 26, 26, 32]);
  const random = new poolkit.Random(1);
  for (let index = 0; index < input.size; index++) input.values[index] = random.uniform() * 2 - 1;
  poolkit.requireGrad(input);
  const forward = () => layer.apply(input, { training: true, random: new poolkit.Random(3) });
  const probe = forward();
  const gradient = poolkit.Tensor.allocate(probe.shape);
  for (let index = 0; index < gradient.size; index++) gradient.values[index] = random.uniform() - 0.5;
  probe.dispose();
  const both = (): void => {
    poolkit.tidy(() => poolkit.backward(forward(), gradient));
    for (const tensor of [input, ...layer.parameters.map((parameter) => parameter.tensor)]) {
      tensor.grad?.dispose();
      tensor.grad = null;
    }
  };
  return [() => poolkit.tidy(() => void forward()), both];
}

/** CPU ms of one call of `body`, after one untimed call. */
function cpuMs(body: () => void): number {
  body();
  const start = process.cpuUsage();
  body();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const { values, positionals } = parseArgs({ options: { rounds: { type: 'string' } }, allowPositionals: true });
if (positionals[0] === undefined) throw new Error('usage: bench/layer-ab.ts <other checkout> [kinds] [--rounds 15]');
const other = (await import(path.resolve(positionals[0], 'src/index.js'))) as Poolkit;
const rounds = Number(values.rounds ?? 15);
await Promise.all([other.threadsReady(), here.threadsReady()]);
console.log(
  `[128,26,26,32], seed settings, median CPU ms of ${rounds} alternated calls: forward, backward (both − forward)`,
);
for (const name of ['max', ...(positionals[1] ?? 'roiAlign,covariance').split(',')]) {
  const builds = [other, here].map((poolkit) => passes(poolkit, name));
  const times = builds.map(() => [[], []] as number[][]);
  for (let round = 0; round < rounds; round++)
    builds.forEach((calls, build) => calls.forEach((call, pass) => times[build]![pass]!.push(cpuMs(call))));
  builds.forEach((_, build) => {
    const [forward, both] = times[build]!.map(median) as [number, number];
    const label = `${name} (${build === 0 ? 'other' : 'this'})`.padEnd(24);
    console.log(`${label} ${forward.toFixed(2).padStart(7)} ${(both - forward).toFixed(2).padStart(7)}`);
  });
}
process.exit(0);
