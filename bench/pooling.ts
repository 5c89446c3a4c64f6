// Pooling benchmark: poolkit (reference, wasm on 1 thread, wasm on every core) against TensorFlow.js
// (wasm, cpu) and ONNX Runtime (CPU) on the same inputs, with the memory copy ceiling for scale.
// Writes BENCHMARKS.md (atomically) and prints the same tables, ending with every pooling kind (kinds-table.ts).
//   npm run bench            full run (several minutes)
//   npm run bench -- --quick  one workload, fewer repetitions
//   ... -- --ours                poolkit wasm only (2 threads and 1), printed, BENCHMARKS.md untouched:
//                                for before/after comparisons while working on a kernel
import { renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  OPERATIONS,
  onnxContender,
  poolkitContender,
  tfjsContender,
  type Contender,
  type Runner,
  type Workload,
} from './pooling-peers.js';
import { OPERATION_NAMES, renderReport, renderShares, type ReportInput, type Results } from './pooling-report.js';
import { copyCeilingContender, measureTogether, type Measurement, type Timed } from './pooling-timing.js';
import { describeCores, probeCores } from './cores.js';
import { streamProbe } from './stream-probe.js';
import { setThreadCount, threadsReady } from '../src/kernels/wasm/threads.js';
import { scriptOptions, type CommandSpec } from '../cli/args.js';
import { seedPoolingKinds } from '../src/index.js';
import { KIND_WORKLOADS, kindTables } from './kinds-table.js';

const WORKLOADS: readonly Workload[] = [
  { label: '[32,112,112,64] 2x2/2', shape: [32, 112, 112, 64], kernel: 2, stride: 2, padding: 'valid' },
  { label: '[32,112,112,64] 3x3/2 same', shape: [32, 112, 112, 64], kernel: 3, stride: 2, padding: 'same' },
  { label: '[128,26,26,32] 2x2/2', shape: [128, 26, 26, 32], kernel: 2, stride: 2, padding: 'valid' },
];

const COPY_BESIDE_ALL = 'copy ceiling beside all threads';
const COPY_BESIDE_ONE = 'copy ceiling beside 1 thread';
const STREAM_ON_ALL = 'wasm stream on all threads';
const STREAM_ON_ONE = 'wasm stream on 1 thread';

/** Contenders timed together; the thread count is set once per phase (changing it restarts workers). */
interface Phase {
  readonly threads: number;
  readonly contenders: readonly Contender[];
  /** The copy ceiling and the wasm stream probe timed beside them. */
  readonly copyName: string;
  readonly streamName: string;
}

const spec: CommandSpec & { script: string } = {
  name: 'bench',
  script: 'npm run bench',
  summary:
    'Times poolkit (reference, wasm on 1 thread and on every core) against TensorFlow.js and ONNX Runtime ' +
    'on the same pooling inputs; writes BENCHMARKS.md. A full run takes several minutes.',
  options: {
    quick: { type: 'boolean', description: 'One workload, fewer repetitions' },
    ours: {
      type: 'boolean',
      description: 'poolkit wasm only (all threads and 1), printed; BENCHMARKS.md untouched',
    },
  },
  examples: ['npm run bench', 'npm run bench -- --quick', 'npm run bench -- --ours'],
};

