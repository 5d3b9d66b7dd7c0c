import { describe, expect, it } from 'vitest';
import {
  decodeLedger,
  encodeLedger,
  NotALedgerError,
  ProtocolTooNewError,
} from '../../src/ledger/document.js';
import { PROTOCOL_VERSION, type LedgerDocument } from '../../src/ledger/types.js';
import { processHolder } from './fixtures.js';

const doc: LedgerDocument = {
  protocol: PROTOCOL_VERSION,
  table: 'demo',
  writer: { tick: 't1', holder: processHolder(1), version: 'test', at: '2026-01-01T00:00:00.000Z' },
  state: { patrols: {} },
  events: [{ type: 'created', at: '2026-01-01T00:00:00.000Z' }],
};

describe('the ledger document', () => {
  it('round-trips through a commit message with a readable summary line', () => {
    const message = encodeLedger(doc);
    expect(message.split('\n')[0]).toBe('cronwarden: create ledger');
    expect(decodeLedger('refs/cronwarden/demo', 'abc', message)).toEqual(doc);
  });

  it('refuses a document written by a newer protocol and names the version found', () => {
    const message = encodeLedger({ ...doc, protocol: PROTOCOL_VERSION + 1 });
    expect(() => decodeLedger('refs/cronwarden/demo', 'abc', message)).toThrow(ProtocolTooNewError);
    expect(() => decodeLedger('refs/cronwarden/demo', 'abc', message)).toThrow(
      `protocol ${PROTOCOL_VERSION + 1}`,
    );
  });

  it.each([
    ['a plain commit', 'Initial commit\n\nHello'],
    ['a summary without JSON', 'cronwarden: x\n\nnot json'],
    ['JSON without a protocol', 'cronwarden: x\n\n{"table":"demo"}'],
    ['JSON without state', 'cronwarden: x\n\n{"protocol":1,"table":"demo"}'],
  ])('reports %s as not a ledger', (_name, message) => {
    expect(() => decodeLedger('refs/cronwarden/demo', 'abcdef0123456789', message)).toThrow(
      NotALedgerError,
    );
  });
});
