import { describe, expect, it } from 'vitest';

import { GrantJournal } from '../../src/action/grant-journal.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { LedgerStore } from '../../src/store/types.js';

const REF = 'refs/cronwarden/test';

/** A store that records, at each write, what the journal had saved by then. */
function watched(saves: (readonly string[])[]) {
  const writesSeen: string[][] = [];
  const inner = new MemoryStore();
  const store: LedgerStore = {
    description: 'watched',
    read: (ref) => inner.read(ref),
    history: (ref, options) => inner.history(ref, options),
    now: () => inner.now(),
    create: (ref, message) => {
      writesSeen.push([...(saves.at(-1) ?? [])]);
      return inner.create(ref, message);
    },
    swap: (ref, tip, message) => {
      writesSeen.push([...(saves.at(-1) ?? [])]);
      return inner.swap(ref, tip, message);
    },
  };
  return { store, writesSeen, inner };
}

function counter() {
  let n = 0;
  return () => `nonce-${++n}-${'0'.repeat(24)}`;
}

describe('GrantJournal', () => {
  it('saves a nonce before the write that carries it reaches the store', async () => {
    const saves: (readonly string[])[] = [];
    const { store, writesSeen } = watched(saves);
    const journal = new GrantJournal(counter(), (nonces) => saves.push(nonces));
    const guarded = journal.guard(store);

    const granted = journal.newNonce();
    await guarded.create(REF, `claim ${granted}`);

    expect(writesSeen).toEqual([[granted]]);
    expect(journal.saved).toEqual([granted]);
  });

  it('never saves nonces of plans that were not written', async () => {
    const saves: (readonly string[])[] = [];
    const { store } = watched(saves);
    const journal = new GrantJournal(counter(), (nonces) => saves.push(nonces));
    const guarded = journal.guard(store);

    const lost = journal.newNonce();
    const won = journal.newNonce();
    await guarded.create(REF, `claim ${won}`);

    expect(saves).toEqual([[won]]);
    expect(journal.saved).not.toContain(lost);
  });

  it('keeps every nonce saved once, and saves again only when one is added', async () => {
    const saves: (readonly string[])[] = [];
    const { store } = watched(saves);
    const journal = new GrantJournal(counter(), (nonces) => saves.push(nonces));
    const guarded = journal.guard(store);

    const first = journal.newNonce();
    const created = await guarded.create(REF, `claim ${first}`);
    if (!created.ok) throw new Error('create failed');
    const renewed = await guarded.swap(REF, created.tip, `renew ${first}`);
    if (!renewed.ok) throw new Error('swap failed');
    const second = journal.newNonce();
    await guarded.swap(REF, renewed.tip, `release ${first}, claim ${second}`);

    expect(saves).toEqual([[first], [first, second]]);
  });

  it('passes reads and writes through unchanged', async () => {
    const { store, inner } = watched([]);
    const guarded = new GrantJournal(counter(), () => undefined).guard(store);

    const created = await guarded.create(REF, 'hello');

    expect(created.ok).toBe(true);
    expect((await guarded.read(REF)).tip?.message).toBe('hello');
    expect((await inner.read(REF)).tip?.message).toBe('hello');
  });
});
