import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { commitOn, failure, NAME, OWNER, R, REPO, setup, TOKEN } from './helpers.js';
import type { Setup } from './helpers.js';

let s: Setup;

beforeEach(async () => {
  s = await setup();
});

afterEach(async () => {
  await s.emu.close();
});

const LEDGER = 'refs/cronwarden/demo';
const LEDGER_PATH = `/repos/${REPO}/git/refs/cronwarden/demo`;

/** A ledger with one commit, and a second commit ready to swap in. */
async function ledgerWithNext(): Promise<{ root: string; next: string }> {
  const root = await commitOn(s.octokit, undefined, 'ledger v1');
  await s.octokit.git.createRef({ ...R, ref: LEDGER, sha: root });
  const next = await commitOn(s.octokit, root, 'ledger v2');
  return { root, next };
}

describe('error faults', () => {
  it('error-before answers the status and leaves the ref alone', async () => {
    const { root, next } = await ledgerWithNext();
    s.emu.faults.add({
      match: { method: 'PATCH', path: LEDGER_PATH },
      kind: { type: 'error-before', status: 502 },
    });
    const f = await failure(s.octokit.git.updateRef({ ...R, ref: 'cronwarden/demo', sha: next }));

    expect(f.status).toBe(502);
    expect(s.emu.refs(REPO)[LEDGER]).toBe(root);
  });

  it('error-after applies the write and then answers the status', async () => {
    const { next } = await ledgerWithNext();
    s.emu.faults.add({ match: { method: 'PATCH' }, kind: { type: 'error-after', status: 502 } });
    const f = await failure(s.octokit.git.updateRef({ ...R, ref: 'cronwarden/demo', sha: next }));
    const again = await s.octokit.git.updateRef({ ...R, ref: 'cronwarden/demo', sha: next });

    expect(f.status).toBe(502);
    expect(s.emu.refs(REPO)[LEDGER]).toBe(next);
    // Only one request was affected: the retry goes through (and is a no-op fast-forward).
    expect(again.status).toBe(200);
  });

  it('affects as many matching requests as `times` says, matching paths by RegExp', async () => {
    const handle = s.emu.faults.add({
      match: { method: 'GET', path: /\/git\/ref\// },
      times: 2,
      kind: { type: 'error-before', status: 503 },
    });
    await s.octokit.repos.get(R);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      try {
        statuses.push((await s.octokit.git.getRef({ ...R, ref: 'heads/main' })).status);
      } catch (error: unknown) {
        statuses.push((error as { status: number }).status);
      }
    }

    expect(statuses).toEqual([503, 503, 200]);
    expect(handle.remaining()).toBe(0);
  });

  it('clear() removes every armed fault', async () => {
    s.emu.faults.add({ match: {}, times: Infinity, kind: { type: 'error-before', status: 500 } });
    s.emu.faults.clear();
    const answer = await s.octokit.repos.get(R);

    expect(answer.status).toBe(200);
  });
});

describe('secondary rate limits', () => {
  it.each([
    [403, 30],
    [429, undefined],
  ] as const)('answers %s with the secondary-limit message', async (status, retryAfterSeconds) => {
    s.emu.faults.add({
      match: { method: 'POST' },
      kind: {
        type: 'secondary-limit',
        status,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      },
    });
    const f = await failure(s.octokit.issues.create({ ...R, title: 't' }));

    expect(f.status).toBe(status);
    expect(f.message).toMatch(/secondary rate limit/);
    expect(f.headers['retry-after']).toBe(retryAfterSeconds === undefined ? undefined : '30');
    expect(f.headers['x-ratelimit-remaining']).not.toBe('0');
    expect(s.emu.issues(REPO)).toEqual([]);
  });
});

