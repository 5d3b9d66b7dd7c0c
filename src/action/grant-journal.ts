import type { LedgerStore } from '../store/types.js';

/**
 * Remembers the lease nonces this job mints and, before any write that carries one of
 * them reaches the store, hands the set to `save` (the Action saves it as step state).
 * The post step then knows which leases are this job's even when the main step was
 * killed between the claim landing and the release: a nonce is saved before it can hold
 * anything, never after.
 */
export class GrantJournal {
  private readonly minted = new Set<string>();
  private readonly written = new Set<string>();

  constructor(
    private readonly mint: () => string,
    private readonly save: (nonces: readonly string[]) => void,
  ) {}

  /** The nonce source to give the tick. */
  readonly newNonce = (): string => {
    const nonce = this.mint();
    this.minted.add(nonce);
    return nonce;
  };

  /** Nonces saved so far, in the order they were first written. */
  get saved(): readonly string[] {
    return [...this.written];
  }

  /** `store`, with the journal consulted before each of its two writes. */
  guard(store: LedgerStore): LedgerStore {
    return {
      description: store.description,
      read: (ref) => store.read(ref),
      history: (ref, options) => store.history(ref, options),
      now: () => store.now(),
      create: (ref, message) => {
        this.beforeWrite(message);
        return store.create(ref, message);
      },
      swap: (ref, expectedTip, message) => {
        this.beforeWrite(message);
        return store.swap(ref, expectedTip, message);
      },
    };
  }

  /**
   * Only nonces the document about to be written mentions are saved: those of plans that
   * lost a race were never granted. A nonce is 128 random bits, so finding its text in
   * the message means the message carries it.
   */
  private beforeWrite(message: string): void {
    let added = false;
    for (const nonce of this.minted) {
      if (this.written.has(nonce) || !message.includes(nonce)) continue;
      this.written.add(nonce);
      added = true;
    }
    if (added) this.save(this.saved);
  }
}
