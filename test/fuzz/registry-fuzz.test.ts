// The registry fuzzer (issue #20): seeded cases over every pooling kind and rank of the registry,
// valid and hostile, on every backend, in a child process (fuzz-run.ts) whose every case is bounded
// in time. Fails on any outcome but a correct answer (wasm equal to the reference) or a clear
// error (a PoolkitArgumentError of the op naming an argument it takes): an unclear error, a wrong
// answer, backends that disagree, heap damage, or a hang. POOLKIT_FUZZ_SEED and
// POOLKIT_FUZZ_CASES explore further.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { poolingKinds } from '../../src/pooling/registry.js';

const SEED = Number(process.env.POOLKIT_FUZZ_SEED ?? 20260420);
const CASES = Number(process.env.POOLKIT_FUZZ_CASES ?? 1500);
/** A case that runs this long has hung (the slowest take milliseconds; the machine may be loaded). */
const CASE_LIMIT_MS = 30_000;

interface Report {
  counts: {
    cases: number;
    calls: number;
    correct: number;
    clearErrors: number;
    validPlans: number;
    hostilePlans: number;
  };
  outcomes: Record<string, number>;
  byKind: Record<string, [number, number]>;
  failures: { kind: string; outcome: string; detail: string; plan: string }[];
  kinds: string[];
}

/** Runs the child; resolves with its report, or rejects naming the case that hung or the way it died. */
function runFuzzer(): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fuzz/fuzz-run.ts', String(SEED), String(CASES)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let [buffer, errors, current, report] = ['', '', 'before the first case', null as Report | null];
    let watchdog = setTimeout(() => hang(), CASE_LIMIT_MS);
    const hang = () => {
      child.kill('SIGKILL');
      reject(new Error(`hang: a case ran over ${CASE_LIMIT_MS / 1000} s: ${current}`));
    };
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('start ')) {
          current = line.slice(6);
          clearTimeout(watchdog);
          watchdog = setTimeout(() => hang(), CASE_LIMIT_MS);
        } else if (line.startsWith('result ')) report = JSON.parse(line.slice(7)) as Report;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      if (report !== null && code === 0) resolve(report);
      else
        reject(new Error(`the fuzzer died (code ${code}, signal ${signal}) during ${current}: ${errors.slice(-2000)}`));
    });
  });
}

test(`registry fuzzer: ${CASES} seeded cases over every kind, rank and backend`, async (context) => {
  const report = await runFuzzer();
  const { counts } = report;
  context.diagnostic(
    `seed ${SEED}: ${counts.cases} cases (${counts.validPlans} drawn valid, ${counts.hostilePlans} hostile), ` +
      `${counts.calls} calls: ${counts.correct} correct, ${counts.clearErrors} clear errors, ` +
      `${counts.cases - counts.correct - counts.clearErrors} failures; outcomes ${JSON.stringify(report.outcomes)}`,
  );
  const listed = report.failures.map(
    (failure) => `${failure.kind}: ${failure.outcome}: ${failure.detail}\n  ${failure.plan}`,
  );
  assert.deepEqual(listed, [], `${report.failures.length} failures`);
  assert.equal(counts.correct + counts.clearErrors, counts.cases);
  assert.deepEqual(
    report.kinds,
    poolingKinds.map((kind) => kind.name),
    'every kind of the registry was fuzzed',
  );
  for (const kind of report.kinds) {
    const [correct, clear] = report.byKind[kind] ?? [0, 0];
    // A kind whose options the fuzzer cannot draw valid values for needs an entry in fuzz-values.ts's VALID.
    assert.ok(correct > 0, `${kind}: no case gave an answer (its options need valid draws in fuzz-values.ts)`);
    assert.ok(clear > 0, `${kind}: no case gave a clear error`);
  }
});
