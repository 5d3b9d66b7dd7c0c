import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { LocalGitStore } from '../../src/store/local-git.js';
import { MemoryStore } from '../../src/store/memory.js';
import { StoreError } from '../../src/store/types.js';
import type { LedgerCommit, LedgerStore, WriteResult } from '../../src/store/types.js';

const SERVER_TIME = new Date('2031-05-06T07:08:09.000Z');
const clock = (): Date => new Date(SERVER_TIME);
const LEDGER = 'refs/cronwarden/nightly';

interface Subject {
  store: LedgerStore;
  cleanup(): Promise<void>;
}

const kinds = [
  {
    kind: 'MemoryStore',
    open: async (): Promise<Subject> => ({
      store: new MemoryStore({ clock }),
      cleanup: async () => undefined,
    }),
  },
  {
    kind: 'LocalGitStore',
    open: async (): Promise<Subject> => {
      const directory = await mkdtemp(path.join(tmpdir(), 'cronwarden-contract-'));
      const store = await LocalGitStore.open(path.join(directory, 'ledger.git'), {
        createBare: true,
        clock,
      });
      return { store, cleanup: () => rm(directory, { recursive: true, force: true }) };
    },
  },
];

describe.each(kinds)('$kind keeps the ledger store contract', ({ open }) => {
  let subject: Subject;
  let store: LedgerStore;

  beforeEach(async () => {
    subject = await open();
    store = subject.store;
  });

  afterEach(async () => {
    await subject.cleanup();
  });

  async function created(ref: string, message: string): Promise<string> {
    return tipOf(await store.create(ref, message));
  }

  async function collect(ref: string, limit?: number): Promise<LedgerCommit[]> {
    const commits: LedgerCommit[] = [];
    for await (const commit of store.history(ref, limit === undefined ? {} : { limit })) {
      commits.push(commit);
    }
    return commits;
  }

  describe('reading', () => {
    it('reads an absent ledger as no tip, with the store clock', async () => {
      expect(await store.read(LEDGER)).toEqual({ tip: null, serverTime: SERVER_TIME });
    });

    it('answers now() from its clock', async () => {
      expect(await store.now()).toEqual(SERVER_TIME);
    });

    it('reads the tip and message a create wrote', async () => {
      const tip = await created(LEDGER, '{"v":1}');

      expect(await store.read(LEDGER)).toEqual({
        tip: { sha: tip, message: '{"v":1}' },
        serverTime: SERVER_TIME,
      });
    });
  });

  describe('create', () => {
    it('returns a commit id as the new tip', async () => {
      const result = await store.create(LEDGER, 'first');

      expect(result.ok).toBe(true);
      expect(tipOf(result)).toMatch(/^[0-9a-f]{40}$/);
    });

    it('refuses an existing ledger with "exists" and leaves it unchanged', async () => {
      const tip = await created(LEDGER, 'first');

      expect(await store.create(LEDGER, 'second')).toEqual({ ok: false, reason: 'exists' });
      expect((await store.read(LEDGER)).tip).toEqual({ sha: tip, message: 'first' });
    });

    it('keeps ledgers apart', async () => {
      await created('refs/cronwarden/a', 'of a');
      await created('refs/cronwarden/b', 'of b');

      expect((await store.read('refs/cronwarden/a')).tip?.message).toBe('of a');
      expect((await store.read('refs/cronwarden/b')).tip?.message).toBe('of b');
    });

    it('refuses a ledger nested below another one as a StoreError', async () => {
      await created('refs/cronwarden/a', 'of a');

      await expect(store.create('refs/cronwarden/a/b', 'x')).rejects.toThrow(StoreError);
    });

    it('lets exactly one of 20 concurrent creates win', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) => store.create(LEDGER, `writer ${index}`)),
      );

      const winners = results.filter((result) => result.ok);
      expect(winners).toHaveLength(1);
      expect(results.filter((result) => !result.ok)).toEqual(
        Array.from({ length: 19 }, () => ({ ok: false, reason: 'exists' })),
      );
      expect((await store.read(LEDGER)).tip?.sha).toBe(tipOf(winners[0] as WriteResult));
    });
  });

  describe('swap', () => {
    it('moves the ledger from its tip to a child commit', async () => {
      const first = await created(LEDGER, 'first');
      const second = tipOf(await store.swap(LEDGER, first, 'second'));

      expect(second).not.toBe(first);
      expect((await store.read(LEDGER)).tip).toEqual({ sha: second, message: 'second' });
      expect(await collect(LEDGER)).toEqual([
        { sha: second, message: 'second' },
        { sha: first, message: 'first' },
      ]);
    });

    it('answers "conflict" from a stale tip and leaves the ledger unchanged', async () => {
      const first = await created(LEDGER, 'first');
      const second = tipOf(await store.swap(LEDGER, first, 'second'));

      expect(await store.swap(LEDGER, first, 'late')).toEqual({ ok: false, reason: 'conflict' });
      expect((await store.read(LEDGER)).tip?.sha).toBe(second);
    });

    it('answers "conflict" when the ledger does not exist', async () => {
      const elsewhere = await created('refs/cronwarden/other', 'other');

      expect(await store.swap(LEDGER, elsewhere, 'x')).toEqual({ ok: false, reason: 'conflict' });
      expect((await store.read(LEDGER)).tip).toBeNull();
    });

    it('refuses an expected tip that is not a commit of the store as a StoreError', async () => {
      await created(LEDGER, 'first');

      await expect(store.swap(LEDGER, 'f'.repeat(40), 'x')).rejects.toThrow(StoreError);
      await expect(store.swap(LEDGER, 'HEAD', 'x')).rejects.toThrow(StoreError);
    });

    it('lets exactly one of 20 concurrent swaps from one tip win', async () => {
      const first = await created(LEDGER, 'first');

      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) => store.swap(LEDGER, first, `writer ${index}`)),
      );

      const winners = results.filter((result) => result.ok);
      expect(winners).toHaveLength(1);
      expect(results.filter((result) => !result.ok)).toEqual(
        Array.from({ length: 19 }, () => ({ ok: false, reason: 'conflict' })),
      );
      const tip = (await store.read(LEDGER)).tip;
      expect(tip?.sha).toBe(tipOf(winners[0] as WriteResult));
      expect(await collect(LEDGER)).toHaveLength(2);
    });
  });

  describe('messages come back byte for byte', () => {
    const bigJson = JSON.stringify({
      patrols: Array.from({ length: 1500 }, (_, index) => ({
        id: `patrol-${index}`,
        cursor: '2031-05-06T07:05:00.000Z',
        note: 'ünïcödé ✓ "quoted" \\ back\nslash',
      })),
    });

    it.each([
      ['an empty message', ''],
      ['a message without a final newline', '{"v":1}'],
      ['trailing newlines', '{"v":1}\n\n\n'],
      ['leading blank lines', '\n\n{"v":1}'],
      ['whitespace only', ' \t \n '],
      ['CRLF line ends', 'a\r\nb\r\n'],
      ['lines that look like comments', '# not a comment\n#\n'],
      ['trailing spaces', 'a   \nb\t\n'],
      ['unicode beyond the BMP and combining marks', '{"e":"🦉 e\u0301 \u05e9\u05dc\u05d5\u05dd"}'],
      ['pretty JSON with indentation', JSON.stringify({ a: [1, { b: 'c' }] }, null, 2)],
      ['100 KB of JSON', bigJson],
    ])('keeps %s', async (_name, message) => {
      const first = await created(LEDGER, message);
      expect((await store.read(LEDGER)).tip?.message).toBe(message);

      await store.swap(LEDGER, first, message);
      const messages = (await collect(LEDGER)).map((commit) => commit.message);
      expect(messages).toEqual([message, message]);
    });

    it('is large enough for the 100 KB case', () => {
      expect(Buffer.byteLength(bigJson)).toBeGreaterThan(100_000);
    });

    it.each([
      ['a NUL character', 'a\0b'],
      ['a lone high surrogate', 'a\uD800b'],
      ['a lone low surrogate', 'a\uDC00b'],
    ])('refuses a message with %s as a StoreError', async (_name, message) => {
      await expect(store.create(LEDGER, message)).rejects.toThrow(StoreError);
      expect((await store.read(LEDGER)).tip).toBeNull();
    });
  });

  describe('history', () => {
    async function chain(length: number): Promise<string[]> {
      const shas = [await created(LEDGER, 'state 0')];
      for (let index = 1; index < length; index += 1) {
        shas.push(tipOf(await store.swap(LEDGER, shas.at(-1) as string, `state ${index}`)));
      }
      return shas.reverse();
    }

    it('walks from the tip to the root, newest first', async () => {
      const newestFirst = await chain(5);

      expect(await collect(LEDGER)).toEqual(
        newestFirst.map((sha, index) => ({ sha, message: `state ${4 - index}` })),
      );
    });

    it.each([
      [0, 0],
      [1, 1],
      [3, 3],
      [5, 5],
      [50, 5],
    ])('with limit %i yields %i commits', async (limit, count) => {
      const newestFirst = await chain(5);

      const commits = await collect(LEDGER, limit);
      expect(commits.map((commit) => commit.sha)).toEqual(newestFirst.slice(0, count));
    });

    it('yields nothing for an absent ledger', async () => {
      expect(await collect(LEDGER)).toEqual([]);
    });

    it('stays on its own ledger', async () => {
      await chain(2);
      await created('refs/cronwarden/other', 'other');

      expect((await collect('refs/cronwarden/other')).map((commit) => commit.message)).toEqual([
        'other',
      ]);
    });

    it('can be abandoned part way', async () => {
      await chain(4);
      const seen: string[] = [];
      for await (const commit of store.history(LEDGER)) {
        seen.push(commit.message);
        if (seen.length === 2) break;
      }

      expect(seen).toEqual(['state 3', 'state 2']);
    });

    it.each([-1, 1.5, Number.NaN])('refuses the limit %s', async (limit) => {
      await expect(collect(LEDGER, limit)).rejects.toThrow(RangeError);
    });
  });

  describe('ref names', () => {
    it.each([
      'refs/cronwarden/nightly',
      'refs/cronwarden/team.a/table_2',
      'refs/cronwarden/locks/deploy-prod',
    ])('accepts %s', async (ref) => {
      await created(ref, 'x');
      expect((await store.read(ref)).tip?.message).toBe('x');
    });

    it.each([
      'cronwarden',
      'heads/main',
      'refs/cronwarden',
      'refs/cronwarden/',
      'refs//cronwarden/x',
      'refs/cronwarden/a..b',
      'refs/cronwarden/.hidden',
      'refs/cronwarden/x.lock',
      'refs/cronwarden/x.',
      'refs/cronwarden/with space',
      'refs/cronwarden/a:b',
      'refs/cronwarden/a~1',
      'refs/cronwarden/a^',
      'refs/cronwarden/a?',
      'refs/cronwarden/a*',
      'refs/cronwarden/a[0]',
      'refs/cronwarden/a\\b',
      'refs/cronwarden/a@{1}',
      'refs/cronwarden/tab\there',
      'refs/cronwarden/del\u007f',
    ])('refuses %j everywhere, naming it', async (ref) => {
      const named = expect.objectContaining({
        name: 'StoreError',
        message: expect.stringContaining(JSON.stringify(ref)),
      });

      await expect(store.read(ref)).rejects.toEqual(named);
      await expect(store.create(ref, 'x')).rejects.toEqual(named);
      await expect(store.swap(ref, 'a'.repeat(40), 'x')).rejects.toEqual(named);
      await expect(collect(ref)).rejects.toEqual(named);
    });
  });
});

function tipOf(result: WriteResult): string {
  if (!result.ok) throw new Error(`expected a successful write, got ${result.reason}`);
  return result.tip;
}
