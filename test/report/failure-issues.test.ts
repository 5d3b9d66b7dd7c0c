import { describe, expect, it } from 'vitest';

import type { RunRecord } from '../../src/ledger/types.js';
import { decideFailure, emptyFailureState } from '../../src/report/failure.js';
import { readMarker } from '../../src/report/marker.js';
import { reportTick } from '../../src/report/index.js';
import { FakeTracker } from './fake-tracker.js';
import {
  DAY,
  ledger,
  MINUTE,
  patrol,
  patrolState,
  patrolTable,
  run,
  runReport,
  T0,
  tickReport,
} from './fixtures.js';

/**
 * A patrol that runs every five minutes, one tick per slot. `outcomes[i]` is the outcome of
 * tick i + 1; the ledger after each tick holds every run so far.
 */
function simulate(outcomes: ('ran' | 'failed')[]) {
  const runs: RunRecord[] = [];
  return outcomes.map((outcome, i) => {
    const n = i + 1;
    const record = run({ token: n, slot: n * 5 * MINUTE, outcome, tick: `tick-${n}` });
    runs.push(record);
    const output = outcome === 'failed' ? `step ${n}\nerror: disk full\n` : 'all good\n';
    return {
      ledger: ledger(
        { backup: patrolState({ recentRuns: [...runs].slice(-30) }) },
        { writtenAt: record.finishedAt },
      ),
      tick: tickReport(`tick-${n}`, record.slot, [runReport(record, 'backup', output)]),
      now: new Date(Date.parse(record.slot) + MINUTE),
    };
  });
}

describe('failure issues', () => {
  it('keeps one issue through five failing ticks, the first two reported at once', async () => {
    const table = patrolTable([patrol({ realertMs: 10 * MINUTE })]);
    const tracker = new FakeTracker();
    const ticks = simulate(['failed', 'failed', 'failed', 'failed', 'failed', 'ran', 'failed']);
    const report = (i: number) => {
      const t = ticks[i]!;
      return reportTick(table, t.ledger, t.tick, tracker, { now: t.now });
    };

    // The first two at once: both would find no issue and open one, were they not ordered.
    const concurrent = await Promise.all([report(0), report(1)]);
    await report(2);
    await report(3);
    await report(4);

    expect(concurrent.every((r) => r.ok)).toBe(true);
    const issues = tracker.withKey('failure:main:backup');
    expect(issues).toHaveLength(1);
    const issue = issues[0]!;
    expect(issue.state).toBe('open');
    expect(readMarker(issue.body)?.state).toMatchObject({ failures: 5 });
    // Opened at tick 1; reminders at ticks 3 and 5 (every 10 minutes), none at 2 and 4.
    const reminders = tracker.commentsOn(issue.number);
    expect(reminders).toHaveLength(2);
    expect(reminders.every((c) => c.includes('Still failing'))).toBe(true);
    expect(reminders[1]).toContain('5 failures in a row');

    await report(5);
    expect(tracker.get(issue.number).state).toBe('closed');
    const recovery = tracker.commentsOn(issue.number).at(-1)!;
    expect(recovery).toContain('Recovered** after 5 failures, down for 25m 20s');

    await report(6);
    expect(tracker.withKey('failure:main:backup')).toHaveLength(1);
    expect(tracker.get(issue.number).state).toBe('open');
    expect(tracker.commentsOn(issue.number).at(-1)).toContain('Failing again');
    expect(tracker.writes.filter((w) => w.kind === 'create')).toHaveLength(2); // + dashboard
  });

  it('adds no comment while the realert period lasts', async () => {
    const table = patrolTable([patrol()]);
    const tracker = new FakeTracker();
    for (const t of simulate(['failed', 'failed', 'failed', 'failed', 'failed'])) {
      await reportTick(table, t.ledger, t.tick, tracker, { now: t.now });
    }
    const [issue] = tracker.withKey('failure:main:backup');
    expect(tracker.commentsOn(issue!.number)).toEqual([]);
    expect(issue!.body).toContain('error: disk full');
  });

  it('opens the issue only after failure-threshold failures in a row', async () => {
    const table = patrolTable([patrol({ failureThreshold: 3 })]);
    const tracker = new FakeTracker();
    const ticks = simulate(['failed', 'failed', 'ran', 'failed', 'failed', 'failed']);
    const opened: number[] = [];
    for (const [i, t] of ticks.entries()) {
      await reportTick(table, t.ledger, t.tick, tracker, { now: t.now });
      if (tracker.withKey('failure:main:backup').length > 0) opened.push(i + 1);
    }
    expect(opened).toEqual([6]);
    const [issue] = tracker.withKey('failure:main:backup');
    expect(readMarker(issue!.body)?.state).toMatchObject({
      failures: 3,
      since: ticks[3]!.ledger.state.patrols.backup!.recentRuns[3]!.startedAt,
    });
  });

  it('counts a tick reported twice only once', async () => {
    const table = patrolTable([patrol()]);
    const tracker = new FakeTracker();
    const [first, second] = simulate(['failed', 'failed']);
    await reportTick(table, first!.ledger, first!.tick, tracker, { now: first!.now });
    await reportTick(table, second!.ledger, second!.tick, tracker, { now: second!.now });
    const writes = tracker.writes.length;
    await reportTick(table, second!.ledger, second!.tick, tracker, { now: second!.now });

    expect(tracker.writes.length).toBe(writes);
    const [issue] = tracker.withKey('failure:main:backup');
    expect(readMarker(issue!.body)?.state).toMatchObject({ failures: 2 });
  });

  it('reopens the most recent issue of the bot rather than opening another', async () => {
    const table = patrolTable([patrol()]);
    const tracker = new FakeTracker();
    const ticks = simulate(['failed', 'ran', 'failed', 'ran', 'failed']);
    for (const t of ticks) await reportTick(table, t.ledger, t.tick, tracker, { now: t.now });
    const issues = tracker.withKey('failure:main:backup');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.state).toBe('open');
    const comments = tracker.commentsOn(issues[0]!.number);
    expect(comments.map((c) => /\*\*(.+?)\*\*/.exec(c)?.[1])).toEqual([
      'Recovered',
      'Failing again',
      'Recovered',
      'Failing again',
    ]);
    expect(comments[0]).toContain('after 1 failure, down for 5m 20s');
  });
});

