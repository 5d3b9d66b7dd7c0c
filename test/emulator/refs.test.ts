import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { commitOn, failure, R, REPO, setup } from './helpers.js';
import type { Setup } from './helpers.js';

let s: Setup;

beforeEach(async () => {
  s = await setup();
});

afterEach(async () => {
  await s.emu.close();
});

const LEDGER = 'refs/cronwarden/demo';

async function createLedger(): Promise<string> {
  const root = await commitOn(s.octokit, undefined, 'ledger v1');
  await s.octokit.git.createRef({ ...R, ref: LEDGER, sha: root });
  return root;
}

describe('creating a ref', () => {
  it('answers 201 with the ref and its object', async () => {
    const root = await commitOn(s.octokit, undefined, 'ledger v1');
    const created = await s.octokit.git.createRef({ ...R, ref: LEDGER, sha: root });

    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ ref: LEDGER, object: { sha: root, type: 'commit' } });
    expect(s.emu.refs(REPO, 'refs/cronwarden/')).toEqual({ [LEDGER]: root });
  });

  it.each([
    ['an existing ref', LEDGER, undefined, 'Reference already exists'],
    [
      'a name without refs/',
      'cronwarden/demo',
      undefined,
      "Reference name must start with 'refs/' and have at least two slashes.",
    ],
    [
      'a name with one slash',
      'refs/demo',
      undefined,
      "Reference name must start with 'refs/' and have at least two slashes.",
    ],
    ['an unknown object', 'refs/cronwarden/other', 'd'.repeat(40), 'Object does not exist'],
  ])('refuses %s with 422', async (_name, ref, sha, message) => {
    const root = await createLedger();
    const f = await failure(s.octokit.git.createRef({ ...R, ref, sha: sha ?? root }));

    expect(f.status).toBe(422);
    expect(f.data.message).toBe(message);
  });
});

describe('reading refs', () => {
  it('reads a custom namespace ref through git/ref', async () => {
    const root = await createLedger();
    const read = await s.octokit.git.getRef({ ...R, ref: 'cronwarden/demo' });

    expect(read.data.object.sha).toBe(root);
  });

  it('answers a missing ref with 404 Not Found', async () => {
    const f = await failure(s.octokit.git.getRef({ ...R, ref: 'cronwarden/absent' }));

    expect(f.status).toBe(404);
    expect(f.data.message).toBe('Not Found');
  });

  it('lists refs under a prefix, and none for an unused prefix', async () => {
    const root = await createLedger();
    await s.octokit.git.createRef({ ...R, ref: 'refs/cronwarden/gate/deploy', sha: root });
    const listed = await s.octokit.git.listMatchingRefs({ ...R, ref: 'cronwarden/' });
    const none = await s.octokit.git.listMatchingRefs({ ...R, ref: 'nothing/' });

    expect(listed.data.map((r) => r.ref)).toEqual([LEDGER, 'refs/cronwarden/gate/deploy']);
    expect(none.data).toEqual([]);
  });
});

describe('updating a ref', () => {
  it('fast-forwards to a descendant of the tip', async () => {
    const root = await createLedger();
    const next = await commitOn(s.octokit, root, 'ledger v2');
    const moved = await s.octokit.git.updateRef({
      ...R,
      ref: 'cronwarden/demo',
      sha: next,
      force: false,
    });

    expect(moved.status).toBe(200);
    expect(moved.data.object.sha).toBe(next);
  });

  it('refuses a commit that does not descend from the tip', async () => {
    const root = await createLedger();
    const next = await commitOn(s.octokit, root, 'ledger v2');
    await s.octokit.git.updateRef({ ...R, ref: 'cronwarden/demo', sha: next });
    const sibling = await commitOn(s.octokit, root, 'ledger v2 from a stale read');
    const f = await failure(
      s.octokit.git.updateRef({ ...R, ref: 'cronwarden/demo', sha: sibling }),
    );

    expect(f.status).toBe(422);
    expect(f.data.message).toBe('Update is not a fast forward');
    expect(s.emu.refs(REPO)[LEDGER]).toBe(next);
  });

  it('moves anywhere with force', async () => {
    const root = await createLedger();
    const unrelated = await commitOn(s.octokit, undefined, 'another root');
    await s.octokit.git.updateRef({ ...R, ref: 'cronwarden/demo', sha: unrelated, force: true });

    expect(s.emu.refs(REPO)[LEDGER]).toBe(unrelated);
    expect(s.emu.refHistory(REPO, LEDGER).map((c) => c.sha)).toEqual([root, unrelated]);
  });

  it.each([
    ['an absent ref', 'cronwarden/absent', undefined, 'Reference does not exist'],
    ['an unknown object', 'cronwarden/demo', 'c'.repeat(40), 'Object does not exist'],
  ])('refuses %s with 422', async (_name, ref, sha, message) => {
    const root = await createLedger();
    const f = await failure(s.octokit.git.updateRef({ ...R, ref, sha: sha ?? root }));

    expect(f.status).toBe(422);
    expect(f.data.message).toBe(message);
  });

  it('lets exactly one of twenty concurrent swaps from the same tip win', async () => {
    const root = await createLedger();
    const candidates = await Promise.all(
      Array.from({ length: 20 }, (_, i) => commitOn(s.octokit, root, `claim by runner ${i}`)),
    );

    const results = await Promise.allSettled(
      candidates.map((sha) => s.octokit.git.updateRef({ ...R, ref: 'cronwarden/demo', sha })),
    );

    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [candidates[i]] : []));
    const losers = results.filter((r) => r.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(s.emu.refs(REPO)[LEDGER]).toBe(winners[0]);
    for (const loser of losers) {
      const reason = (loser as PromiseRejectedResult).reason as { status: number; message: string };
      expect(reason.status).toBe(422);
      expect(reason.message).toContain('Update is not a fast forward');
    }
  });
});

describe('deleting a ref', () => {
  it('answers 204, then 422 "Reference does not exist" the second time', async () => {
    await createLedger();
    const deleted = await s.octokit.git.deleteRef({ ...R, ref: 'cronwarden/demo' });
    const f = await failure(s.octokit.git.deleteRef({ ...R, ref: 'cronwarden/demo' }));

    expect(deleted.status).toBe(204);
    expect(f.status).toBe(422);
    expect(f.data.message).toBe('Reference does not exist');
    expect(s.emu.refs(REPO, 'refs/cronwarden/')).toEqual({});
  });
});
