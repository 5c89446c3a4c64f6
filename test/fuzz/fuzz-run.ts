// The registry fuzzer's child process: runs seeded cases over every kind and rank of the registry
// on every backend, classifies each, and reports. A line 'start <n> <case>' precedes each case so
// the parent can bound every case in time; the last line is 'result <json>'.
// Usage: node --import tsx test/fuzz/fuzz-run.ts <seed> <cases>
import {
  backward,
  listBackends,
  matmul,
  randomUniform,
  memoryStats,
  PoolkitArgumentError,
  setBackend,
  Tensor,
  tidy,
} from '../../src/index.js';
import { opKeys } from '../../src/pooling/options.js';
import { poolingKinds } from '../../src/pooling/registry.js';
import { EXAMPLE_TENSORS, planCase, type FuzzPlan } from './fuzz-cases.js';
import { makeTensor, materialize, tensorSpec } from './fuzz-values.js';

/** What one backend's call gave: copies of its outputs (and the input's gradient), or the error. */
type CallOutcome = { values: Float64Array[] } | { error: unknown };

const failures: { kind: string; outcome: string; detail: string; plan: string }[] = [];
const counts = { cases: 0, calls: 0, correct: 0, clearErrors: 0, validPlans: 0, hostilePlans: 0 };
const outcomes: Record<string, number> = {};
/** Per kind: [correct, clear errors]. */
const byKind: Record<string, [number, number]> = {};
let canarySize = 1000;
const sentinel = Tensor.allocate([4099]);
sentinel.values.forEach((_, index, values) => (values[index] = index * 0.5));