async function main(): Promise<void> {
  const flags = scriptOptions(spec, process.argv.slice(2), ({ values }) => values);
  if (flags === null) return;
  const quick = flags.quick === true;
  const ours = flags.ours === true;
  const threads = availableParallelism();
  const phases: Phase[] = [
    {
      threads,
      copyName: COPY_BESIDE_ALL,
      streamName: STREAM_ON_ALL,
      contenders: [
        poolkitContender(`poolkit wasm ${threads} threads`, 'wasm', threads),
        ...(ours ? [] : [tfjsContender('tfjs-wasm', 'wasm'), onnxContender(`onnxruntime ${threads} threads`, threads)]),
      ],
    },
    {
      threads: 1,
      copyName: COPY_BESIDE_ONE,
      streamName: STREAM_ON_ONE,
      contenders: [
        poolkitContender('poolkit wasm 1 thread', 'wasm', 1),
        ...(ours ? [] : [poolkitContender('poolkit reference', 'reference', 1), tfjsContender('tfjs-cpu', 'cpu')]),
      ],
    },
  ];
  // Table order: poolkit wasm on all threads, on 1 thread, reference, then the peers.
  const contenders = [phases[0]!.contenders[0]!, ...phases[1]!.contenders.slice(0, ours ? 1 : 2)];
  if (!ours) contenders.push(...phases[0]!.contenders.slice(1), phases[1]!.contenders[2]!);
  await setThreadCount(threads);
  const cores = describeCores(await probeCores());
  console.log(cores);
  const copies = new Map(phases.map((phase) => [phase.copyName, copyCeilingContender(phase.copyName)]));
  const workloads = quick ? WORKLOADS.slice(2) : WORKLOADS;
  const results: Results = new Map();
  for (const workload of workloads) {
    const values = inputValues(workload);
    const probe = streamProbe(values.length);
    const runners = new Map<string, Runner>();
    for (const contender of contenders) runners.set(contender.name, await contender.prepare(workload, values));
    for (const operation of OPERATIONS) {
      const key = `${workload.label}|${operation}`;
      const row = new Map<string, Measurement | null>();
      results.set(key, row);
      for (const phase of phases) {
        await setThreadCount(phase.threads);
        await threadsReady();
        const timed: Timed[] = [copies.get(phase.copyName)!];
        const backward = operation === 'maxBackward' || operation === 'avgBackward';
        if (probe !== null) timed.push(probe.contender(phase.streamName, backward ? 'spread' : 'gather'));
        for (const { name } of phase.contenders) {
          const runner = runners.get(name)!;
          if (runner.supports(operation)) timed.push({ name, run: () => runner.run(operation) });
          else row.set(name, null);
        }
        for (const [name, timing] of await measureTogether(timed, quick)) row.set(name, timing);
      }
      for (const [name, timing] of row)
        console.log(`${workload.label}  ${OPERATION_NAMES[operation]}  ${name}: ${describe(timing)}`);
    }
    runners.forEach((runner) => runner.dispose());
    probe?.dispose();
    (globalThis as { gc?: () => void }).gc?.();
  }
  const report: ReportInput = {
    results,
    workloads: WORKLOADS,
    contenders: contenders.map(({ name }) => name),
    copyBesideAll: COPY_BESIDE_ALL,
    copyBesideOne: COPY_BESIDE_ONE,
    streamOnAll: STREAM_ON_ALL,
    streamOnOne: STREAM_ON_ONE,
  };
  if (ours) {
    console.log(`\n${renderShares(report)}`);
    process.exit(0);
  }
  // Every kind beside max pooling and the copy ceiling, on all threads (issue #15's table).
  await setThreadCount(threads);
  await threadsReady();
  const seedKinds = seedPoolingKinds();
  const kindTable = await kindTables(
    KIND_WORKLOADS,
    seedKinds,
    seedKinds.find((kind) => kind.name === 'max')!,
    quick,
  );
  const document = `${renderReport(report, quick, cores)}\n## Every pooling kind\n\n${KIND_TABLE_NOTE}\n${kindTable}\n`;
  console.log(`\n${document}`);
  writeFileSync('BENCHMARKS.md.tmp', document);
  renameSync('BENCHMARKS.md.tmp', 'BENCHMARKS.md');
  process.exit(0); // worker threads and ONNX Runtime's pool would otherwise keep the process alive
}

const KIND_TABLE_NOTE =
  `Each kind with its seed settings (bench/kinds-table.ts; \`npm run bench:kinds\` runs this part alone), ` +
  `on all threads, timed in the same rounds as max pooling and the copy ceiling.`;

/** The same deterministic values for every contender: a smooth wave with ties and negatives. */
function inputValues(workload: Workload): Float32Array {
  const size = workload.shape.reduce((product, extent) => product * extent, 1);
  return Float32Array.from({ length: size }, (_, index) => Math.round(Math.sin(index * 0.37) * 1000) / 100);
}

function describe(timing: Measurement | null): string {
  return timing === null ? 'n/a' : `${timing.ms.toFixed(2)} ms (${timing.runs} runs)`;
}

await main();
