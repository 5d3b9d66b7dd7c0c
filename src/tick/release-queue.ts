import { NotALedgerError, ProtocolTooNewError } from '../ledger/document.js';
import type { Grant } from '../ledger/plan.js';
import { release, type ReleaseResult } from '../ledger/transitions.js';
import type { LedgerDocument, Revocation, RunRecord } from '../ledger/types.js';
import { backoff, defaultRetryPolicy, updateLedger } from './ledger-io.js';
import type { TickDeps } from './types.js';

/** Attempts to record results when the store fails outright (not a lost race). */
const RELEASE_ATTEMPTS = 5;

export interface Released {
  /** Ledger writes made for this release (a batch's write is counted once, on its first). */
  writes: number;
  overlap: boolean;
  revokedBy: Revocation | null;
  /** Set when the results could not be recorded at all. */
  failure: string | null;
}

interface Pending {
  grant: Grant;
  runs: RunRecord[];
  resolve: (released: Released) => void;
  reject: (error: unknown) => void;
}

/**
 * Releases of one tick, written together. Patrols that finish at about the same time would
 * otherwise each race the others for the ledger, one compare-and-swap each, losing and
 * retrying; here every release waiting when a write starts goes into that one write.
 *
 * Each release still frees a lease only if it carries that grant's nonce, decided on the
 * state the swap is conditioned on. A store that fails outright is tried again a few times;
 * if it still fails the runs are reported with that said and the leases left to expire: a
 * failed release never fails the tick.
 */
export class ReleaseQueue {
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly deps: TickDeps,
    private readonly ref: string,
    private readonly clock: () => Date,
  ) {}

  submit(grant: Grant, runs: RunRecord[]): Promise<Released> {
    return new Promise((resolve, reject) => {
      this.pending.push({ grant, runs, resolve, reject });
      this.flushing ??= this.flushAll();
    });
  }

  private async flushAll(): Promise<void> {
    // Let releases finishing in the same turn of the event loop join this write.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        const results = await this.writeWithRetries(batch);
        batch.forEach((item, i) => item.resolve(results[i] as Released));
      } catch (error: unknown) {
        for (const item of batch) item.reject(error);
      }
    }
    this.flushing = null;
  }

  private async writeWithRetries(batch: Pending[]): Promise<Released[]> {
    const policy = this.deps.retry ?? defaultRetryPolicy;
    let lastError: unknown = null;
    for (let attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
      try {
        return await this.writeOnce(batch);
      } catch (error: unknown) {
        if (error instanceof ProtocolTooNewError || error instanceof NotALedgerError) throw error;
        lastError = error;
        this.deps.log.warn(`could not record results yet (${names(batch)}): ${messageOf(error)}`);
        await backoff(policy, attempt + 2);
      }
    }
    return batch.map(({ grant }) => ({
      writes: 0,
      overlap: false,
      revokedBy: null,
      failure:
        messageOf(lastError) +
        (grant.lease === null
          ? ''
          : `; lease #${grant.fencingToken} expires at ${grant.lease.expiresAt} plus grace`),
    }));
  }

  private async writeOnce(batch: Pending[]): Promise<Released[]> {
    const result = await updateLedger(
      this.deps.store,
      this.ref,
      (snapshot) => {
        if (snapshot.document === null) {
          throw new Error(`${this.ref} vanished while patrols ran`);
        }
        const { next, results } = releaseAll(snapshot.document, batch, this.deps, this.clock());
        return { write: next, value: results };
      },
      this.deps.retry,
    );
    return result.value.map((released, i) => {
      const overlap = released.kind === 'overlap';
      if (overlap) {
        this.deps.log.warn(
          `${batch[i]?.grant.patrol.id}: the lease was gone at release; recorded an overlap`,
        );
      }
      return {
        writes: i === 0 ? result.writes : 0,
        overlap,
        revokedBy: released.kind === 'overlap' ? released.revokedBy : null,
        failure: null,
      };
    });
  }
}

/** Apply each release in turn to one document, keeping every release's events. */
function releaseAll(
  current: LedgerDocument,
  batch: Pending[],
  deps: TickDeps,
  now: Date,
): { next: LedgerDocument; results: ReleaseResult[] } {
  let next = current;
  const events: LedgerDocument['events'] = [];
  const results: ReleaseResult[] = [];
  for (const { grant, runs } of batch) {
    const leaseNonce = grant.lease === null ? null : grant.nonce;
    const result = release(next, grant.patrol.id, runs, leaseNonce, deps.identity, now);
    events.push(...result.next.events);
    results.push(result);
    next = result.next;
  }
  return { next: { ...next, events }, results };
}

function names(batch: Pending[]): string {
  return batch.map(({ grant }) => grant.patrol.id).join(', ');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
