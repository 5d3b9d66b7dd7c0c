import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The command line itself is wrong (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A value on the command line is well-formed but unusable (exit 1). */
export class InputError extends Error {
  override name = 'InputError';
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<T extends Options>(argv: string[], options: T, positionals = 0) {
  try {
    const parsed = parseArgs({
      args: argv,
      options,
      allowPositionals: positionals > 0,
      strict: true,
    });
    if (parsed.positionals.length > positionals) {
      throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`);
    }
    return parsed;
  } catch (error: unknown) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function parseInstant(value: string, flag: string): Date {
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new InputError(
      `${flag} "${value}" is not an ISO-8601 instant (for example 2026-03-08T05:45:00Z)`,
    );
  }
  return new Date(ms);
}

export function parseCount(value: string, flag: string, max: number): number {
  const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(count) || count < 1 || count > max) {
    throw new InputError(`${flag} "${value}" must be a whole number from 1 to ${max}`);
  }
  return count;
}
