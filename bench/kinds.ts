// `npm run bench:kinds`: the per-kind table of `npm run bench` (bench/kinds-table.ts) alone, for
// some kinds or one shape.
import { seedPoolingKinds } from '../src/index.js';
import { scriptOptions, type CommandSpec } from '../cli/args.js';
import { KIND_WORKLOADS, kindTables } from './kinds-table.js';

const spec: CommandSpec & { script: string } = {
  name: 'bench:kinds',
  script: 'npm run bench:kinds',
  summary:
    'Times every pooling kind with a 2D layer, forward and backward, against max pooling and the copy ceiling in ' +
    'the same rounds, on the wasm backend; prints milliseconds, × max, GB/s and % of the copy ceiling.',
  options: {
    shape: {
      type: 'string',
      value: '<n,h,w,c>',
      description: "One NHWC input shape (default: [32,112,112,64] and [128,26,26,32], the seed CNN's)",
    },
    kinds: { type: 'string', value: '<list>', description: 'Comma-separated kinds (default: all)' },
    quick: { type: 'boolean', description: 'Fewer repetitions' },
  },
  examples: ['npm run bench:kinds', 'npm run bench:kinds -- --kinds mixed,gated --shape 32,112,112,64 --quick'],
};

async function main(): Promise<void> {
  const flags = scriptOptions(spec, process.argv.slice(2), ({ values }) => values);
  if (flags === null) return;
  const shapes = flags.shape === undefined ? KIND_WORKLOADS : [String(flags.shape).split(',').map(Number)];
  const wanted = flags.kinds === undefined ? null : new Set(String(flags.kinds).split(','));
  const kinds = seedPoolingKinds().filter((kind) => wanted === null || wanted.has(kind.name));
  const max = seedPoolingKinds().find((kind) => kind.name === 'max')!;
  await kindTables(shapes, kinds, max, flags.quick === true);
}

await main();
