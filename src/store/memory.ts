import { createHash } from 'node:crypto';

import { assertLedgerMessage, assertLedgerRef, historyLimit, isCommitId } from './rules.js';
import { StoreError } from './types.js';
import type { LedgerCommit, LedgerRead, LedgerStore, WriteResult } from './types.js';

interface StoredCommit {
  message: string;
  parent: string | null;
}

/**
 * Ledgers in this process's memory, for tests and dry runs. Each write checks and changes
 * the maps in one synchronous step, so writes are atomic without any lock; it keeps every
 * commit so history reads like the git stores'.
 */
export class MemoryStore implements LedgerStore {
  readonly description = 'memory';

  private readonly tips = new Map<string, string>();
  private readonly commits = new Map<string, StoredCommit>();
  private readonly clock: () => Date;
  private successfulWrites = 0;

  constructor(options: { clock?: () => Date } = {}) {
    this.clock = options.clock ?? (() => new Date());
  }

  async read(ref: string): Promise<LedgerRead> {
    assertLedgerRef(ref);
    const tip = this.tips.get(ref);
    const commit = tip === undefined ? undefined : this.commits.get(tip);
    return {
      tip: tip === undefined || commit === undefined ? null : { sha: tip, message: commit.message },
      serverTime: this.clock(),
    };
  }

  async create(ref: string, message: string): Promise<WriteResult> {
    assertLedgerRef(ref);
    assertLedgerMessage(message);
    if (this.tips.has(ref)) return { ok: false, reason: 'exists' };
    this.assertNoNestedRef(ref);
    return { ok: true, tip: this.commitTo(ref, message, null) };
  }

  async swap(ref: string, expectedTip: string, message: string): Promise<WriteResult> {
    assertLedgerRef(ref);
    assertLedgerMessage(message);
    // Like git, which cannot make a commit on a parent it does not have.
    if (!isCommitId(expectedTip) || !this.commits.has(expectedTip)) {
      throw new StoreError(`Expected tip ${JSON.stringify(expectedTip)} is not a known commit`);
    }
    if (this.tips.get(ref) !== expectedTip) return { ok: false, reason: 'conflict' };
    return { ok: true, tip: this.commitTo(ref, message, expectedTip) };
  }

  async *history(ref: string, options: { limit?: number } = {}): AsyncIterable<LedgerCommit> {
    const limit = historyLimit(options.limit);
    assertLedgerRef(ref);

    let sha = this.tips.get(ref);
    for (let yielded = 0; sha !== undefined && yielded < limit; yielded += 1) {
      const commit = this.commits.get(sha) as StoredCommit;
      yield { sha, message: commit.message };
      sha = commit.parent ?? undefined;
    }
  }

  async now(): Promise<Date> {
    return this.clock();
  }

  /** How many creates and swaps succeeded. */
  writes(): number {
    return this.successfulWrites;
  }

  /** The refs that exist, sorted. */
  refs(): string[] {
    return [...this.tips.keys()].sort();
  }

  /** git (and GitHub) cannot hold both refs/a/b and refs/a/b/c: one would be a directory. */
  private assertNoNestedRef(ref: string): void {
    const clash = [...this.tips.keys()].find(
      (other) => other.startsWith(`${ref}/`) || ref.startsWith(`${other}/`),
    );
    if (clash !== undefined) {
      throw new StoreError(`Cannot create ${ref}: the ref ${clash} exists`);
    }
  }

  private commitTo(ref: string, message: string, parent: string | null): string {
    // The count makes every id unique, even for the same message written twice.
    const sha = createHash('sha1')
      .update(`${this.commits.size}\0${ref}\0${parent ?? ''}\0${message}`)
      .digest('hex');
    this.commits.set(sha, { message, parent });
    this.tips.set(ref, sha);
    this.successfulWrites += 1;
    return sha;
  }
}
