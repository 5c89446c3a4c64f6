// Pooling kinds' seed layers timed as a training step sees them (issue #15): forward, and forward +
// backward, each the median CPU ms of several calls (run on one thread: the process's CPU time is the
// layer's), beside max pooling in the same run. For before/after checks while working on a kernel: run
// the same file from two builds, alternately (no timings in tests).
// Usage: POOLKIT_THREADS=1 npx tsx bench/layer-cpu.ts [kinds] [--shape n,h,w,c] [--rounds 15] [--channels-first]
// (--channels-first: NCHW layers, the shape given as n,c,h,w; default 128,32,26,26)
import { parseArgs } from 'node:util';
import {
  backward,
  findPoolingKind,
  Pooling,
  Random,
  requireGrad,
  setBackend,
  Tensor,
  threadsReady,
  tidy,
  type DataFormat,
} from '../src/index.js';
import { medianCpuMs as timed } from './pooling-timing.js';

/** Forward and forward + backward of a kind's seed layer on `shape` (inputs uniform in [−1, 1]). */
function passes(name: string, shape: readonly number[], dataFormat: DataFormat): [() => void, () => void, () => void] {
  const kind = findPoolingKind(name)!;
  const layer = new Pooling(kind, 2, { ...kind.layer!.seedConfig, dataFormat });
  const input = Tensor.allocate(shape);
  const random = new Random(1);
  for (let index = 0; index < input.size; index++) input.values[index] = random.uniform() * 2 - 1;
  requireGrad(input);
  const forward = (): Tensor => layer.apply(input, { training: true, random: new Random(3) });
  const probe = forward();
  const gradient = Tensor.allocate(probe.shape);
  for (let index = 0; index < gradient.size; index++) gradient.values[index] = random.uniform() - 0.5;
  probe.dispose();
  const clear = (): void => {
    for (const tensor of [input, ...layer.parameters.map((parameter) => parameter.tensor)]) {
      tensor.grad?.dispose();
      tensor.grad = null;
    }
  };
  return [
    () => tidy(() => void forward()),
    () => {
      tidy(() => backward(forward(), gradient));
      clear();
    },
    () => [input, gradient, layer].forEach((item) => item.dispose()),
  ];
}

const { values, positionals } = parseArgs({
  options: { shape: { type: 'string' }, rounds: { type: 'string' }, 'channels-first': { type: 'boolean' } },
  allowPositionals: true,
});
const dataFormat: DataFormat = values['channels-first'] ? 'channelsFirst' : 'channelsLast';
const shape = (values.shape ?? (dataFormat === 'channelsFirst' ? '128,32,26,26' : '128,26,26,32'))
  .split(',')
  .map(Number);
const rounds = Number(values.rounds ?? 15);
const names = (positionals[0] ?? 'average,soft,mixed,blur,covariance').split(',');
setBackend('wasm');
await threadsReady();
console.log(
  `${dataFormat === 'channelsFirst' ? 'NCHW' : 'NHWC'} [${shape.join(',')}], seed settings, median CPU ms of ${rounds} calls: forward, backward (both − forward)`,
);
for (const name of ['max', ...names]) {
  const [forward, both, release] = passes(name, shape, dataFormat);
  const [forwardMs, bothMs] = [timed(forward, rounds), timed(both, rounds)];
  console.log(`${name.padEnd(15)} ${forwardMs.toFixed(2).padStart(7)} ${(bothMs - forwardMs).toFixed(2).padStart(7)}`);
  release();
}
process.exit(0);
