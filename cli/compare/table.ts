// The comparison's rows (one per kind, summarised over seeds) and its markdown table.
import { shiftRuleSentence } from './shift.js';
import { percentSpread, spread, type Spread } from './statistics.js';

/** One kind trained with one seed. */
export interface SeedRun {
  readonly seed: number;
  readonly testAccuracy: number;
  /** Per distance 1, 2, 3, 4 pixels. */
  readonly shiftConsistency: readonly number[];
  readonly secondsPerEpoch: number;
  /** diffStride only: the strides per spatial axis (height, width) after training, as projected. */
  readonly learnedStrides?: readonly number[];
}

export interface CompareRow {
  readonly kind: string;
  readonly parameters: number;
  readonly testAccuracy: Spread;
  /** Of each run's mean over the four distances. */
  readonly shiftConsistency: Spread;
  readonly shiftConsistencyPerDistance: readonly Spread[];
  /** Mean over every epoch of every seed. */
  readonly secondsPerEpoch: number;
  readonly runs: readonly SeedRun[];
}

const average = (values: readonly number[]): number => spread(values).mean;

/** A kind's row from its runs (one per seed). */
export function summarizeRuns(kind: string, parameters: number, runs: readonly SeedRun[]): CompareRow {
  const distances = runs[0]!.shiftConsistency.map((_, index) => index);
  return {
    kind,
    parameters,
    testAccuracy: spread(runs.map((run) => run.testAccuracy)),
    shiftConsistency: spread(runs.map((run) => average(run.shiftConsistency))),
    shiftConsistencyPerDistance: distances.map((index) => spread(runs.map((run) => run.shiftConsistency[index]!))),
    secondsPerEpoch: average(runs.map((run) => run.secondsPerEpoch)),
    runs,
  };
}

/** "diffStride learned strides (height × width) per seed: 42: 2.31 × 2.05; 43: ..." or null. */
export function learnedStridesLine(rows: readonly CompareRow[]): string | null {
  const learned = rows.flatMap((row) =>
    row.runs.some((run) => run.learnedStrides !== undefined)
      ? [
          `${row.kind} learned strides (height × width, per seed): ${row.runs
            .map(
              (run) => `seed ${run.seed}: ${(run.learnedStrides ?? []).map((value) => value.toFixed(3)).join(' × ')}`,
            )
            .join('; ')}`,
        ]
      : [],
  );
  return learned.length === 0 ? null : learned.join('\n');
}

/** The markdown table: a caption (command, data, seeds, backend, date), the rows, learned strides. */
export function compareTable(rows: readonly CompareRow[], caption: string): string {
  const strides = learnedStridesLine(rows);
  const lines = [
    `Seed CNN with each pooling kind; ${caption}.`,
    '',
    '| kind | test accuracy (mean ± std) | shift consistency (mean ± std) | seconds / epoch | parameters |',
    '|---|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.kind} | ${percentSpread(row.testAccuracy)} | ${percentSpread(row.shiftConsistency)} | ${row.secondsPerEpoch.toFixed(1)} | ${row.parameters.toLocaleString('en-US')} |`,
    ),
    '',
    `Std: sample standard deviation over seeds. ${shiftRuleSentence}`,
    ...(strides === null ? [] : ['', strides]),
  ];
  return `${lines.join('\n')}\n`;
}
