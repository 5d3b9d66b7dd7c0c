import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Octokit } from '@octokit/rest';

import type { TokenOptions } from '../support/emulator/index.js';
import { client, failure, NAME, OWNER, R, setup } from './helpers.js';
import type { Setup } from './helpers.js';

let s: Setup;

beforeEach(async () => {
  s = await setup();
});

afterEach(async () => {
  await s.emu.close();
});

describe('authentication', () => {
  it.each([
    ['no token', null, 'Requires authentication'],
    ['an unknown token', 'ghs_nobody', 'Bad credentials'],
  ])('answers %s with 401', async (_name, token, message) => {
    const f = await failure(client(s.emu, token).repos.get(R));

    expect(f.status).toBe(401);
    expect(f.data.message).toBe(message);
  });

  it('accepts the Bearer scheme as well as token', async () => {
    const response = await fetch(`${s.emu.url}/repos/${OWNER}/${NAME}`, {
      headers: { authorization: 'Bearer ghs_cronwarden_test' },
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      name: NAME,
      full_name: `${OWNER}/${NAME}`,
      default_branch: 'main',
      private: true,
      owner: { login: OWNER },
    });
  });
});

describe('permissions', () => {
  const table: [string, TokenOptions['permissions'], (o: Octokit) => Promise<unknown>, string][] = [
    [
      'a ref write with read-only contents',
      { contents: 'read' },
      (o) => o.git.createRef({ ...R, ref: 'refs/cronwarden/x', sha: 'a'.repeat(40) }),
      'contents=write',
    ],
    [
      'an issue list without issues',
      { contents: 'write' },
      (o) => o.issues.listForRepo(R),
      'issues=read',
    ],
    [
      'a cancel with read-only actions',
      { actions: 'read' },
      (o) => o.actions.cancelWorkflowRun({ ...R, run_id: 1 }),
      'actions=write',
    ],
  ];

  it.each(table)(
    'refuses %s with 403 and names the needed permission',
    async (_name, permissions, call, needed) => {
      s.emu.addToken('limited', { login: 'fork[bot]', type: 'Bot', permissions });
      const f = await failure(call(client(s.emu, 'limited')));

      expect(f.status).toBe(403);
      expect(f.data.message).toBe('Resource not accessible by integration');
      expect(f.data.documentation_url).toMatch(/^https:\/\/docs\.github\.com\/rest\//);
      expect(f.headers['x-accepted-github-permissions']).toBe(needed);
      expect(s.emu.refs('octo-org/patrols', 'refs/cronwarden/')).toEqual({});
    },
  );
});

describe('rate limits', () => {
  it('counts requests down per resource, 1,000 an hour for a bot', async () => {
    const first = await s.octokit.repos.get(R);
    const second = await s.octokit.repos.get(R);
    const graphql = await s.octokit.request('POST /graphql', {
      query: 'query CronwardenReadLedger { x }',
      variables: { owner: OWNER, name: NAME, ref: 'refs/cronwarden/none' },
    });

    expect(first.headers['x-ratelimit-limit']).toBe('1000');
    expect(first.headers['x-ratelimit-remaining']).toBe('999');
    expect(second.headers['x-ratelimit-remaining']).toBe('998');
    expect(second.headers['x-ratelimit-used']).toBe('2');
    expect(second.headers['x-ratelimit-resource']).toBe('core');
    // The hour window started with the first request, on the emulator's clock.
    expect(second.headers['x-ratelimit-reset']).toBe(
      String(Date.parse('2025-03-01T13:00:00Z') / 1000),
    );
    expect(graphql.headers['x-ratelimit-resource']).toBe('graphql');
    expect(graphql.headers['x-ratelimit-remaining']).toBe('999');
  });

  it('gives a user token 5,000', async () => {
    s.emu.addToken('pat', { login: 'octocat', permissions: { metadata: 'read' } });
    const answer = await client(s.emu, 'pat').repos.get(R);

    expect(answer.headers['x-ratelimit-limit']).toBe('5000');
  });

  it('refuses with 403 once none remain, until the window resets', async () => {
    s.emu.addToken('small', {
      login: 'tiny[bot]',
      type: 'Bot',
      permissions: { metadata: 'read' },
      rateLimit: 2,
    });
    const small = client(s.emu, 'small');
    await small.repos.get(R);
    await small.repos.get(R);
    const f = await failure(small.repos.get(R));
    s.emu.clock.advance(3_600_000);
    const after = await small.repos.get(R);

    expect(f.status).toBe(403);
    expect(f.data.message).toMatch(/^API rate limit exceeded for installation ID \d+\./);
    expect(f.headers['x-ratelimit-remaining']).toBe('0');
    expect(after.headers['x-ratelimit-remaining']).toBe('1');
  });

  it('reports the limits at GET /rate_limit without counting that request', async () => {
    await s.octokit.repos.get(R);
    const limits = await s.octokit.rateLimit.get();

    expect(limits.data.resources.core).toMatchObject({ limit: 1000, used: 1, remaining: 999 });
    expect(limits.data.resources.graphql).toMatchObject({ limit: 1000, used: 0 });
    expect(limits.headers['x-ratelimit-remaining']).toBe('999');
  });
});

describe('server time', () => {
  it('sends the Date header and stamps commits from the emulator clock', async () => {
    s.emu.clock.set(new Date('2030-06-15T08:30:00Z'));
    const answer = await s.octokit.repos.get(R);
    s.emu.clock.advance(90_000);
    const tree = await s.octokit.git.createTree({
      ...R,
      tree: [{ path: 'f', mode: '100644', type: 'blob', content: 'f' }],
    });
    const commit = await s.octokit.git.createCommit({ ...R, message: 'm', tree: tree.data.sha });

    expect(answer.headers.date).toBe('Sat, 15 Jun 2030 08:30:00 GMT');
    expect(commit.data.committer.date).toBe('2030-06-15T08:31:30Z');
    expect(answer.headers['x-github-request-id']).toMatch(/^[0-9A-F]{4}(:[0-9A-F]+){4}$/);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  });
});
