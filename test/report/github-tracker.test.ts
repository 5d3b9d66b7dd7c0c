import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ACTIONS_BOT_LOGIN, GithubTracker } from '../../src/report/github-tracker.js';
import { reportTick } from '../../src/report/index.js';
import { failureKey, markerLine, readMarker } from '../../src/report/marker.js';
import type { TrackedIssue } from '../../src/report/tracker.js';
import { startEmulator, type Emulator } from '../support/emulator/index.js';
import {
  ledger,
  MINUTE,
  patrol,
  patrolState,
  patrolTable,
  run,
  runReport,
  tickReport,
} from './fixtures.js';

const REPO = 'acme/ops';
const WHERE = { owner: 'acme', repo: 'ops' };
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let emu: Emulator;
let octokit: Octokit;

function clientFor(token: string): Octokit {
  return new Octokit({ baseUrl: emu.url, auth: token, log: quiet });
}

beforeEach(async () => {
  emu = await startEmulator({ now: new Date('2031-03-03T00:00:00Z') });
  emu.addRepo(REPO);
  emu.addToken('bot', {
    login: ACTIONS_BOT_LOGIN,
    type: 'Bot',
    permissions: { issues: 'write', contents: 'write', pull_requests: 'write' },
  });
  emu.addToken('human', { login: 'octocat', permissions: { issues: 'write' } });
  octokit = clientFor('bot');
});

afterEach(async () => {
  await emu.close();
});

async function listed(tracker: GithubTracker): Promise<TrackedIssue[]> {
  const out: TrackedIssue[] = [];
  for await (const issue of tracker.listIssues()) out.push(issue);
  return out;
}

function failingTick() {
  const record = run({ token: 1, slot: 5 * MINUTE, outcome: 'failed' });
  return {
    doc: ledger({ backup: patrolState({ recentRuns: [record] }) }),
    tick: tickReport('t1', record.slot, [runReport(record, 'backup', 'boom')]),
    now: new Date(record.finishedAt),
  };
}

const writes = () => emu.log.filter((e) => e.method !== 'GET');

describe('GithubTracker against the emulator', () => {
  it('lists every page of the bot’s issues, only its own, without pull requests', async () => {
    for (let i = 0; i < 130; i++) {
      await octokit.rest.issues.create({
        ...WHERE,
        title: `bot ${i}`,
        body: `${markerLine(failureKey('x', `p${i}`))}\n`,
      });
    }
    await clientFor('human').rest.issues.create({ ...WHERE, title: 'by a person' });
    const base = emu.refs(REPO)['refs/heads/main']!;
    const commit = emu.seedCommit(REPO, {
      message: 'change',
      files: { 'a.txt': 'a' },
      parents: [base],
    });
    emu.setRef(REPO, 'refs/heads/feature', commit);
    await octokit.rest.pulls.create({
      ...WHERE,
      title: 'a pull request',
      head: 'feature',
      base: 'main',
    });

    const tracker = new GithubTracker(octokit, WHERE);
    const issues = await listed(tracker);

    expect(issues).toHaveLength(130);
    expect(issues.every((i) => i.author === ACTIONS_BOT_LOGIN)).toBe(true);
    const pages = emu.log.filter((e) => e.method === 'GET' && e.path.endsWith('/issues'));
    expect(pages.map((p) => [p.query.creator, p.query.state, p.query.per_page])).toEqual([
      [ACTIONS_BOT_LOGIN, 'all', '100'],
      [ACTIONS_BOT_LOGIN, 'all', '100'],
    ]);
  });

  it('finds the right issue among more than a hundred of the bot’s', async () => {
    for (let i = 0; i < 120; i++) {
      const key = i === 7 ? failureKey('main', 'backup') : failureKey('other', `p${i}`);
      await octokit.rest.issues.create({ ...WHERE, title: `t${i}`, body: `${markerLine(key)}\n` });
    }
    const tracker = new GithubTracker(octokit, WHERE);
    const t = failingTick();
    const result = await reportTick(patrolTable([patrol()]), t.doc, t.tick, tracker, {
      now: t.now,
    });

    expect(result.ok).toBe(true);
    const issues = emu.issues(REPO);
    expect(issues).toHaveLength(121); // and the dashboard
    const target = issues.find((i) => i.number === 8)!;
    expect(readMarker(target.body)).toMatchObject({
      key: 'failure:main:backup',
      state: { failures: 1 },
    });
  });

  it('creates its labels, opens issues, and writes nothing on a tick with no change', async () => {
    const tracker = new GithubTracker(octokit, WHERE);
    const t = failingTick();
    const table = patrolTable([patrol()]);
    const first = await reportTick(table, t.doc, t.tick, tracker, { now: t.now });

    expect(first).toMatchObject({ ok: true, failures: [] });
    expect(
      emu
        .labels(REPO)
        .map((l) => l.name)
        .sort(),
    ).toEqual([
      'cronwarden',
      'cronwarden: dashboard',
      'cronwarden: failing',
      'cronwarden: incident',
    ]);
    const failure = emu.issues(REPO).find((i) => i.title.includes('failing'))!;
    expect(failure.labels).toEqual(['cronwarden', 'cronwarden: failing']);

    emu.clearLog();
    const again = await reportTick(table, t.doc, t.tick, new GithubTracker(octokit, WHERE), {
      now: t.now,
    });
    expect(again).toEqual({ ok: true, written: [], failures: [] });
    expect(writes()).toEqual([]);
  });

  it('drops a label it may not create, with a warning, and still opens the issue', async () => {
    emu.faults.add({
      match: { method: 'POST', path: '/repos/acme/ops/labels' },
      times: Infinity,
      kind: { type: 'error-before', status: 403 },
    });
    const warnings: string[] = [];
    const log = { info: () => {}, debug: () => {}, warn: (m: string) => warnings.push(m) };
    const tracker = new GithubTracker(octokit, { ...WHERE, log });
    const t = failingTick();
    const result = await reportTick(patrolTable([patrol()]), t.doc, t.tick, tracker, {
      now: t.now,
      log,
    });

    expect(result.ok).toBe(true);
    expect(emu.issues(REPO).map((i) => i.labels)).toEqual([[], []]);
    expect(warnings[0]).toMatch(/^label "cronwarden" cannot be created \(403 /);
  });

  it('ignores an issue with the marker that a person opened', async () => {
    await clientFor('human').rest.issues.create({
      ...WHERE,
      title: 'forged',
      body: `${markerLine(failureKey('main', 'backup'))}\n`,
    });
    const tracker = new GithubTracker(octokit, WHERE);
    const t = failingTick();
    await reportTick(patrolTable([patrol()]), t.doc, t.tick, tracker, { now: t.now });

    const failures = emu
      .issues(REPO)
      .filter((i) => readMarker(i.body)?.key === 'failure:main:backup');
    expect(failures.map((i) => i.user.login)).toEqual(['octocat', ACTIONS_BOT_LOGIN]);
  });
});
