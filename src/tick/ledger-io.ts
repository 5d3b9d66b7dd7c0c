import { decodeLedger, encodeLedger } from '../ledger/document.js';
import type { LedgerDocument } from '../ledger/types.js';
import type { LedgerStore } from '../store/types.js';

const LEDGER_PREFIX = 'refs/cronwarden/';

export function ledgerRef(tableId: string): string {
  return `${LEDGER_PREFIX}${tableId}`;
}

export interface LedgerSnapshot {
  /** The tip commit, or null when the ledger does not exist yet. */
  tip: string | null;
  document: LedgerDocument | null;
  serverTime: Date;
}

/** One read: the tip and its decoded document. Throws for a foreign or too-new ref. */
export async function readLedger(store: LedgerStore, ref: string): Promise<LedgerSnapshot> {
  const read = await store.read(ref);
  if (read.tip === null) return { tip: null, document: null, serverTime: read.serverTime };
  // A ledger ref holds its own table's ledger: anything else is refused, never written over.
  const table = ref.startsWith(LEDGER_PREFIX) ? ref.slice(LEDGER_PREFIX.length) : undefined;
  const document = decodeLedger(ref, read.tip.sha, read.tip.message, table);
  return { tip: read.tip.sha, document, serverTime: read.serverTime };
}

/** Write `next` over `snapshot` in one atomic step: create when absent, else swap. */
export async function writeLedger(
  store: LedgerStore,
  ref: string,
  snapshot: LedgerSnapshot,
  next: LedgerDocument,
) {
  const message = encodeLedger(next);
  return snapshot.tip === null
    ? store.create(ref, message)
    : store.swap(ref, snapshot.tip, message);
}

/** Bounded retries with full jitter: losers of a race spread out instead of colliding again. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 12,
  baseDelayMs: 25,
  maxDelayMs: 2_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export function backoff(policy: RetryPolicy, attempt: number): Promise<void> {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return policy.sleep(Math.floor(policy.random() * ceiling));
}

/** The ledger changed under every attempt; nothing of this change was written. */
export class LedgerConflictError extends Error {
  override name = 'LedgerConflictError';
  constructor(ref: string, attempts: number) {
    super(`${ref} kept changing under ${attempts} attempts to write it; giving up.`);
  }
}

export type Update<T> = { write: LedgerDocument; value: T } | { write: null; value: T };

/**
 * Read, decide, compare-and-swap; on a lost race read again and decide again. The
 * decision is always made on the state the swap is conditioned on, never on an older read.
 */
export async function updateLedger<T>(
  store: LedgerStore,
  ref: string,
  decide: (snapshot: LedgerSnapshot) => Update<T>,
  policy: RetryPolicy = defaultRetryPolicy,
): Promise<{ value: T; tip: string | null; writes: number }> {
  for (let attempt = 0; attempt < policy.attempts; attempt++) {
    const snapshot = await readLedger(store, ref);
    const update = decide(snapshot);
    if (update.write === null) return { value: update.value, tip: snapshot.tip, writes: 0 };
    const result = await writeLedger(store, ref, snapshot, update.write);
    if (result.ok) return { value: update.value, tip: result.tip, writes: 1 };
    await backoff(policy, attempt);
  }
  throw new LedgerConflictError(ref, policy.attempts);
}
