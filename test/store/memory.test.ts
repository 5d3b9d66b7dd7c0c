import { describe, expect, it } from 'vitest';

import { MemoryStore } from '../../src/store/memory.js';

describe('MemoryStore test helpers', () => {
  it('counts successful writes only', async () => {
    const store = new MemoryStore();
    const first = await store.create('refs/cronwarden/a', 'one');
    await store.create('refs/cronwarden/a', 'lost');
    if (!first.ok) throw new Error('create failed');
    await store.swap('refs/cronwarden/a', first.tip, 'two');
    await store.swap('refs/cronwarden/a', first.tip, 'stale');

    expect(store.writes()).toBe(2);
  });

  it('lists the refs it holds, sorted', async () => {
    const store = new MemoryStore();
    await store.create('refs/cronwarden/b', 'x');
    await store.create('refs/cronwarden/a', 'x');

    expect(store.refs()).toEqual(['refs/cronwarden/a', 'refs/cronwarden/b']);
  });

  it('gives the same message written twice two different ids', async () => {
    const store = new MemoryStore();
    const one = await store.create('refs/cronwarden/a', 'same');
    const two = await store.create('refs/cronwarden/b', 'same');

    expect(one.ok && two.ok && one.tip !== two.tip).toBe(true);
  });

  it('answers with the clock it was given', async () => {
    const times = [new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:05:00Z')];
    const store = new MemoryStore({ clock: () => times.shift() ?? new Date(0) });

    expect((await store.read('refs/cronwarden/a')).serverTime).toEqual(
      new Date('2030-01-01T00:00:00Z'),
    );
    expect(await store.now()).toEqual(new Date('2030-01-01T00:05:00Z'));
  });
});
