// The progress display (redrawn in place on a terminal, plain lines in a log) and the argument
// helpers every command uses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  choiceOption,
  helpText,
  integerOption,
  parseCommand,
  positiveNumberOption,
  UsageError,
} from '../../cli/args.js';
import { bar, EpochProgress, formatDuration } from '../../cli/progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, columns: 200, write: (text: string) => writes.push(text) };
}

test('on a terminal the bar redraws one line with \\r, then the summary ends it', () => {
  const stream = fakeStream(true);
  const progress = new EpochProgress('Epoch 1/5', 1000, stream);
  progress.update(100, { loss: 1.5, accuracy: 0.5 });
  progress.update(200, { loss: 1.4, accuracy: 0.55 }); // within 100 ms of the last draw: skipped
  progress.update(1000, { loss: 0.5, accuracy: 0.9 }); // the last batch always draws
  progress.finish('loss 0.5000 - accuracy 90.00%');
  assert.equal(stream.writes.length, 3);
  const clearLine = '\x1b[K';
  assert.ok(stream.writes.every((text) => text.startsWith('\r') && text.includes(clearLine)));
  assert.match(
    stream.writes[0]!,
    /^\rEpoch 1\/5 \[##\.{22}\] {2}10% 100\/1000 loss 1\.5000 acc 50\.00% \d+ samples\/s ETA \S+/,
  );
  assert.match(stream.writes[1]!, /\[#{24}\] 100% 1000\/1000 loss 0\.5000 acc 90\.00%/);
  assert.match(stream.writes[2]!, /^\rEpoch 1\/5 1000\/1000 [\d.]+s \d+ samples\/s - loss 0\.5000 - accuracy 90\.00%/);
  assert.ok(stream.writes[2]!.endsWith(`${clearLine}\n`));
});

test('in a log (no terminal) it writes a plain line per tenth, no \\r', () => {
  const stream = fakeStream(false);
  const progress = new EpochProgress('Epoch 2/5', 100, stream);
  for (let done = 5; done <= 100; done += 5) progress.update(done, { loss: 1, accuracy: 0.5 });
  progress.finish('done');
  assert.equal(stream.writes.length, 10); // 10%, 20%, ... 90%, then the summary
  assert.ok(stream.writes.every((line) => !line.includes('\r') && line.endsWith('\n')));
  assert.match(stream.writes[0]!, /^Epoch 2\/5 \[#{2}\.{22}\] {2}10% 10\/100 /);
});

test('bar and durations', () => {
  assert.equal(bar(0.5, 4), '[##..]');
  assert.equal(bar(2, 2), '[##]');
  assert.equal(formatDuration(9.4), '9s');
  assert.equal(formatDuration(75), '1m15s');
  assert.equal(formatDuration(7260), '2h01m');
  assert.equal(formatDuration(NaN), '?');
});

const spec = {
  name: 'try',
  summary: 'A command for tests.',
  options: {
    count: { type: 'string', value: '<n>', default: '3', description: 'How many' },
    loud: { type: 'boolean', description: 'Shout' },
  },
  examples: ['poolkit try --count 4'],
} as const;

test('parseCommand: defaults, given options, strict errors as UsageError', () => {
  const parsed = parseCommand(spec, ['--loud'])!;
  assert.equal(parsed.values.count, '3');
  assert.equal(parsed.values.loud, true);
  assert.deepEqual([...parsed.given], ['loud']);
  assert.throws(
    () => parseCommand(spec, ['--cont', '4']),
    (error: unknown) => error instanceof UsageError && /Unknown option '--cont'/.test(error.message),
  );
  assert.throws(() => parseCommand(spec, ['stray']), UsageError); // no positionals declared
  assert.match(helpText(spec), /--count <n>\s+How many \(default: 3\)\n\s+--loud\s+Shout\n\s+-h, --help/);
});

test('option values are checked with messages naming the flag', () => {
  assert.equal(integerOption('try', 'count', '12'), 12);
  assert.throws(() => integerOption('try', 'count', '1.5'), /--count must be a whole number from 1 to/);
  assert.throws(() => integerOption('try', 'count', '0'), /got '0'/);
  assert.equal(positiveNumberOption('try', 'rate', '1e-3'), 0.001);
  assert.throws(() => positiveNumberOption('try', 'rate', '-1'), /--rate must be a positive number/);
  assert.equal(choiceOption('try', 'kind', 'b', ['a', 'b']), 'b');
  assert.throws(() => choiceOption('try', 'kind', 'c', ['a', 'b']), /--kind must be one of a, b, got 'c'/);
});
