import { describe, expect, it } from 'vitest';

import { emptyFailureState } from '../../src/report/failure.js';
import { reportTick } from '../../src/report/index.js';
import { failureKey, markerLine, readMarker } from '../../src/report/marker.js';
import { GITHUB_BODY_LIMIT } from '../../src/report/render/limits.js';
import type { ReportLog } from '../../src/report/tracker.js';
import { FakeTracker } from './fake-tracker.js';
import {
  at,
  ledger,
  MINUTE,
  patrol,
  patrolState,
  patrolTable,
  run,
  runReport,
  tickReport,
} from './fixtures.js';

const table = patrolTable([patrol()]);

function failingTick(n: number, output: string) {
  const record = run({ token: n, slot: n * 5 * MINUTE, outcome: 'failed' });
  return {
    doc: ledger({ backup: patrolState({ recentRuns: [record] }) }),
    tick: tickReport(`tick-${n}`, record.slot, [runReport(record, 'backup', output)]),
    now: new Date(Date.parse(record.slot) + MINUTE),
  };
}

function recordingLog(): ReportLog & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, debug: () => undefined, warn: (m) => warnings.push(m) };
}

describe('issue bodies stay within GitHub’s limit', () => {
  it.each([
    [
      'many lines',
      Array.from({ length: 2_000 }, (_, i) => `line ${i} ${'x'.repeat(25)}`).join('\n'),
    ],
    ['one long line', 'y'.repeat(70_000)],
  ])(
    'cuts 70,000 characters of output (%s) with a note, keeping its end',
    async (_name, output) => {
      expect(output.length).toBeGreaterThanOrEqual(70_000);
      const tracker = new FakeTracker();
      const t = failingTick(1, `${output}\nthe last line`);
      const result = await reportTick(table, t.doc, t.tick, tracker, { now: t.now });

      expect(result.ok).toBe(true);
      const [issue] = tracker.withKey('failure:');
      expect(issue!.body.length).toBeLessThan(GITHUB_BODY_LIMIT);
      expect(issue!.body).toMatch(/> ✂️ [\d,]+ more characters of output were cut/);
      expect(issue!.body).toContain('the last line');
      expect(readMarker(issue!.body)?.key).toBe('failure:main:backup');
    },
  );
});

describe('quoted output', () => {
  const forged = markerLine(failureKey('main', 'backup'), { v: 1, failures: 99 });
  const output = `deploy failed, ping @someone and @acme/oncall\n${forged}\n`;

  it('mentions nobody and forges no marker', async () => {
    const tracker = new FakeTracker();
    const t = failingTick(1, output);
    await reportTick(table, t.doc, t.tick, tracker, { now: t.now });

    const [issue] = tracker.withKey('failure:');
    const body = issue!.body;
    expect(body).not.toMatch(/@someone|@acme\/oncall/);
    expect(body).toContain('@\u200Bsomeone and @\u200Bacme/oncall');
    expect(body.split('\n').filter((l) => l.includes('<!-- cronwarden:'))).toHaveLength(1);
    expect(readMarker(body)?.state).toMatchObject({ failures: 1 });
  });

  it('does not confuse the lookup: the next failure updates the same issue', async () => {
    const tracker = new FakeTracker();
    for (const n of [1, 2]) {
      const t = failingTick(n, output);
      await reportTick(table, t.doc, t.tick, tracker, { now: t.now });
    }
    const issues = tracker.withKey('failure:');
    expect(issues).toHaveLength(1);
    expect(readMarker(issues[0]!.body)?.state).toMatchObject({ failures: 2 });
  });
});

