import type { Patrol } from '../config/types.js';
import type { Holder, Lease } from './types.js';

/**
 * How long past its expiry a lease is still honoured. Covers clock skew between the
 * store and the holder, a read up to a minute stale (GitHub caches GETs), and a renewal
 * that is slow to land. A lease is never dead merely because one period passed.
 */
export const LEASE_GRACE_MS = 2 * 60_000;

/** The life of a lease for a patrol with no fixed timeout; its holder renews at half. */
export const RENEWABLE_LEASE_TTL_MS = 10 * 60_000;

/** Room after a patrol's timeout for the hard kill and the release to land. */
export const TIMEOUT_MARGIN_MS = 60_000;

/**
 * What is known of a lease's holder. `orphaned`: the holder itself is gone but the patrol
 * it started still runs with nobody to stop it at its timeout (a CLI tick killed with
 * SIGKILL leaves its patrol's process group behind).
 */
export type Liveness = 'alive' | 'gone' | 'unknown' | 'orphaned';

export type LeaseStatus = { dead: false } | { dead: true; reason: 'holder-gone' | 'expired' };

/**
 * Dead when the holder is known to be gone, or when the lease has expired plus the grace
 * period: a live holder stops its own patrol when it cannot keep its lease, so past that
 * point no run of it is left. The exception is an orphaned patrol, which nobody stops:
 * taking over would start a second run beside it, so its lease stands, and the bot reports
 * the patrol stuck.
 */
export function leaseStatus(lease: Lease, now: Date, liveness: Liveness | undefined): LeaseStatus {
  if (liveness === 'gone') return { dead: true, reason: 'holder-gone' };
  if (liveness === 'orphaned') return { dead: false };
  if (isExpired(lease, now)) return { dead: true, reason: 'expired' };
  return { dead: false };
}

export function isExpired(lease: Lease, now: Date): boolean {
  return now.getTime() > Date.parse(lease.expiresAt) + LEASE_GRACE_MS;
}

/** How long a new lease for `slotCount` runs of `patrol` lives, and whether it is renewed. */
export function leaseTerm(
  patrol: Patrol,
  slotCount: number,
): { ttlMs: number; renewable: boolean } {
  if (patrol.timeoutMs === undefined) return { ttlMs: RENEWABLE_LEASE_TTL_MS, renewable: true };
  return { ttlMs: patrol.timeoutMs * slotCount + TIMEOUT_MARGIN_MS, renewable: false };
}

export function describeHolder(holder: Holder): string {
  if (holder.kind === 'process') return `pid ${holder.pid} on ${holder.host}`;
  const attempt = holder.runAttempt > 1 ? ` attempt ${holder.runAttempt}` : '';
  return `${holder.repository} run ${holder.runId}${attempt} job ${holder.job}`;
}

export function sameHolder(a: Holder, b: Holder): boolean {
  if (a.kind === 'process' && b.kind === 'process') {
    return a.host === b.host && a.pid === b.pid && a.startTime === b.startTime;
  }
  if (a.kind === 'actions' && b.kind === 'actions') {
    return (
      a.repository === b.repository &&
      a.runId === b.runId &&
      a.runAttempt === b.runAttempt &&
      a.job === b.job
    );
  }
  return false;
}
