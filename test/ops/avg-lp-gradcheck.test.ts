// Finite-difference checks of the average and Lp backward passes on random options: 1D/2D/3D, both
// data formats, VALID/SAME/explicit padding, ceil mode, dilation, countIncludePad both ways,
// divisorOverride, and Lp with p in {1.5, 2, 3} on inputs away from 0.
import { test } from 'node:test';
import {
  avgPool1d,
  avgPool2d,
  avgPool3d,
  lpPool1d,
  lpPool2d,
  lpPool3d,
  poolGeometry,
  Random,
  tensor,
  type AvgPoolOptions,
  type LpPoolOptions,
  type SpatialDims,
  type Tensor,
} from '../../src/index.js';
import { gradcheck } from '../helpers/gradcheck.js';

const AVG = { 1: avgPool1d, 2: avgPool2d, 3: avgPool3d };
const LP = { 1: lpPool1d, 2: lpPool2d, 3: lpPool3d };

interface RandomCase {
  dims: SpatialDims;
  shape: number[];
  options: AvgPoolOptions & LpPoolOptions;
}

/** Random pooling options that poolGeometry accepts, on a small input (gradcheck is O(size²)). */
function randomCase(random: Random): RandomCase {
  for (;;) {
    const dims = (1 + random.integer(3)) as SpatialDims;
    const spatial = Array.from({ length: dims }, () => 2 + random.integer(dims === 3 ? 3 : 5));
    const kernelSize = spatial.map(() => 1 + random.integer(3));
    const paddingKind = ['valid', 'same', 'explicit'][random.integer(3)]!;
    const padding =
      paddingKind === 'explicit'
        ? kernelSize.map((kernel) => (random.uniform() < 0.7 ? Math.floor(kernel / 2) : 0))
        : paddingKind;
    const channelsLast = random.uniform() < 0.5;
    const options = {
      kernelSize,
      stride: spatial.map(() => 1 + random.integer(3)),
      dilation: spatial.map(() => (random.uniform() < 0.25 ? 2 : 1)),
      padding: padding as AvgPoolOptions['padding'],
      ceilMode: paddingKind !== 'same' && random.uniform() < 0.5,
      dataFormat: channelsLast ? ('channelsLast' as const) : ('channelsFirst' as const),
    };
    const channels = 1 + random.integer(2);
    const shape = channelsLast ? [1, ...spatial, channels] : [1, channels, ...spatial];
    try {
      poolGeometry('gradcheck', shape, dims, options);
    } catch {
      continue;
    }
    return { dims, shape, options };
  }
}

function describeCase({ dims, shape, options }: RandomCase): string {
  return `${dims}D [${shape.join(', ')}] ${JSON.stringify(options)}`;
}

const random = new Random(4242);

for (let index = 0; index < 24; index++) {
  const example = randomCase(random);
  // Every divisor rule in turn: padding counted, not counted, overridden (sometimes negative).
  const rule = index % 3;
  example.options.countIncludePad = rule === 0;
  if (rule === 2) example.options.divisorOverride = (1 + random.integer(5)) * (random.uniform() < 0.3 ? -1 : 1);
  const size = example.shape.reduce((product, extent) => product * extent, 1);
  const input = tensor(
    Float32Array.from({ length: size }, () => random.normal()),
    example.shape,
  );
  test(`avg gradcheck ${index}: ${describeCase(example)}`, () => {
    gradcheck((x: Tensor) => AVG[example.dims](x, example.options), [input]);
  });
}

const POWERS = [1.5, 2, 3];
for (let index = 0; index < 24; index++) {
  const example = randomCase(random);
  example.options.p = POWERS[index % 3]!;
  const size = example.shape.reduce((product, extent) => product * extent, 1);
  // |x| in [0.5, 1.5] with random signs: far from the kink of |x|^p at 0.
  const values = Float32Array.from(
    { length: size },
    () => (0.5 + random.uniform()) * (random.uniform() < 0.5 ? -1 : 1),
  );
  const input = tensor(values, example.shape);
  test(`lp gradcheck ${index}: p=${example.options.p} ${describeCase(example)}`, () => {
    gradcheck((x: Tensor) => LP[example.dims](x, example.options), [input]);
  });
}
