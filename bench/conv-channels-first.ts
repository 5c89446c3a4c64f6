// conv2d in channelsFirst (NCHW: a transpose each way around the NHWC convolution, forward and
// backward) beside the same convolution in channelsLast: median CPU ms of forward and of forward +
// backward, in the same run. Run it from two builds alternately for before/after (no timings in tests).
// Usage: POOLKIT_THREADS=1 npx tsx bench/conv-channels-first.ts [--rounds 15]
import { backward, conv2d, Random, requireGrad, Tensor, threadsReady, tidy, type DataFormat } from '../src/index.js';
import { medianCpuMs } from './pooling-timing.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 15;

function uniform(shape: readonly number[], random: Random): Tensor {
  const tensor = Tensor.allocate(shape);
  for (let index = 0; index < tensor.size; index++) tensor.values[index] = random.uniform() * 2 - 1;
  return tensor;
}

/** Forward and forward + backward of conv2d on [128, 1, 28, 28] (or its NHWC) with 32 3x3 filters. */
function passes(dataFormat: DataFormat): [() => void, () => void] {
  const random = new Random(1);
  const input = requireGrad(uniform(dataFormat === 'channelsFirst' ? [128, 1, 28, 28] : [128, 28, 28, 1], random));
  const filter = requireGrad(uniform([3, 3, 1, 32], random));
  const bias = requireGrad(uniform([32], random));
  const gradient = uniform(dataFormat === 'channelsFirst' ? [128, 32, 26, 26] : [128, 26, 26, 32], random);
  const forward = (): Tensor => conv2d(input, filter, bias, { dataFormat });
  const both = (): void => {
    tidy(() => backward(forward(), gradient));
    for (const tensor of [input, filter, bias]) {
      tensor.grad?.dispose();
      tensor.grad = null;
    }
  };
  return [() => tidy(() => void forward()), both];
}

await threadsReady();
const [firstForward, firstBoth] = passes('channelsFirst');
const [lastForward, lastBoth] = passes('channelsLast');
const cells = [
  `channelsFirst forward ${medianCpuMs(firstForward, rounds).toFixed(2)} ms`,
  `forward+backward ${medianCpuMs(firstBoth, rounds).toFixed(2)} ms`,
  `channelsLast forward ${medianCpuMs(lastForward, rounds).toFixed(2)} ms`,
  `forward+backward ${medianCpuMs(lastBoth, rounds).toFixed(2)} ms`,
];
console.log(`conv2d [128,1,28,28] 32 3x3 filters: ${cells.join('; ')}`);
