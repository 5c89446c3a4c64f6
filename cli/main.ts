#!/usr/bin/env node
// poolkit's command line: `poolkit <command> [options]`. Each command lives in cli/commands/<name>.ts
// and exports run(args); they load on demand, so one command's missing piece never breaks another.
import { createRequire } from 'node:module';
import { UsageError } from './args.js';

interface CommandEntry {
  readonly summary: string;
  /** Loads the command's module; a dynamic import, so a command not yet written fails alone. */
  readonly load: () => Promise<{ run(args: string[]): Promise<void> }>;
  /** The module file, to tell a missing command from a missing import inside it. */
  readonly file: string;
}

const commands: Record<string, CommandEntry> = {
  train: {
    summary: 'Train a CNN on MNIST (the seed model by default)',
    file: 'train',
    load: () => import('./commands/train.js'),
  },
  eval: {
    summary: 'Evaluate a saved model on the MNIST test set',
    file: 'eval',
    load: () => import('./commands/eval.js'),
  },
  predict: {
    summary: 'Classify a PNG digit or one sample of an IDX file with a saved model',
    file: 'predict',
    load: () => import('./commands/predict.js'),
  },
  demo: {
    summary: "Run the pooling ops on the seed articles' examples",
    file: 'demo',
    load: () => import('./commands/demo.js'),
  },
  compare: {
    summary: 'Compare pooling kinds on the same model',
    file: 'compare',
    load: () => import(/* written by the pooling-kinds area */ './commands/' + 'compare.js'),
  },
  knn: {
    summary: 'k-nearest-neighbour classification on pooled features',
    file: 'knn',
    load: () => import(/* written by the pooling-kinds area */ './commands/' + 'knn.js'),
  },
  export: {
    summary: 'Write a saved model as ONNX or in TensorFlow.js layers format',
    file: 'export',
    load: () => import('./commands/export.js'),
  },
  import: {
    summary: 'Read a TensorFlow.js model or an ONNX file into a poolkit model folder',
    file: 'import',
    load: () => import('./commands/import.js'),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    'Usage: poolkit <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`),
    '',
    "Run 'poolkit <command> --help' for a command's options, 'poolkit --version' for the version.",
    '',
  ].join('\n');
}

/** The installed package's version: the package names itself (its exports map lists package.json). */
function version(): string {
  return (createRequire(import.meta.url)('poolkit/package.json') as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`poolkit ${version()}\n`);
    return 0;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (entry === undefined) {
    process.stderr.write(`poolkit: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  let command: { run(args: string[]): Promise<void> };
  try {
    command = await entry.load();
  } catch (error) {
    const reason = isMissing(error, entry.file)
      ? `this command is not available in this build (cli/commands/${entry.file}.ts is missing)`
      : `the command failed to load: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`poolkit ${name}: ${reason}\n`);
    return 1;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(
        `poolkit ${error.command}: ${error.message}\nRun 'poolkit ${error.command} --help' for usage.\n`,
      );
      return 2;
    }
    process.stderr.write(`poolkit ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.POOLKIT_DEBUG) console.error(error);
    return 1;
  }
}

/** True when the import failed because the command's own file does not exist. */
function isMissing(error: unknown, file: string): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`commands/${file}.`);
}

// `poolkit demo | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
process.exitCode = await main(process.argv.slice(2));
