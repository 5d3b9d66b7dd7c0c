import { leaseTerm } from './lease.js';
import type { TickIdentity } from './plan.js';
import { newDocument, pushBounded, RECENT_RUNS_LIMIT, REVOCATIONS_LIMIT } from './state.js';
import type { Patrol } from '../config/types.js';
import type { LedgerDocument, PatrolState, Revocation, RunRecord } from './types.js';

/**
 * Transitions after the tick's claim. Each takes the current document and returns the
 * next one (to be written by compare-and-swap), or says why there is nothing to write.
 * None of them ever changes a lease that does not carry the caller's nonce.
 */

export type ReleaseResult =
  | { kind: 'released'; next: LedgerDocument }
  /** The lease was gone (taken over or unlocked): recorded as an overlap, lease untouched. */
  | { kind: 'overlap'; next: LedgerDocument; revokedBy: Revocation | null };

/**
 * Record a grant's runs; free the lease only if it still carries `leaseNonce`. A lease
 * that is gone (taken over or unlocked while the runs went on) is left exactly as it is,
 * and the release becomes an overlap record instead.
 */
export function release(
  current: LedgerDocument,
  patrolId: string,
  runs: RunRecord[],
  leaseNonce: string | null,
  writer: TickIdentity,
  now: Date,
): ReleaseResult {
  const next = newDocument(current.table, current, writer, now.toISOString());
  const state = patrolState(next, patrolId);
  for (const run of runs) pushBounded(state.recentRuns, run, RECENT_RUNS_LIMIT);
  state.lastRun = runs.at(-1) ?? state.lastRun;

  if (leaseNonce === null || state.lease?.nonce === leaseNonce) {
    if (leaseNonce !== null) state.lease = null;
    for (const run of runs) next.events.push({ type: 'released', patrol: patrolId, run });
    return { kind: 'released', next };
  }

  const revokedBy = state.revocations.find((r) => r.nonce === leaseNonce) ?? null;
  for (const run of runs) next.events.push({ type: 'overlap', patrol: patrolId, run, revokedBy });
  return { kind: 'overlap', next, revokedBy };
}

export type RenewResult = { kind: 'renewed'; next: LedgerDocument } | { kind: 'lost' };

/** Push the lease's expiry out by a full term, only while this nonce holds it. */
export function renew(
  current: LedgerDocument,
  patrol: Patrol,
  nonce: string,
  writer: TickIdentity,
  now: Date,
): RenewResult {
  const lease = current.state.patrols[patrol.id]?.lease;
  if (lease?.nonce !== nonce) return { kind: 'lost' };
  const next = newDocument(current.table, current, writer, now.toISOString());
  const expiresAt = new Date(now.getTime() + leaseTerm(patrol, 1).ttlMs).toISOString();
  patrolState(next, patrol.id).lease = { ...lease, expiresAt };
  next.events.push({ type: 'renewed', patrol: patrol.id, nonce, expiresAt });
  return { kind: 'renewed', next };
}

export type UnlockResult =
  | { kind: 'unlocked'; next: LedgerDocument; revocation: Revocation }
  | {
      kind: 'not-held';
    };

/** An administrator's release of whatever lease the patrol has, recorded with a reason. */
export function unlock(
  current: LedgerDocument,
  patrolId: string,
  reason: string,
  writer: TickIdentity,
  now: Date,
): UnlockResult {
  const lease = current.state.patrols[patrolId]?.lease;
  if (lease === null || lease === undefined) return { kind: 'not-held' };
  const next = newDocument(current.table, current, writer, now.toISOString());
  const state = patrolState(next, patrolId);
  const revocation: Revocation = {
    nonce: lease.nonce,
    fencingToken: lease.fencingToken,
    holder: lease.holder,
    reason: 'unlocked',
    at: now.toISOString(),
    by: writer.id,
  };
  state.lease = null;
  pushBounded(state.revocations, revocation, REVOCATIONS_LIMIT);
  next.events.push({ type: 'unlocked', patrol: patrolId, revocation, reason });
  return { kind: 'unlocked', next, revocation };
}

function patrolState(doc: LedgerDocument, patrolId: string): PatrolState {
  const state = doc.state.patrols[patrolId];
  if (state === undefined) throw new Error(`the ledger has no patrol ${patrolId}`);
  return state;
}

/** Give the reporter lease back, if this tick still holds it; null when nothing to write. */
export function releaseReporter(
  current: LedgerDocument,
  writer: TickIdentity,
  now: Date,
): LedgerDocument | null {
  if (current.state.reporter?.tick !== writer.id) return null;
  const next = newDocument(current.table, current, writer, now.toISOString());
  next.state.reporter = null;
  return next;
}