function describePlan(plan: FuzzPlan): string {
  const { kind, ...rest } = plan;
  return JSON.stringify({ kind: kind.name, ...rest }, (_, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
  );
}

/** The plan's tensor arguments; the kind's example call makes them where the plan says so. */
function argumentTensors(plan: FuzzPlan, input: unknown, options: unknown, owned: Tensor[]): Tensor[] {
  if (plan.tensors[0] !== EXAMPLE_TENSORS) return plan.tensors.map((tensor) => materialize(tensor, owned)) as Tensor[];
  try {
    const made = plan.kind.example!(input as Tensor, options as Record<string, unknown>).tensors;
    owned.push(...made);
    return [...made];
  } catch {
    return []; // an input the example cannot use: the op will say what is wrong with it
  }
}

/** Runs the plan once on the active backend; everything it made is disposed. */
function runOnce(plan: FuzzPlan): CallOutcome {
  const owned: Tensor[] = [];
  try {
    return tidy(() => {
      const input = materialize(plan.input, owned) as Tensor;
      const options = materialize(plan.options, owned);
      const tensors = argumentTensors(plan, input, options, owned);
      const wantsGradient = plan.backward && input instanceof Tensor && !input.isDisposed && input.dtype === 'float32';
      if (wantsGradient) input.requiresGrad = true;
      counts.calls++;
      const result = plan.kind.apply(input, tensors, options, plan.rank);
      const parts = result instanceof Tensor ? [result] : [result.output, result.indices];
      const values = parts.map((part) => Float64Array.from(part.dtype === 'int32' ? part.intValues : part.values));
      if (wantsGradient && parts[0]!.requiresGrad) {
        counts.calls++;
        backward(parts[0]!, makeTensor(tensorSpec(parts[0]!.shape, 'values', 77), owned));
        values.push(Float64Array.from(input.grad!.values));
        input.grad!.dispose();
      }
      return { values };
    });
  } catch (error) {
    return { error };
  } finally {
    for (const tensor of owned) if (!tensor.isDisposed) tensor.dispose();
  }
}

const same = (left: number, right: number, tolerance?: { relative: number; absolute: number }): boolean =>
  Object.is(left, right) ||
  (Number.isNaN(left) && Number.isNaN(right)) ||
  (tolerance !== undefined && Math.abs(left - right) <= tolerance.relative * Math.abs(right) + tolerance.absolute);

/** Where two backends' values differ, or null. */
function mismatch(plan: FuzzPlan, actual: Float64Array[], expected: Float64Array[]): string | null {
  if (actual.length !== expected.length) return `${actual.length} results against ${expected.length}`;
  for (const [part, values] of actual.entries()) {
    const wanted = expected[part]!;
    if (values.length !== wanted.length) return `result ${part}: ${values.length} values against ${wanted.length}`;
    for (let index = 0; index < values.length; index++) {
      if (!same(values[index]!, wanted[index]!, plan.kind.tolerance)) {
        return `result ${part}[${index}]: ${values[index]} against the reference's ${wanted[index]}`;
      }
    }
  }
  return null;
}

/** Why an error is not a clear one, or null when it is a PoolkitArgumentError naming a real argument. */
function unclear(plan: FuzzPlan, error: unknown): string | null {
  if (!(error instanceof PoolkitArgumentError)) return `not a PoolkitArgumentError: ${String(error)}`;
  const known = [...opKeys(plan.kind.options), 'input', 'options', ...(plan.kind.tensorArguments ?? [])];
  if (!known.includes(error.argument)) return `names '${error.argument}', which the op does not take: ${error.message}`;
  if (error.op !== plan.kind.opName(plan.rank)) return `names op '${error.op}': ${error.message}`;
  return null;
}

/** Fills and reads back a tensor of a size not asked for before, and checks the heap's books and the sentinel. */
function heapDamage(before: number): string | null {
  if (memoryStats().bytesUndisposed !== before)
    return `bytesUndisposed ${memoryStats().bytesUndisposed}, was ${before}`;
  canarySize = (canarySize * 1103 + 17) % 200_003;
  const canary = Tensor.allocate([canarySize + 1]);
  canary.values.forEach((_, index, values) => (values[index] = index));
  const intact = canary.values.every((value, index) => value === index);
  canary.dispose();
  if (!intact) return `a canary of ${canarySize + 1} elements did not read back what was written`;
  if (!sentinel.values.every((value, index) => value === index * 0.5)) return 'the sentinel tensor changed';
  return memoryStats().bytesUndisposed === before ? null : 'the canary was not freed';
}

function record(plan: FuzzPlan, outcome: string, detail = ''): void {
  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  const tally = (byKind[plan.kind.name] ??= [0, 0]);
  if (outcome === 'correct') {
    counts.correct++;
    tally[0]++;
  } else if (outcome === 'clear error') {
    counts.clearErrors++;
    tally[1]++;
  } else failures.push({ kind: plan.kind.name, outcome, detail, plan: describePlan(plan) });
}

function runCase(plan: FuzzPlan): void {
  const before = memoryStats().bytesUndisposed;
  const results = listBackends().map((name) => {
    setBackend(name);
    return { name, outcome: runOnce(plan) };
  });
  const reference = results.find((result) => result.name === 'reference')!.outcome;
  const damage = heapDamage(before);
  if (damage !== null) return record(plan, 'heap damage', damage);
  for (const { name, outcome } of results) {
    if ('error' in outcome !== 'error' in reference) {
      const error = 'error' in outcome ? outcome.error : (reference as { error: unknown }).error;
      return record(
        plan,
        'backends disagree',
        `${name}: ${'error' in outcome ? 'threw' : 'returned'}: ${String(error)}`,
      );
    }
    const problem =
      'error' in outcome
        ? unclear(plan, outcome.error)
        : mismatch(plan, outcome.values, (reference as { values: Float64Array[] }).values);
    if (problem !== null)
      return record(plan, 'error' in outcome ? 'unclear error' : 'wrong answer', `${name}: ${problem}`);
  }
  record(plan, 'error' in reference ? 'clear error' : 'correct');
}

/**
 * The wasm matrix product keeps a scratch region that grows, never shrinks, to the largest product
 * asked (train-arguments.ts): one large product first, so the heap's books hold still in the cases.
 */
function warmUp(): void {
  for (const name of listBackends()) {
    setBackend(name);
    tidy(() => void matmul(randomUniform([512, 512]), randomUniform([512, 512])));
  }
}

warmUp();
const [seed, total] = [Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 1500)];
const pairs = poolingKinds.flatMap((kind) => kind.ranks.map((rank) => ({ kind, rank })));
for (let index = 0; index < total; index++) {
  const { kind, rank } = pairs[index % pairs.length]!;
  const plan = planCase(kind, rank, seed * 1_000_003 + index);
  process.stdout.write(`start ${index} ${describePlan(plan)}\n`);
  counts.cases++;
  if (plan.hostile === null) counts.validPlans++;
  else counts.hostilePlans++;
  runCase(plan);
}
const kinds = poolingKinds.map((kind) => kind.name);
const report = { counts, outcomes, byKind, failures: failures.slice(0, 50), kinds, pairs: pairs.length };
process.stdout.write(`result ${JSON.stringify(report)}\n`);
