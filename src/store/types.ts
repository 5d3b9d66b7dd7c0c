/**
 * A store holds ledgers: refs whose tip commit carries a state document in its message.
 *
 * It offers reads and exactly two atomic writes. Everything the scheduler guarantees rests
 * on these two being atomic on the server, never on a read followed by a write.
 */
export interface LedgerStore {
  /** Where the ledgers live, for logs and reports (never contains a secret). */
  readonly description: string;

  /** The tip of `ref` and its message, or `tip: null` when the ref does not exist. */
  read(ref: string): Promise<LedgerRead>;

  /** Make a root commit with `message` and point `ref` at it, only if `ref` is absent. */
  create(ref: string, message: string): Promise<WriteResult>;

  /**
   * Make a commit with `message` whose parent is `expectedTip`, and move `ref` to it only
   * while the ref still points at `expectedTip`.
   */
  swap(ref: string, expectedTip: string, message: string): Promise<WriteResult>;

  /** Commits reachable from the tip of `ref`, newest first, following first parents. */
  history(ref: string, options?: { limit?: number }): AsyncIterable<LedgerCommit>;

  /** The store's clock (a server's `Date` header for remote stores). */
  now(): Promise<Date>;
}

export interface LedgerCommit {
  sha: string;
  message: string;
}

export interface LedgerRead {
  tip: LedgerCommit | null;
  /** The store's clock when the read was answered. */
  serverTime: Date;
}

export type WriteResult =
  | { ok: true; tip: string }
  /** `exists`: create found the ref present; `conflict`: swap found another tip. */
  | { ok: false; reason: 'exists' | 'conflict' };

/** A store answered in a way the ledger cannot trust (not a lost race). */
export class StoreError extends Error {
  override name = 'StoreError';
}