describe('decideFailure', () => {
  const runsFor = (outcomes: ('ran' | 'failed')[]) =>
    outcomes.map((outcome, i) => ({
      ...run({ token: i + 1, slot: (i + 1) * 5 * MINUTE, outcome }),
      patrol: 'backup',
      url: undefined,
    }));
  const open = (failures: number, seenToken: number) => ({
    state: 'open' as const,
    stored: {
      ...emptyFailureState(),
      failures,
      since: runsFor(['failed'])[0]!.startedAt,
      lastAlertAt: new Date(0).toISOString(),
      seen: [seenToken, new Date(T0 + seenToken * 5 * MINUTE).toISOString()] as [number, string],
    },
  });

  it.each([
    ['no issue, no failure', null, ['ran', 'ran'], 'none', []],
    ['no issue, a failure', null, ['ran', 'failed'], 'create', []],
    ['open, nothing new', open(1, 2), ['ran', 'failed'], 'none', []],
    ['open, another failure', open(1, 1), ['failed', 'failed'], 'update', ['still-failing']],
    ['open, a success', open(1, 1), ['failed', 'ran'], 'close', ['recovered']],
    [
      'open, recovered and failing again in one tick',
      open(1, 1),
      ['failed', 'ran', 'failed'],
      'update',
      ['recovered', 'failing-again'],
    ],
  ] as const)('%s: %s', (_name, issue, outcomes, action, comments) => {
    const decision = decideFailure({
      patrol: { failureThreshold: 1, realertMs: DAY },
      runs: runsFor([...outcomes]),
      issue,
      now: new Date(T0 + DAY),
    });
    expect(decision.action).toBe(action);
    expect(decision.comments.map((c) => c.kind)).toEqual(comments);
  });
});
