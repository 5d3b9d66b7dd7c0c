import { z } from 'zod';

import type { LedgerDocument } from './types.js';

/*
 * The shape of a ledger document, field for field as in types.ts. Decoding checks every
 * read against it: a ledger edited by hand or written by a broken client must stop the
 * tick with a clear message, not act on a cursor that is not a date or a lease that never
 * expires. Objects are loose: a later release of the same protocol may add fields, and this
 * one must read (and keep) them.
 */

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * An ISO-8601 instant with its zone, on a real calendar date and clock time: `Date.parse`
 * alone takes February 30 as March 2. Checked by hand rather than by parsing, because a
 * ledger of 100 patrols holds thousands of instants and every read checks them all.
 */
export function isIsoInstant(value: string): boolean {
  const match = INSTANT.exec(value);
  if (match === null) return false;
  const [, year, month, day, hour, minute, second, offsetHour, offsetMinute] = match;

  const monthIndex = Number(month) - 1;
  const leapDay = monthIndex === 1 && isLeapYear(Number(year)) ? 1 : 0;
  const monthDays = (DAYS_IN_MONTH[monthIndex] ?? 0) + leapDay;
  return (
    Number(day) >= 1 &&
    Number(day) <= monthDays &&
    Number(hour) < 24 &&
    Number(minute) < 60 &&
    Number(second ?? 0) < 60 &&
    Number(offsetHour ?? 0) < 24 &&
    Number(offsetMinute ?? 0) < 60
  );
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const text = z.string();
const instant = z.string().refine(isIsoInstant, { error: 'is not an ISO instant' });
const count = z.int().min(0);
const token = z.int().min(0);

const processHolder = z.looseObject({
  kind: z.literal('process'),
  host: text,
  bootId: text.optional(),
  pid: z.int().min(1),
  startTime: text,
});

const actionsHolder = z.looseObject({
  kind: z.literal('actions'),
  repository: text,
  runId: z.int().min(1),
  runAttempt: z.int().min(1),
  job: text,
});

const holder = z.discriminatedUnion('kind', [processHolder, actionsHolder]);

const lease = z.looseObject({
  nonce: text,
  fencingToken: token,
  holder,
  version: text,
  slots: z.array(instant),
  policy: z.enum(['allow', 'forbid', 'replace']),
  tick: text,
  grantedAt: instant,
  expiresAt: instant,
  renewable: z.boolean(),
});

const runRecord = z.looseObject({
  slot: instant,
  fencingToken: token,
  nonce: text,
  tick: text,
  startedAt: instant,
  finishedAt: instant,
  outcome: z.enum(['ran', 'failed', 'timed-out', 'lost-lease', 'cancelled', 'error']),
  exitCode: z.int().nullable(),
  durationMs: count,
  url: text.optional(),
});

const revocation = z.looseObject({
  nonce: text,
  fencingToken: token,
  holder,
  reason: z.enum(['replaced', 'holder-gone', 'expired', 'unlocked']),
  at: instant,
  by: text,
  tick: text.optional(),
});

const patrolState = z.looseObject({
  cursor: instant,
  fencingToken: token,
  lease: lease.nullable(),
  lastClaim: z.looseObject({ slot: instant, tick: text, at: instant }).nullable(),
  lastRun: runRecord.nullable(),
  recentRuns: z.array(runRecord),
  revocations: z.array(revocation),
  skippedInARow: count,
  retiredAt: instant.optional(),
});

const event = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('created'), at: instant }),
  z.looseObject({ type: z.literal('first-seen'), patrol: text, cursor: instant }),
  z.looseObject({ type: z.literal('retired'), patrol: text }),
  z.looseObject({
    type: z.literal('claimed'),
    patrol: text,
    slots: z.array(instant),
    forced: z.boolean(),
  }),
  z.looseObject({
    type: z.literal('missed'),
    patrol: text,
    count,
    newest: instant,
    reason: text,
  }),
  z.looseObject({
    type: z.literal('granted'),
    patrol: text,
    nonce: text,
    fencingToken: token,
    holder,
    slots: z.array(instant),
    leased: z.boolean(),
    expiresAt: instant,
    takeover: revocation.optional(),
  }),
  z.looseObject({
    type: z.literal('skipped'),
    patrol: text,
    slot: instant,
    heldBy: text,
    fencingToken: token,
  }),
  z.looseObject({ type: z.literal('renewed'), patrol: text, nonce: text, expiresAt: instant }),
  z.looseObject({ type: z.literal('released'), patrol: text, run: runRecord }),
  z.looseObject({
    type: z.literal('overlap'),
    patrol: text,
    run: runRecord,
    revokedBy: revocation.nullable(),
  }),
  z.looseObject({
    type: z.literal('unlocked'),
    patrol: text,
    revocation,
    reason: text,
  }),
]);

const documentShape = z.looseObject({
  protocol: z.int().min(1),
  table: text,
  writer: z.looseObject({ tick: text, holder, version: text, at: instant }),
  state: z.looseObject({ patrols: z.record(z.string(), patrolState) }),
  events: z.array(event),
});

/*
 * Both directions are checked at compile time, so a field added to types.ts and not here
 * (or the other way round) fails the build rather than every ledger read.
 */
type Mirrors<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type KnownFields<T> = T extends (infer Item)[]
  ? KnownFields<Item>[]
  : T extends object
    ? { [K in keyof T as string extends K ? never : K]: KnownFields<T[K]> }
    : T;
const mirrorsTypes: Mirrors<LedgerDocument, KnownFields<z.output<typeof documentShape>>> = true;
void mirrorsTypes;

export const ledgerDocumentSchema: z.ZodType<LedgerDocument> = documentShape;

/** Why `value` is not a ledger document, naming the first bad path; null when it is one. */
export function ledgerDocumentProblem(value: unknown): string | null {
  const result = ledgerDocumentSchema.safeParse(value, { reportInput: true });
  if (result.success) return null;
  const [issue] = result.error.issues;
  return issue === undefined ? 'it does not match the ledger schema' : describeIssue(issue);
}

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue): string {
  const where = issue.path.length === 0 ? 'the document' : pathText(issue.path);
  return `${where} ${problemOf(issue)}`;
}

function pathText(path: PropertyKey[]): string {
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      const plain = /^[A-Za-z_$][\w$-]*$/.test(name);
      if (!plain) return `[${JSON.stringify(name)}]`;
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}

function problemOf(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is missing';
      if (issue.expected === 'int') return `is not a whole number (${shown(issue.input)})`;
      return `is not ${article(issue.expected)} (${shown(issue.input)})`;
    case 'invalid_value':
      return `is ${shown(issue.input)}, not one of ${issue.values.map(shown).join(', ')}`;
    case 'invalid_union':
      return `is ${shown(discriminatorOf(issue))}, not a known kind`;
    case 'too_small':
      return `is ${shown(issue.input)}, below ${String(issue.minimum)}`;
    case 'custom':
      return `${issue.message} (${shown(issue.input)})`;
    default:
      return issue.message;
  }
}

/** A discriminated union reports the whole object; the reader needs the tag it carried. */
function discriminatorOf(issue: Issue): unknown {
  const key = issue.path.at(-1);
  const input: unknown = issue.input;
  if (typeof input !== 'object' || input === null || key === undefined) return input;
  return (input as Record<PropertyKey, unknown>)[key];
}

function article(expected: string): string {
  if (expected === 'nonoptional') return 'present';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  if (json === undefined) return String(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
