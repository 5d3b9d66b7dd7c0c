import { describe, expect, it } from 'vitest';

import { decodeLedger, encodeLedger, NotALedgerError } from '../../src/ledger/document.js';
import { isIsoInstant, ledgerDocumentProblem } from '../../src/ledger/schema.js';
import { PROTOCOL_VERSION, type LedgerDocument, type RunRecord } from '../../src/ledger/types.js';
import { processHolder } from './fixtures.js';

const REF = 'refs/cronwarden/demo';
const AT = '2026-01-01T00:00:00.000Z';

const run: RunRecord = {
  slot: AT,
  fencingToken: 2,
  nonce: 'n2',
  tick: 't2',
  startedAt: AT,
  finishedAt: AT,
  outcome: 'ran',
  exitCode: 0,
  durationMs: 12,
};

function ledger(): LedgerDocument {
  const holder = processHolder(7);
  return {
    protocol: PROTOCOL_VERSION,
    table: 'demo',
    writer: { tick: 't3', holder, version: 'test', at: AT },
    state: {
      patrols: {
        slow: {
          cursor: AT,
          fencingToken: 3,
          lease: {
            nonce: 'n3',
            fencingToken: 3,
            holder,
            version: 'test',
            slots: [AT],
            policy: 'forbid',
            tick: 't3',
            grantedAt: AT,
            expiresAt: '2026-01-01T01:00:00.000Z',
            renewable: false,
          },
          lastClaim: { slot: AT, tick: 't3', at: AT },
          lastRun: run,
          recentRuns: [run],
          revocations: [],
          skippedInARow: 0,
        },
      },
    },
    events: [
      { type: 'created', at: AT },
      { type: 'released', patrol: 'slow', run },
    ],
  };
}

type Path = (string | number)[];

/**
 * A ledger commit message whose document has `value` at `path` (nothing, when undefined:
 * JSON drops it). The document goes through JSON first, so no two paths share an object.
 */
function spoiled(path: Path, value: unknown): string {
  const doc: unknown = JSON.parse(JSON.stringify(ledger()));
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => at(node)[key], doc);
  at(parent)[path.at(-1) as string | number] = value;
  return `cronwarden: update\n\n${JSON.stringify(doc)}\n`;
}

function at(node: unknown): Record<string | number, unknown> {
  return node as Record<string | number, unknown>;
}

function decodeProblem(message: string, expectedTable?: string): string {
  try {
    decodeLedger(REF, 'abcdef0123456789', message, expectedTable);
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(NotALedgerError);
    return (error as Error).message;
  }
  throw new Error('the ledger was accepted');
}

