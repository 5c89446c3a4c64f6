// CPU milliseconds of some pooling kinds' 2-D layers (seed settings, training mode) on one NHWC shape:
// per kind the median over repetitions of a forward call, and of forward + backward less the forward,
// on the active backend (POOLKIT_THREADS=1 for the steadiest figures). For A/B runs alternate it with the
// same script in another build. Usage: npx tsx bench/kind-cpu.ts max,blur,wavelet 128,26,26,32 [repetitions]
import { backward, Pooling, Random, requireGrad, seedPoolingKinds, Tensor, threadsReady, tidy } from '../src/index.js';

const [kindList = 'max,blur', shapeText = '128,26,26,32', repetitionsText = '15'] = process.argv.slice(2);
const shape = shapeText.split(',').map(Number);
const repetitions = Number(repetitionsText);
const cpuMs = (): number => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Forward and backward medians of one kind's layer. */
function timeKind(name: string): [number, number] {
  const kind = seedPoolingKinds().find((candidate) => candidate.name === name);
  if (!kind?.layer) throw new Error(`bench/kind-cpu: no 2-D layer for kind '${name}'`);
  const layer = new Pooling(kind, 2, { ...kind.layer.seedConfig });
  const input = Tensor.allocate(shape);
  const random = new Random(1);
  for (let index = 0; index < input.size; index++) input.values[index] = random.uniform() * 2 - 1;
  requireGrad(input);
  const apply = (): Tensor => layer.apply(input, { training: true, random: new Random(3) });
  const gradient = tidy(() => Tensor.allocate(apply().shape));
  gradient.values.fill(1 / gradient.size);
  const [forwards, backwards] = [[] as number[], [] as number[]];
  for (let repetition = 0; repetition < repetitions; repetition++) {
    let start = cpuMs();
    tidy(() => void apply());
    forwards.push(cpuMs() - start);
    start = cpuMs();
    tidy(() => backward(apply(), gradient));
    backwards.push(cpuMs() - start - forwards[forwards.length - 1]!);
    for (const tensor of [input, ...layer.parameters.map((parameter) => parameter.tensor)]) {
      tensor.grad?.dispose();
      tensor.grad = null;
    }
  }
  [input, gradient, layer].forEach((item) => item.dispose());
  return [median(forwards), median(backwards)];
}

await threadsReady();
console.log(`| kind | forward CPU ms | backward CPU ms |  (NHWC [${shape.join(', ')}])\n|---|---:|---:|`);
for (const name of kindList.split(',')) {
  const [forward, backwardMs] = timeKind(name);
  console.log(`| ${name} | ${forward.toFixed(2)} | ${backwardMs.toFixed(2)} |`);
}
process.exit(0);
