import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ALL_WRITE, client, failure, R, REPO, setup } from './helpers.js';
import type { Setup } from './helpers.js';

let s: Setup;

beforeEach(async () => {
  s = await setup();
});

afterEach(async () => {
  await s.emu.close();
});

async function openIssues(count: number): Promise<void> {
  for (let i = 1; i <= count; i += 1) {
    await s.octokit.issues.create({ ...R, title: `issue ${i}` });
  }
}

function rels(link: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (link ?? '').split(', ')) {
    const m = /<([^>]+)>; rel="(\w+)"/.exec(part);
    if (m !== null) {
      out[m[2] as string] = new URL(m[1] as string).searchParams.get('page') ?? '';
    }
  }
  return out;
}

describe('listing issues', () => {
  it('pages 150 issues with Link headers, newest first', async () => {
    await openIssues(150);

    const first = await s.octokit.issues.listForRepo({ ...R, per_page: 100 });
    const second = await s.octokit.issues.listForRepo({ ...R, per_page: 100, page: 2 });
    const defaults = await s.octokit.issues.listForRepo(R);
    const all = await s.octokit.paginate(s.octokit.issues.listForRepo, { ...R, per_page: 100 });

    expect(first.data).toHaveLength(100);
    expect(rels(first.headers.link)).toEqual({ next: '2', last: '2' });
    expect(second.data).toHaveLength(50);
    expect(rels(second.headers.link)).toEqual({ prev: '1', first: '1' });
    expect(defaults.data).toHaveLength(30);
    expect(rels(defaults.headers.link)).toEqual({ next: '2', last: '5' });
    expect(all.map((i) => i.number)).toEqual(Array.from({ length: 150 }, (_, i) => 150 - i));
  });

  it('filters by creator, by state and by every listed label', async () => {
    s.emu.addToken('human', { login: 'octocat', permissions: ALL_WRITE });
    const human = client(s.emu, 'human');
    await s.octokit.issues.create({
      ...R,
      title: 'bot, failing',
      labels: ['cronwarden', 'failing'],
    });
    await s.octokit.issues.create({ ...R, title: 'bot, plain', labels: ['cronwarden'] });
    await human.issues.create({ ...R, title: 'human' });
    const closed = await s.octokit.issues.create({ ...R, title: 'bot, closed' });
    await s.octokit.issues.update({ ...R, issue_number: closed.data.number, state: 'closed' });

    const titles = async (q: Record<string, string>): Promise<string[]> =>
      (await s.octokit.issues.listForRepo({ ...R, ...q })).data.map((i) => i.title);

    expect(await titles({ creator: 'cronwarden[bot]' })).toEqual(['bot, plain', 'bot, failing']);
    expect(await titles({ creator: 'cronwarden[bot]', state: 'all' })).toHaveLength(3);
    expect(await titles({ state: 'closed' })).toEqual(['bot, closed']);
    expect(await titles({ labels: 'cronwarden,failing' })).toEqual(['bot, failing']);
    expect(await titles({ direction: 'asc' })).toEqual(['bot, failing', 'bot, plain', 'human']);
  });
});

describe('creating and updating issues', () => {
  it('answers GitHub’s issue shape', async () => {
    const created = await s.octokit.issues.create({
      ...R,
      title: 'Patrol failing',
      body: 'details',
    });

    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      number: 1,
      title: 'Patrol failing',
      body: 'details',
      state: 'open',
      user: { login: 'cronwarden[bot]', type: 'Bot' },
      labels: [],
      comments: 0,
      created_at: '2025-03-01T12:00:00Z',
      closed_at: null,
      html_url: `https://github.com/${REPO}/issues/1`,
    });
  });

  it('closes with closed_at from the server clock and reopens', async () => {
    const { data } = await s.octokit.issues.create({ ...R, title: 't' });
    s.emu.clock.advance(60_000);
    const closed = await s.octokit.issues.update({
      ...R,
      issue_number: data.number,
      state: 'closed',
    });
    const reopened = await s.octokit.issues.update({
      ...R,
      issue_number: data.number,
      state: 'open',
    });

    expect(closed.data).toMatchObject({
      state: 'closed',
      state_reason: 'completed',
      closed_at: '2025-03-01T12:01:00Z',
    });
    expect(reopened.data).toMatchObject({
      state: 'open',
      state_reason: 'reopened',
      closed_at: null,
    });
  });

  it('accepts a body of 65,536 characters and refuses one more', async () => {
    const ok = await s.octokit.issues.create({ ...R, title: 't', body: 'x'.repeat(65_536) });
    const f = await failure(
      s.octokit.issues.create({ ...R, title: 't', body: 'x'.repeat(65_537) }),
    );
    const g = await failure(
      s.octokit.issues.createComment({
        ...R,
        issue_number: ok.data.number,
        body: 'y'.repeat(65_537),
      }),
    );

    expect(ok.status).toBe(201);
    for (const refused of [f, g]) {
      expect(refused.status).toBe(422);
      expect(refused.message.toLowerCase()).toContain('body is too long');
    }
  });

  it('answers a missing issue with 404', async () => {
    const f = await failure(s.octokit.issues.get({ ...R, issue_number: 99 }));

    expect(f.status).toBe(404);
  });
});

