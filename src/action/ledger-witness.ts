import { decodeLedger } from '../ledger/document.js';
import type { LedgerDocument, LedgerEvent } from '../ledger/types.js';
import type { LedgerStore } from '../store/types.js';

/**
 * Keeps what the tick saw of its ledger on the way, so that the report after the tick
 * needs no request of its own: every event the tick wrote (a commit carries only its own
 * events, and a tick writes several), and the state after its last write (or as
 * last read, when it wrote nothing).
 */
export class LedgerWitness {
  private readonly written: LedgerEvent[] = [];
  private newest: { ref: string; sha: string; message: string } | null = null;
  private hasWritten = false;

  get events(): LedgerEvent[] {
    return [...this.written];
  }

  /** The ledger after the tick's last write, or as last read; null when there is none. */
  latest(): LedgerDocument | null {
    if (this.newest === null) return null;
    return decodeLedger(this.newest.ref, this.newest.sha, this.newest.message);
  }

  watch(store: LedgerStore): LedgerStore {
    return {
      description: store.description,
      history: (ref, options) => store.history(ref, options),
      now: () => store.now(),
      read: async (ref) => {
        const read = await store.read(ref);
        // After a write, a read may come from a stale cache: the tick's own last write is
        // then the surer picture of the ledger.
        if (this.written.length === 0)
          this.newest = read.tip === null ? null : { ref, ...read.tip };
        return read;
      },
      create: async (ref, message) => this.wrote(ref, message, await store.create(ref, message)),
      swap: async (ref, tip, message) =>
        this.wrote(ref, message, await store.swap(ref, tip, message)),
    };
  }

  private wrote<T extends { ok: boolean; tip?: string }>(
    ref: string,
    message: string,
    result: T,
  ): T {
    if (result.ok && result.tip !== undefined) {
      this.newest = { ref, sha: result.tip, message };
      this.hasWritten = true;
      this.written.push(...decodeLedger(ref, result.tip, message).events);
    }
    return result;
  }
}
