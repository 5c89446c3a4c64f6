// The floor that e^x and ln x put under the exponential kinds' forwards (issue #15): each kind's
// definition needs so many of the kernels' own SIMD e^x and ln x per input cell (the float32 polynomials
// the reference kernels specify, bit for bit), so its forward over NHWC [32,112,112,64] 2x2/2 takes at
// least that many evaluations at the rate measured here, on data in L2 (no memory traffic), with the
// two threads assumed to scale perfectly. Beside it, the budget: 70% of the copy ceiling
// measured in the same run. Usage: npx tsx bench/transcendental-floor.ts [--rounds 7]
import { parseArgs } from 'node:util';
import { setBackend } from '../src/index.js';
import { kindsKernelModule } from '../src/kernels/wasm/kinds/index.js';
import { mathLanes, type MathMode } from '../src/kernels/wasm/kinds/weighted.js';
import { Tensor } from '../src/tensor/tensor.js';
import { copyCeilingContender, copyRate, measureTogether } from './pooling-timing.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const rounds = Number(values.rounds);
setBackend('wasm');
const kinds = kindsKernelModule;
if (kinds === null) throw new Error('the wasm kernels did not load');

/** Elements of the workload's input and output: NHWC [32,112,112,64], 2x2/2. */
const INPUT_CELLS = 32 * 112 * 112 * 64;
const OUTPUT_CELLS = INPUT_CELLS / 4;
const THREADS = 2;
/** Lanes per timed call: 64 KiB in and out, resident in L2. */
const LANES = 16384;
const CALLS = 200;

/** Inputs in each function's domain: exponents in [−8, 0], logarithms' arguments in (0, 4]. */
function domainOf(mode: MathMode): (random: number) => number {
  if (mode === 'log' || mode === 'logShort') return (random) => 1e-3 + 4 * random;
  if (mode === 'log1pNonPositive') return (random) => -0.999 * random;
  return (random) => -8 * random;
}

/** One thread's nanoseconds per element of a SIMD function (the median of `rounds`). */
function nanosecondsPerElement(mode: MathMode): number {
  const input = Tensor.allocate([LANES]);
  const output = Tensor.allocate([LANES]);
  const domain = domainOf(mode);
  for (let index = 0; index < LANES; index++) input.values[index] = domain(Math.random());
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let call = 0; call < CALLS; call++) mathLanes(kinds!, mode, input.values, output.values);
    times.push(Number(process.hrtime.bigint() - start) / (CALLS * LANES));
  }
  input.dispose();
  output.dispose();
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const modes: MathMode[] = ['exp', 'expWeight', 'log', 'logShort', 'log1pNonPositive'];
const rate = new Map(modes.map((mode) => [mode, nanosecondsPerElement(mode)]));
const cheapestLog = Math.min(rate.get('log')!, rate.get('logShort')!);
const copy = (await measureTogether([copyCeilingContender('copy')], false)).get('copy')!;
const budgetMs = ((INPUT_CELLS + OUTPUT_CELLS) * 4) / (0.7 * copyRate(copy) * 1e6);

/** Per kind: the evaluations per input cell and per output cell its definition needs, in ns each. */
const kindsNeeds: [string, string, number][] = [
  ['soft', 'e^x per cell', INPUT_CELLS * rate.get('expWeight')!],
  [
    'lse',
    'e^x per cell, ln(1 + x) per output',
    INPUT_CELLS * rate.get('expWeight')! + OUTPUT_CELLS * rate.get('log1pNonPositive')!,
  ],
  [
    'gem',
    'ln x and e^x per cell (x^p), ln and e^x per output (^1/p)',
    (INPUT_CELLS + OUTPUT_CELLS) * (cheapestLog + rate.get('expWeight')!),
  ],
];

console.log(`One thread, ${LANES} lanes in L2, median of ${rounds} rounds of ${CALLS} calls: ns per element`);
for (const [mode, ns] of rate) console.log(`  ${mode.padEnd(18)} ${ns.toFixed(3)}`);
console.log(
  `Copy ceiling ${copyRate(copy).toFixed(1)} GB/s; 70% of it over [32,112,112,64] 2x2/2: ${budgetMs.toFixed(2)} ms`,
);
console.log('kind | evaluations | floor ms on 2 threads (perfect scaling) | × the 70% budget');
for (const [kind, what, ns] of kindsNeeds) {
  const floorMs = ns / THREADS / 1e6;
  console.log(`${kind} | ${what} | ${floorMs.toFixed(2)} | ${(floorMs / budgetMs).toFixed(2)}`);
}
