import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FileTracker, formatIssueFile, parseIssueFile } from '../../src/report/file-tracker.js';
import { reportTick } from '../../src/report/index.js';
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

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'cronwarden-report-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function all(tracker: FileTracker) {
  const out = [];
  for await (const issue of tracker.listIssues()) out.push(issue);
  return out;
}

describe('the file tracker', () => {
  it('keeps issues as Markdown files with front matter, comments after separators', async () => {
    const tracker = new FileTracker(path.join(directory, 'issues'));
    expect(await all(tracker)).toEqual([]);

    const issue = await tracker.createIssue({
      title: 'A "quoted": title',
      body: 'body\n',
      labels: ['x'],
    });
    await tracker.comment(issue.number, 'first\n');
    await tracker.comment(issue.number, 'second');
    await tracker.updateIssue(issue.number, { state: 'closed' });

    const [read] = await all(tracker);
    expect(read).toEqual({ ...issue, state: 'closed' });
    const text = await readFile(path.join(directory, 'issues', 'issue-0001.md'), 'utf8');
    expect(text).toBe(
      [
        '---',
        'number: 1',
        'title: "A \\"quoted\\": title"',
        'state: closed',
        'author: "cronwarden"',
        'labels: ["x"]',
        '---',
        'body',
        '',
        '',
        '<!-- cronwarden-file-tracker: comment 1 -->',
        '',
        'first',
        '',
        '',
        '<!-- cronwarden-file-tracker: comment 2 -->',
        '',
        'second',
      ].join('\n'),
    );
    expect(parseIssueFile(text, 'u').comments).toEqual(['first\n', 'second']);
  });

  it.each([
    ['no comments', 'body', []],
    ['a body ending in newlines', 'body\n\n', ['c\n\n', '']],
    ['an empty body', '', ['only']],
  ])('reads back what it wrote: %s', (_name, body, comments) => {
    const stored = {
      issue: {
        number: 3,
        title: 't',
        body,
        state: 'open' as const,
        author: 'a',
        url: 'u',
        labels: [],
      },
      comments,
    };
    expect(parseIssueFile(formatIssueFile(stored), 'u')).toEqual(stored);
  });

  it('previews a tick: a failure issue and a dashboard, one file each', async () => {
    const tracker = new FileTracker(directory);
    const table = patrolTable([patrol()]);
    const record = run({ token: 1, slot: 5 * MINUTE, outcome: 'failed' });
    const doc = ledger({ backup: patrolState({ recentRuns: [record] }) });
    const tick = tickReport('t1', record.slot, [runReport(record, 'backup', 'boom')]);
    const result = await reportTick(table, doc, tick, tracker, {
      now: new Date(record.finishedAt),
    });
    const again = await reportTick(table, doc, tick, tracker, { now: new Date(record.finishedAt) });

    expect(result).toEqual({
      ok: true,
      written: ['opened #1 (failure:main:backup)', 'opened #2 (dashboard:main)'],
      failures: [],
    });
    expect(again.written).toEqual([]);
    expect((await readdir(directory)).sort()).toEqual(['issue-0001.md', 'issue-0002.md']);
    expect(await readFile(path.join(directory, 'issue-0001.md'), 'utf8')).toContain('boom');
  });
});