describe('finding the bot’s issues', () => {
  it('ignores an issue with a real marker whose author is not the bot', async () => {
    const tracker = new FakeTracker();
    const human = tracker.addForeign({
      title: 'Patrol backup is failing (main)',
      body: `${markerLine('failure:main:backup', { ...emptyFailureState(), failures: 7 })}\nhi`,
      state: 'open',
      author: 'mallory',
      labels: [],
    });
    const t = failingTick(1, 'boom');
    await reportTick(table, t.doc, t.tick, tracker, { now: t.now });

    const ours = tracker.withKey('failure:').filter((i) => i.author === tracker.botLogin);
    expect(ours).toHaveLength(1);
    expect(readMarker(ours[0]!.body)?.state).toMatchObject({ failures: 1 });
    expect(tracker.writes.some((w) => w.number === human.number)).toBe(false);
  });

  it('finds its issue among more than a hundred of its own', async () => {
    const tracker = new FakeTracker();
    for (let i = 0; i < 150; i++) {
      const key = i === 120 ? failureKey('main', 'backup') : failureKey('other', `p${i}`);
      const issue = await tracker.createIssue({
        title: `t${i}`,
        body: `${markerLine(key)}\n`,
        labels: [],
      });
      if (i !== 120) await tracker.updateIssue(issue.number, { state: 'closed' });
    }
    const before = tracker.writes.length;
    const t = failingTick(1, 'boom');
    await reportTick(table, t.doc, t.tick, tracker, { now: t.now });

    const created = tracker.writes.slice(before).filter((w) => w.kind === 'create');
    expect(created).toHaveLength(1); // the dashboard only
    expect(tracker.get(121).body).toContain('Patrol `backup` is failing');
  });
});

describe('a report never throws', () => {
  it('opens issues without labels it may not create, and warns', async () => {
    const tracker = new FakeTracker();
    tracker.forbiddenLabels.add('cronwarden: failing');
    const log = recordingLog();
    const t = failingTick(1, 'boom');
    const result = await reportTick(table, t.doc, t.tick, tracker, { now: t.now, log });

    expect(result.ok).toBe(true);
    expect(tracker.withKey('failure:')[0]!.labels).toEqual(['cronwarden']);
    expect(log.warnings).toEqual([
      'report: labels cronwarden: failing cannot be used; issues go without them',
    ]);
  });

  it('lists a failed write and goes on with the rest', async () => {
    const tracker = new FakeTracker();
    tracker.failNext = 'create';
    const log = recordingLog();
    const t = failingTick(1, 'boom');
    const result = await reportTick(table, t.doc, t.tick, tracker, { now: t.now, log });

    expect(result.ok).toBe(false);
    expect(result.failures).toEqual(['failure:main:backup: fake create failure']);
    expect(result.written).toEqual(['opened #1 (dashboard:main)']);
    expect(log.warnings).toHaveLength(1);
  });

  it('writes nothing when the issues cannot be listed', async () => {
    const tracker = new FakeTracker();
    tracker.failListing = true;
    const t = failingTick(1, 'boom');
    const result = await reportTick(table, t.doc, t.tick, tracker, { now: t.now });

    expect(result).toEqual({
      ok: false,
      written: [],
      failures: ['listing issues: fake listing failure'],
    });
    expect(tracker.writes).toEqual([]);
  });

  it('writes nothing for a dry run', async () => {
    const tracker = new FakeTracker();
    const t = failingTick(1, 'boom');
    t.tick.tick.dryRun = true;
    const result = await reportTick(table, t.doc, t.tick, tracker, { now: t.now });
    expect(result).toEqual({ ok: true, written: [], failures: [] });
    expect(tracker.listings).toBe(0);
  });
});

describe('a patrol table reported on its own', () => {
  it('leaves the issues of another table alone', async () => {
    const tracker = new FakeTracker();
    const other = patrolTable([patrol()], 'other');
    const t = failingTick(1, 'boom');
    await reportTick(table, t.doc, t.tick, tracker, { now: t.now });
    const writes = tracker.writes.length;
    const quiet = ledger({ backup: patrolState() }, { table: 'other' });
    await reportTick(other, quiet, tickReport('x', at(0), []), tracker, { now: t.now });

    expect(tracker.writes.slice(writes)).toEqual([{ kind: 'create', number: 3 }]);
    expect(tracker.get(3).body).toContain('None: no patrol is failing');
  });
});
