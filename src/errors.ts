// One error type for bad arguments, so every message has the same shape:
// "<op>: <argument> <rule>, got <value>".

export class PoolkitArgumentError extends RangeError {
  readonly op: string;
  readonly argument: string;

  constructor(op: string, argument: string, rule: string, value: unknown) {
    super(`${op}: ${argument} ${rule}, got ${describe(value)}`);
    this.name = 'PoolkitArgumentError';
    this.op = op;
    this.argument = argument;
  }
}

/** Throws a PoolkitArgumentError; `rule` reads as a sentence after the argument name. */
export function fail(op: string, argument: string, rule: string, value: unknown): never {
  throw new PoolkitArgumentError(op, argument, rule, value);
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value === undefined) return 'undefined';
  if (value !== null && typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}