describe('the ledger schema', () => {
  it('accepts a full document and decodes it unchanged', () => {
    const doc = ledger();
    expect(ledgerDocumentProblem(doc)).toBeNull();
    expect(decodeLedger(REF, 'abc', encodeLedger(doc))).toEqual(doc);
  });

  it('accepts and keeps fields it does not know, for later releases of the protocol', () => {
    const message = spoiled(['state', 'patrols', 'slow', 'note'], 'kept');
    const decoded = decodeLedger(REF, 'abc', message);
    expect(decoded.state.patrols.slow).toMatchObject({ note: 'kept' });
  });

  it.each<[string, Path, unknown, string]>([
    [
      'a cursor that is not a date',
      ['state', 'patrols', 'slow', 'cursor'],
      'garbage',
      'state.patrols.slow.cursor is not an ISO instant ("garbage")',
    ],
    [
      'a patrol state that is null',
      ['state', 'patrols', 'slow'],
      null,
      'state.patrols.slow is not an object (null)',
    ],
    [
      'a lease whose expiry is not a date',
      ['state', 'patrols', 'slow', 'lease', 'expiresAt'],
      'never',
      'state.patrols.slow.lease.expiresAt is not an ISO instant ("never")',
    ],
    [
      'a lease expiry on a day the calendar lacks',
      ['state', 'patrols', 'slow', 'lease', 'expiresAt'],
      '2026-02-30T00:00:00.000Z',
      'state.patrols.slow.lease.expiresAt is not an ISO instant',
    ],
    [
      'an instant without a zone',
      ['writer', 'at'],
      '2026-01-01T00:00:00',
      'writer.at is not an ISO instant',
    ],
    [
      'a fencing token that is not whole',
      ['state', 'patrols', 'slow', 'fencingToken'],
      1.5,
      'state.patrols.slow.fencingToken is not a whole number (1.5)',
    ],
    [
      'a fencing token given as text',
      ['state', 'patrols', 'slow', 'fencingToken'],
      '3',
      'state.patrols.slow.fencingToken is not a number ("3")',
    ],
    [
      'a negative skip count',
      ['state', 'patrols', 'slow', 'skippedInARow'],
      -1,
      'state.patrols.slow.skippedInARow is -1, below 0',
    ],
    [
      'a missing field',
      ['state', 'patrols', 'slow', 'recentRuns'],
      undefined,
      'state.patrols.slow.recentRuns is missing',
    ],
    [
      'an unknown concurrency policy',
      ['state', 'patrols', 'slow', 'lease', 'policy'],
      'sometimes',
      'state.patrols.slow.lease.policy is "sometimes", not one of "allow", "forbid", "replace"',
    ],
    [
      'an unknown run outcome',
      ['events', 1, 'run', 'outcome'],
      'maybe',
      'events[1].run.outcome is "maybe", not one of',
    ],
    [
      'an unknown event type',
      ['events', 0, 'type'],
      'exploded',
      'events[0].type is "exploded", not a known kind',
    ],
    [
      'an unknown kind of holder',
      ['writer', 'holder', 'kind'],
      'robot',
      'writer.holder.kind is "robot", not a known kind',
    ],
    [
      'a patrol id that is not a plain name',
      ['state', 'patrols', 'a b'],
      { ...ledger().state.patrols.slow, cursor: 7 },
      'state.patrols["a b"].cursor is not a string (7)',
    ],
    ['events that are not a list', ['events'], {}, 'events is not an array ({})'],
  ])('refuses %s and names the first bad path', (_name, path, value, detail) => {
    expect(decodeProblem(spoiled(path, value))).toContain(detail);
  });

  it('refuses a ledger that belongs to another table when the table is given', () => {
    const message = encodeLedger(ledger());
    expect(decodeProblem(message, 'other')).toContain('belongs to table "demo", not "other"');
    expect(decodeLedger(REF, 'abc', message, 'demo').table).toBe('demo');
  });
});

describe('ISO instants in a ledger', () => {
  it.each([
    ['2026-01-01T00:00:00.000Z', true],
    ['2026-01-01T00:00Z', true],
    ['2026-01-01T00:00:00+05:30', true],
    ['2024-02-29T12:00:00Z', true],
    ['2000-02-29T12:00:00Z', true],
    ['2026-12-31T23:59:59.999999999-12:00', true],
    ['2026-02-29T12:00:00Z', false],
    ['1900-02-29T12:00:00Z', false],
    ['2026-02-30T00:00:00Z', false],
    ['2026-04-31T00:00:00Z', false],
    ['2026-13-01T00:00:00Z', false],
    ['2026-00-10T00:00:00Z', false],
    ['2026-01-00T00:00:00Z', false],
    ['2026-01-01T24:00:00Z', false],
    ['2026-01-01T23:60:00Z', false],
    ['2026-01-01T23:00:60Z', false],
    ['2026-01-01T00:00:00+24:00', false],
    ['2026-01-01T00:00:00', false],
    ['2026-01-01', false],
    ['1767225600000', false],
    [' 2026-01-01T00:00:00Z', false],
  ])('%s is an instant: %s', (value, expected) => {
    expect(isIsoInstant(value)).toBe(expected);
  });
});