describe('stale reads', () => {
  it('answers ref reads with the value the ref had ageMs ago, REST and GraphQL', async () => {
    const { root, next } = await ledgerWithNext();
    s.emu.clock.advance(10_000);
    await s.octokit.git.updateRef({ ...R, ref: 'cronwarden/demo', sha: next });
    s.emu.faults.add({ match: { method: 'GET' }, kind: { type: 'stale', ageMs: 5_000 } });
    s.emu.faults.add({
      match: { operationName: 'CronwardenReadLedger' },
      kind: { type: 'stale', ageMs: 5_000 },
    });

    const stale = await s.octokit.git.getRef({ ...R, ref: 'cronwarden/demo' });
    const fresh = await s.octokit.git.getRef({ ...R, ref: 'cronwarden/demo' });
    const staleGraphql = await s.octokit.graphql<{
      repository: { ref: { target: { oid: string } } };
    }>(
      `query CronwardenReadLedger($owner: String!, $name: String!, $ref: String!) {
        repository(owner: $owner, name: $name) {
          ref(qualifiedName: $ref) { target { oid ... on Commit { message } } }
        }
      }`,
      { owner: OWNER, name: NAME, ref: LEDGER },
    );

    expect(stale.data.object.sha).toBe(root);
    expect(fresh.data.object.sha).toBe(next);
    expect(staleGraphql.repository.ref.target.oid).toBe(root);
  });

  it('is not used up by requests that read no ref', async () => {
    const { root, next } = await ledgerWithNext();
    s.emu.clock.advance(10_000);
    await s.octokit.git.updateRef({ ...R, ref: 'cronwarden/demo', sha: next });
    const handle = s.emu.faults.add({
      match: { method: 'GET' },
      kind: { type: 'stale', ageMs: 5_000 },
    });

    await s.octokit.repos.get(R);
    const stale = await s.octokit.git.getRef({ ...R, ref: 'cronwarden/demo' });

    expect(stale.data.object.sha).toBe(root);
    expect(handle.remaining()).toBe(0);
  });
});

describe('latency', () => {
  it('holds a request before applying it, so a later request can overtake it', async () => {
    const { root, next } = await ledgerWithNext();
    const rival = await commitOn(s.octokit, root, 'ledger v2 by a rival');
    const held = s.emu.faults.add({
      match: { method: 'PATCH' },
      kind: { type: 'latency', ms: 1_000 },
    });

    const slow = s.octokit.git.updateRef({ ...R, ref: 'cronwarden/demo', sha: next }).then(
      () => 200,
      (error: unknown) => (error as { status: number }).status,
    );
    while (held.remaining() > 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The slow PATCH has arrived and is being held: nothing has been applied yet.
    expect(s.emu.refs(REPO)[LEDGER]).toBe(root);
    await s.octokit.git.updateRef({ ...R, ref: 'cronwarden/demo', sha: rival });

    expect(await slow).toBe(422);
    expect(s.emu.refs(REPO)[LEDGER]).toBe(rival);
  });
});

describe('the request log', () => {
  it('records method, path, query, status, time, token, body and operation', async () => {
    s.emu.clearLog();
    await s.octokit.issues.listForRepo({ ...R, state: 'all' });
    await failure(s.octokit.git.createRef({ ...R, ref: 'bad', sha: 'a'.repeat(40) }));
    await s.octokit.graphql('query CronwardenReadLedger { x }', {
      owner: OWNER,
      name: NAME,
      ref: LEDGER,
    });

    expect(s.emu.log).toEqual([
      {
        method: 'GET',
        path: `/repos/${REPO}/issues`,
        query: { state: 'all' },
        status: 200,
        at: new Date('2025-03-01T12:00:00Z'),
        token: TOKEN,
        login: 'cronwarden[bot]',
      },
      expect.objectContaining({
        method: 'POST',
        path: `/repos/${REPO}/git/refs`,
        status: 422,
        body: { ref: 'bad', sha: 'a'.repeat(40) },
      }),
      expect.objectContaining({
        method: 'POST',
        path: '/graphql',
        operationName: 'CronwardenReadLedger',
      }),
    ]);
    s.emu.clearLog();
    expect(s.emu.log).toEqual([]);
  });
});
