import { sameHolder } from '../ledger/lease.js';
import type { TickIdentity } from '../ledger/plan.js';
import { release } from '../ledger/transitions.js';
import type { ActionsHolder, Lease, LedgerDocument, RunRecord } from '../ledger/types.js';

/** A lease the main step held when it stopped, and the post step gave back. */
export interface AbandonedLease {
  patrol: string;
  fencingToken: number;
  slots: string[];
}

export interface AbandonedRelease {
  /** The document to write; null when this job holds nothing any more. */
  next: LedgerDocument | null;
  released: AbandonedLease[];
}

/**
 * Release, in one document, every lease that carries one of this job's `nonces` AND
 * names this job as its holder; nothing else is touched. A lease another run has taken
 * over carries that run's nonce and holder, so it is left alone even if a saved nonce
 * were somehow wrong. Each slot the lease was granted is recorded as a run that ended
 * without a result: the job was cancelled or its runner died while the patrol ran.
 */
export function releaseAbandoned(
  current: LedgerDocument,
  nonces: ReadonlySet<string>,
  holder: ActionsHolder,
  writer: TickIdentity,
  now: Date,
  runUrl?: string,
): AbandonedRelease {
  let next: LedgerDocument | null = null;
  const released: AbandonedLease[] = [];

  for (const [patrol, state] of Object.entries(current.state.patrols)) {
    const lease = state.lease;
    if (lease === null || !nonces.has(lease.nonce) || !sameHolder(lease.holder, holder)) continue;

    const base = next ?? current;
    const result = release(
      base,
      patrol,
      abandonedRuns(lease, now, runUrl),
      lease.nonce,
      writer,
      now,
    );
    // Each transition starts a fresh event list; one commit must carry all of them.
    result.next.events = [...(next?.events ?? []), ...result.next.events];
    next = result.next;
    released.push({ patrol, fencingToken: lease.fencingToken, slots: lease.slots });
  }
  return { next, released };
}

/** Runs of a job whose main step was cancelled or killed: recorded as `cancelled`. */
function abandonedRuns(lease: Lease, now: Date, runUrl: string | undefined): RunRecord[] {
  const durationMs = Math.max(0, now.getTime() - Date.parse(lease.grantedAt));
  return lease.slots.map((slot) => ({
    slot,
    fencingToken: lease.fencingToken,
    nonce: lease.nonce,
    tick: lease.tick,
    startedAt: lease.grantedAt,
    finishedAt: now.toISOString(),
    outcome: 'cancelled',
    exitCode: null,
    durationMs,
    ...(runUrl === undefined ? {} : { url: runUrl }),
  }));
}
