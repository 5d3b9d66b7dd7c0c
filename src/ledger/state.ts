import type { TickIdentity } from './plan.js';
import { PROTOCOL_VERSION, type LedgerDocument, type PatrolState } from './types.js';

/** Runs kept per patrol for the timeline and reports (the ref's history keeps them all). */
export const RECENT_RUNS_LIMIT = 30;

/** Revocations kept per patrol, enough to explain a late release. */
export const REVOCATIONS_LIMIT = 10;

export function freshPatrolState(cursor: string): PatrolState {
  return {
    cursor,
    fencingToken: 0,
    lease: null,
    lastClaim: null,
    lastRun: null,
    recentRuns: [],
    revocations: [],
    skippedInARow: 0,
  };
}

/** The next document: the current state carried over, no events yet, this writer. */
export function newDocument(
  table: string,
  current: LedgerDocument | null,
  writer: TickIdentity,
  at: string,
): LedgerDocument {
  return {
    protocol: PROTOCOL_VERSION,
    table,
    writer: { tick: writer.id, holder: writer.holder, version: writer.version, at },
    state: current === null ? { patrols: {} } : structuredClone(current.state),
    events: [],
  };
}

/** Append, dropping the oldest entries past `limit`. */
export function pushBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}
