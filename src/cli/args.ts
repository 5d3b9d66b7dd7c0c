import { parseArgs, type ParseArgsConfig } from 'node:util';

import { isIsoInstant } from '../ledger/schema.js';

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

const INSTANT_EXAMPLE = 'for example 2026-03-08T05:45:00Z or 2026-03-08T07:45:00+02:00';
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?/;
const ZONE = /^(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * An instant with its zone written out. A value without one would be read in the zone of
 * whichever machine runs the command, and `Date.parse` alone moves February 30 to March 2;
 * both are refused rather than guessed.
 */
export function parseInstant(value: string, flag: string): Date {
  const dateTime = DATE_TIME.exec(value)?.[0];
  if (dateTime === undefined) {
    throw new InputError(`${flag} "${value}" is not an ISO-8601 instant (${INSTANT_EXAMPLE})`);
  }
  const zone = value.slice(dateTime.length);
  if (zone === '') {
    throw new InputError(
      `${flag} "${value}" has no zone: add Z for UTC or an offset such as +02:00 ` +
        `(${INSTANT_EXAMPLE})`,
    );
  }
  if (!ZONE.test(zone)) {
    throw new InputError(
      `${flag} "${value}" ends in "${zone}", not Z or an offset such as +02:00 ` +
        `(${INSTANT_EXAMPLE})`,
    );
  }
  if (!isIsoInstant(value)) {
    throw new InputError(`${flag} "${value}" is not a real date and time on the calendar`);
  }
  return new Date(Date.parse(value));
}

export function parseCount(value: string, flag: string, max: number): number {
  const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(count) || count < 1 || count > max) {
    throw new InputError(`${flag} "${value}" must be a whole number from 1 to ${max}`);
  }
  return count;
}