describe('labels', () => {
  it('refuses unknown labels when the token may not create them', async () => {
    s.emu.addToken('plain', { login: 'helper[bot]', type: 'Bot', permissions: ALL_WRITE });
    const plain = client(s.emu, 'plain');
    const f = await failure(plain.issues.create({ ...R, title: 't', labels: ['unheard-of'] }));

    expect(f.status).toBe(422);
    expect(f.data.message).toBe('Validation Failed');
    expect(f.data.errors).toEqual([
      { value: 'unheard-of', resource: 'Label', field: 'name', code: 'invalid' },
    ]);
    expect(s.emu.issues(REPO)).toEqual([]);
  });

  it('creates unknown labels when the token may, matching names in any case', async () => {
    await s.octokit.issues.createLabel({ ...R, name: 'Cronwarden', color: 'ff0000' });
    const issue = await s.octokit.issues.create({
      ...R,
      title: 't',
      labels: ['cronwarden', 'new-one'],
    });

    expect(issue.data.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual([
      'Cronwarden',
      'new-one',
    ]);
    expect(s.emu.labels(REPO).map((l) => l.name)).toEqual(['Cronwarden', 'new-one']);
  });

  it('refuses a duplicate label and adds labels to an issue', async () => {
    await s.octokit.issues.createLabel({ ...R, name: 'stuck' });
    const f = await failure(s.octokit.issues.createLabel({ ...R, name: 'STUCK' }));
    const issue = await s.octokit.issues.create({ ...R, title: 't' });
    const added = await s.octokit.issues.addLabels({
      ...R,
      issue_number: issue.data.number,
      labels: ['stuck'],
    });

    expect(f.status).toBe(422);
    expect(f.data.errors).toEqual([{ resource: 'Label', code: 'already_exists', field: 'name' }]);
    expect(added.data.map((l) => l.name)).toEqual(['stuck']);
    expect((await s.octokit.issues.listLabelsForRepo(R)).data.map((l) => l.name)).toEqual([
      'stuck',
    ]);
  });
});

describe('comments', () => {
  it('adds, pages and edits comments and counts them on the issue', async () => {
    const issue = await s.octokit.issues.create({ ...R, title: 't' });
    const n = issue.data.number;
    for (let i = 1; i <= 3; i += 1) {
      await s.octokit.issues.createComment({ ...R, issue_number: n, body: `comment ${i}` });
    }
    const page = await s.octokit.issues.listComments({ ...R, issue_number: n, per_page: 2 });
    const first = page.data[0];
    const edited = await s.octokit.issues.updateComment({
      ...R,
      comment_id: first?.id ?? 0,
      body: 'edited',
    });
    const again = await s.octokit.issues.get({ ...R, issue_number: n });

    expect(page.data.map((c) => c.body)).toEqual(['comment 1', 'comment 2']);
    expect(rels(page.headers.link)).toEqual({ next: '2', last: '2' });
    expect(edited.data.body).toBe('edited');
    expect(again.data.comments).toBe(3);
    expect(s.emu.comments(REPO, n).map((c) => c.body)).toEqual([
      'edited',
      'comment 2',
      'comment 3',
    ]);
  });
});
