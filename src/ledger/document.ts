import { ledgerDocumentProblem } from './schema.js';
import { PROTOCOL_VERSION, type LedgerDocument, type LedgerEvent } from './types.js';

/**
 * A ledger commit's message: a one-line summary a person can read in `git log`, a blank
 * line, then the document as JSON. The summary is for people; only the JSON is read back.
 */
const SUMMARY_PREFIX = 'cronwarden:';

/** The ref holds a commit written by a newer protocol: this client must not touch it. */
export class ProtocolTooNewError extends Error {
  override name = 'ProtocolTooNewError';
  constructor(
    readonly ref: string,
    readonly found: number,
  ) {
    super(
      `${ref} was written by ledger protocol ${found}, but this Cronwarden understands ` +
        `protocol ${PROTOCOL_VERSION} at most. Nothing was written. Upgrade Cronwarden ` +
        `everywhere that ticks this table.`,
    );
  }
}

/** The ref points at something that is not a ledger commit; it is never overwritten. */
export class NotALedgerError extends Error {
  override name = 'NotALedgerError';
  constructor(
    readonly ref: string,
    readonly sha: string,
    detail: string,
  ) {
    super(
      `${ref} points at ${sha.slice(0, 12)}, which is not a Cronwarden ledger commit ` +
        `(${detail}). Nothing was written; move or delete that ref by hand if it is not needed.`,
    );
  }
}

export function encodeLedger(doc: LedgerDocument): string {
  return `${SUMMARY_PREFIX} ${summarize(doc.events)}\n\n${JSON.stringify(doc)}\n`;
}

/**
 * The document in a ledger commit's message, checked field by field against the protocol's
 * schema. With `expectedTable`, a ledger of another table is refused too: two tables whose
 * refs collide must not run each other's patrols.
 */
export function decodeLedger(
  ref: string,
  sha: string,
  message: string,
  expectedTable?: string,
): LedgerDocument {
  const start = message.indexOf('\n\n');
  if (!message.startsWith(SUMMARY_PREFIX) || start < 0) {
    throw new NotALedgerError(ref, sha, 'no cronwarden summary line');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.slice(start + 2));
  } catch {
    throw new NotALedgerError(ref, sha, 'its message is not JSON');
  }
  const protocol = protocolOf(parsed);
  if (protocol === undefined) throw new NotALedgerError(ref, sha, 'no protocol version');
  if (protocol > PROTOCOL_VERSION) throw new ProtocolTooNewError(ref, protocol);

  const problem = ledgerDocumentProblem(parsed);
  if (problem !== null) throw new NotALedgerError(ref, sha, problem);
  const doc = parsed as LedgerDocument;
  if (expectedTable !== undefined && doc.table !== expectedTable) {
    throw new NotALedgerError(
      ref,
      sha,
      `it belongs to table ${JSON.stringify(doc.table)}, not ${JSON.stringify(expectedTable)}`,
    );
  }
  return doc;
}

function protocolOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const protocol = (value as { protocol?: unknown }).protocol;
  return Number.isInteger(protocol) && (protocol as number) > 0 ? (protocol as number) : undefined;
}

/** "claim nightly 2026-01-01T02:00Z; grant nightly #4; skip backup" */
export function summarize(events: LedgerEvent[]): string {
  const parts = events.map(describeEvent).filter((part) => part !== '');
  const text = parts.length === 0 ? 'update' : parts.join('; ');
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function describeEvent(event: LedgerEvent): string {
  switch (event.type) {
    case 'created':
      return 'create ledger';
    case 'retired':
      return `retire ${event.patrol}`;
    case 'first-seen':
      return `start ${event.patrol}`;
    case 'claimed':
      return `claim ${event.patrol} ${event.slots.join(',')}${event.forced ? ' (forced)' : ''}`;
    case 'missed':
      return `miss ${event.patrol} x${event.count}`;
    case 'granted':
      if (!event.leased) return `run ${event.patrol} #${event.fencingToken}`;
      return `${event.takeover ? 'take over' : 'grant'} ${event.patrol} #${event.fencingToken}`;
    case 'skipped':
      return `skip ${event.patrol} ${event.slot}`;
    case 'renewed':
      return `renew ${event.patrol}`;
    case 'released':
      return `release ${event.patrol} #${event.run.fencingToken} ${event.run.outcome}`;
    case 'overlap':
      return `overlap ${event.patrol} #${event.run.fencingToken}`;
    case 'unlocked':
      return `unlock ${event.patrol} #${event.revocation.fencingToken}`;
  }
}
