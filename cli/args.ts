// Command-line parsing for every poolkit command: node's util.parseArgs in strict mode, a --help
// page generated from the same option table, and typed, validated numbers.
import { parseArgs } from 'node:util';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly description: string;
  /** Shown in --help as the value's name: '<n>', '<folder>'. */
  readonly value?: string;
  readonly default?: string | boolean;
  readonly short?: string;
}

export interface CommandSpec {
  readonly name: string;
  /** The npm script that runs it ('npm run bench') when it is not a poolkit command. */
  readonly script?: string;
  readonly summary: string;
  /** Positional arguments, for the usage line: '<model-folder> <image.png>'. */
  readonly positionals?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples: readonly string[];
}

/** A mistake in how a command was called: main prints it with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedCommand {
  /** Every option's value, its default where it was not given. */
  readonly values: Record<string, string | boolean | undefined>;
  /** The options given on the command line. */
  readonly given: ReadonlySet<string>;
  readonly positionals: string[];
}

/** Parses `args` for `spec`; returns null after printing help when --help (or -h) was given. */
export function parseCommand(spec: CommandSpec, args: readonly string[]): ParsedCommand | null {
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, option]) => [
      name,
      { type: option.type, ...(option.short ? { short: option.short } : {}) },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(spec, args),
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: spec.positionals !== undefined,
    });
  } catch (error) {
    throw new UsageError(spec.name, (error as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
  if (parsed.values.help === true) {
    process.stdout.write(helpText(spec));
    return null;
  }
  const values: Record<string, string | boolean | undefined> = {};
  const given = new Set<string>();
  for (const [name, option] of Object.entries(spec.options)) {
    const value = parsed.values[name] as string | boolean | undefined;
    if (value !== undefined) given.add(name);
    values[name] = value ?? option.default;
  }
  return { values, given, positionals: parsed.positionals };
}

/**
 * `--epochs -1` as `--epochs=-1`: parseArgs calls a value that starts with a dash ambiguous, but a
 * negative number after an option that takes a value is that value, and its check names the rule.
 */
function joinNegativeValues(spec: CommandSpec, args: readonly string[]): string[] {
  const takesValue = new Set<string>();
  for (const [name, option] of Object.entries(spec.options)) {
    if (option.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (option.short) takesValue.add(`-${option.short}`);
  }
  const joined: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const [arg, next] = [args[index]!, args[index + 1]];
    if (takesValue.has(arg) && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      joined.push(arg.startsWith('--') ? `${arg}=${next}` : `${arg}${next}`);
      index++;
    } else joined.push(arg);
  }
  return joined;
}

/** How a user runs the command: `poolkit train`, or the npm script's `npm run bench --`. */
function invocation(spec: CommandSpec): string {
  return spec.script === undefined ? `poolkit ${spec.name}` : `${spec.script} --`;
}

/**
 * Options of a script that is not a poolkit command (a benchmark): `read` turns the parsed values
 * into settings. Returns null after --help; a UsageError is printed and ends the process (status 2).
 */
export function scriptOptions<Settings>(
  spec: CommandSpec & { readonly script: string },
  args: readonly string[],
  read: (parsed: ParsedCommand) => Settings,
): Settings | null {
  try {
    const parsed = parseCommand(spec, args);
    return parsed === null ? null : read(parsed);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${spec.script}: ${error.message}\nRun '${spec.script} -- --help' for usage.\n`);
    process.exit(2);
  }
}

/** The --help page of a command. */
export function helpText(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'string' ? ` ${option.value ?? '<value>'}` : ''}`;
    const fallback =
      option.default !== undefined && option.default !== false ? ` (default: ${String(option.default)})` : '';
    return [flag, `${option.description}${fallback}`] as const;
  });
  rows.push(['-h, --help', 'Show this help']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `Usage: ${invocation(spec)}${spec.positionals ? ` ${spec.positionals}` : ''} [options]`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    '',
    'Examples:',
    ...spec.examples.map((example) => `  ${example}`),
    '',
  ].join('\n');
}

/** A whole number within [minimum, maximum], or a UsageError naming the flag. */
export function integerOption(
  command: string,
  name: string,
  value: unknown,
  minimum = 1,
  maximum = 2 ** 31 - 1,
): number {
  const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < minimum || number > maximum) {
    throw new UsageError(
      command,
      `--${name} must be a whole number from ${minimum} to ${maximum}, got '${String(value)}'`,
    );
  }
  return number;
}

/** A positive finite number, or a UsageError naming the flag. */
export function positiveNumberOption(command: string, name: string, value: unknown): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(number) || number <= 0) {
    throw new UsageError(command, `--${name} must be a positive number, got '${String(value)}'`);
  }
  return number;
}

/** One of the allowed words, or a UsageError listing them. */
export function choiceOption<T extends string>(
  command: string,
  name: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new UsageError(command, `--${name} must be one of ${choices.join(', ')}, got '${String(value)}'`);
  }
  return value as T;
}
