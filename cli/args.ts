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
      args: [...args],
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
    `Usage: poolkit ${spec.name}${spec.positionals ? ` ${spec.positionals}` : ''} [options]`,
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
