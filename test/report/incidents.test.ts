import { describe, expect, it } from 'vitest';

import type { Revocation } from '../../src/ledger/types.js';
import { reportTick } from '../../src/report/index.js';
import { readMarker } from '../../src/report/marker.js';
import { FakeTracker } from './fake-tracker.js';
import {
  at,
  DAY,
  HOLDER,
  HOUR,
  idleReport,
  lease,
  ledger,
  MINUTE,
  patrol,
  patrolState,
  patrolTable,
  run,
  runReport,
  tickReport,
} from './fixtures.js';

function revocation(token: number, reason: Revocation['reason'], atMs: number): Revocation {
  return {
    nonce: `nonce-${token}`,
    fencingToken: token,
    holder: HOLDER,
    reason,
    at: at(atMs),
    by: 'tick-9',
  };
}

const idle = (id: string, nowMs: number) => tickReport(id, at(nowMs), [idleReport()]);

describe('overlap incidents', () => {
  // Lease 7's run went on for 10 minutes; at minute 5 a tick found its lease expired, took it
  // over and ran under lease 8. The release of run 7 then found its lease gone.
  const first = run({ token: 7, slot: 0, start: 0, durationMs: 10 * MINUTE, nonce: 'nonce-7' });
  const second = run({ token: 8, slot: 5 * MINUTE, start: 5 * MINUTE, durationMs: 3 * MINUTE });
  const taken = revocation(7, 'expired', 5 * MINUTE);
  const state = patrolState({ recentRuns: [first, second], revocations: [taken] });
  const doc = ledger(
    { backup: state },
    { events: [{ type: 'overlap', patrol: 'backup', run: first, revokedBy: taken }] },
  );
  const report = tickReport('tick-10', at(10 * MINUTE), [runReport(first)]);

  it('opens exactly one incident whose timeline shows both runs', async () => {
    const tracker = new FakeTracker();
    const table = patrolTable([patrol()]);
    // Only the first report can link the runs; the links must not come and go.
    await reportTick(table, doc, report, tracker, {
      now: new Date(at(11 * MINUTE)),
      runUrl: ({ tick }) => `https://example.test/runs/${tick}`,
    });
    await reportTick(table, doc, idle('tick-11', 15 * MINUTE), tracker, {
      now: new Date(at(16 * MINUTE)),
    });
    await reportTick(table, doc, idle('tick-12', 20 * MINUTE), tracker, {
      now: new Date(at(21 * MINUTE)),
    });

    const incidents = tracker.withKey('incident:main:overlap:');
    expect(incidents).toHaveLength(1);
    const body = incidents[0]!.body;
    expect(readMarker(body)?.key).toBe('incident:main:overlap:backup:7');
    const gantt = /```mermaid\n([\s\S]*?)```/.exec(body)?.[1] ?? '';
    expect(gantt).toMatch(/section backup/);
    expect(gantt).toMatch(/lease 7 ran :done, r\d+, 2031-03-03 00:00:00, 2031-03-03 00:10:00/);
    expect(gantt).toMatch(/lease 8 ran :done, r\d+, 2031-03-03 00:05:00, 2031-03-03 00:08:00/);
    expect(body).toContain('from 2031-03-03 00:05 UTC to 2031-03-03 00:08 UTC (3m)');
    expect(body).toContain('[ran](https://example.test/runs/tick-8)');
    // Written once, then left alone.
    const number = incidents[0]!.number;
    expect(tracker.writes.filter((w) => w.number === number)).toEqual([{ kind: 'create', number }]);
  });

  it('is found from intersecting runs alone, when no event says so', async () => {
    const tracker = new FakeTracker();
    const quiet = ledger({ backup: patrolState({ recentRuns: [first, second] }) });
    await reportTick(patrolTable([patrol()]), quiet, idle('t', 20 * MINUTE), tracker, {
      now: new Date(at(20 * MINUTE)),
    });
    expect(tracker.withKey('incident:main:overlap:').map((i) => readMarker(i.body)?.key)).toEqual([
      'incident:main:overlap:backup:7',
    ]);
  });

  it('stays open for a person, and a person closing it is final', async () => {
    const tracker = new FakeTracker();
    const table = patrolTable([patrol()]);
    await reportTick(table, doc, report, tracker, { now: new Date(at(11 * MINUTE)) });
    const [incident] = tracker.withKey('incident:main:overlap:');
    await reportTick(table, doc, idle('tick-11', 2 * DAY), tracker, { now: new Date(at(2 * DAY)) });
    expect(tracker.get(incident!.number).state).toBe('open');

    tracker.get(incident!.number).state = 'closed';
    const writes = tracker.writes.length;
    await reportTick(table, doc, idle('tick-12', 2 * DAY + 5 * MINUTE), tracker, {
      now: new Date(at(2 * DAY + 5 * MINUTE)),
    });
    expect(tracker.get(incident!.number).state).toBe('closed');
    expect(tracker.writes.slice(writes).filter((w) => w.number === incident!.number)).toEqual([]);
  });

  it('is not raised for an allow patrol, nor for a replaced run stopped as designed', async () => {
    const tracker = new FakeTracker();
    const replaced = run({
      ...{ token: 7, slot: 0, start: 0 },
      durationMs: 5 * MINUTE + 10_000,
      outcome: 'lost-lease',
    });
    const table = patrolTable([
      patrol({ id: 'sweep', concurrency: 'allow' }),
      patrol({ id: 'rebuild', concurrency: 'replace' }),
    ]);
    const doc2 = ledger({
      sweep: patrolState({ recentRuns: [first, second] }),
      rebuild: patrolState({
        recentRuns: [replaced, second],
        revocations: [revocation(7, 'replaced', 5 * MINUTE)],
      }),
    });
    await reportTick(table, doc2, tickReport('t', at(HOUR), []), tracker, {
      now: new Date(at(HOUR)),
    });
    expect(tracker.withKey('incident:')).toEqual([]);
  });
});

describe('stuck incidents', () => {
  const table = patrolTable([patrol({ schedule: '0 * * * *' })]);

  it.each([
    ['held past its expiry and grace', { lease: lease(5, -30 * MINUTE) }],
    ['skipping three slots in a row', { lease: lease(5, -5 * MINUTE, HOUR), skippedInARow: 3 }],
  ])('opens when a lease is %s, and closes when the lease is free', async (_name, stuckState) => {
    const tracker = new FakeTracker();
    const stuck = ledger({ backup: patrolState(stuckState) });
    await reportTick(table, stuck, idle('t1', 0), tracker, { now: new Date(at(0)) });
    const [incident] = tracker.withKey('incident:main:stuck:backup:5');
    expect(incident?.state).toBe('open');
    expect(incident?.body).toContain('acme/ops run 4242 job tick');

    await reportTick(table, stuck, idle('t2', 5 * MINUTE), tracker, {
      now: new Date(at(5 * MINUTE)),
    });
    expect(tracker.withKey('incident:main:stuck:')).toHaveLength(1);

    const free = ledger({ backup: patrolState({ lease: null, skippedInARow: 3 }) });
    await reportTick(table, free, idle('t3', 10 * MINUTE), tracker, {
      now: new Date(at(10 * MINUTE)),
    });
    expect(tracker.get(incident!.number).state).toBe('closed');
    expect(tracker.commentsOn(incident!.number)).toEqual([
      expect.stringContaining("lease 5 is no longer held and the patrol's lease is free"),
    ]);
  });

  it('is not raised for a live lease skipping fewer than three slots', async () => {
    const tracker = new FakeTracker();
    const busy = ledger({
      backup: patrolState({ lease: lease(5, -5 * MINUTE, HOUR), skippedInARow: 2 }),
    });
    await reportTick(table, busy, idle('t1', 0), tracker, { now: new Date(at(0)) });
    expect(tracker.withKey('incident:')).toEqual([]);
  });
});

describe('starved schedule incidents', () => {
  const table = patrolTable([patrol({ schedule: '0 * * * *' })]);

  it('opens for a slot run over 3 ticker intervals late, closes after a quiet day', async () => {
    const tracker = new FakeTracker();
    const late = run({ token: 1, slot: HOUR, start: HOUR + 40 * MINUTE });
    const doc = ledger({ backup: patrolState({ recentRuns: [late] }) });
    await reportTick(table, doc, tickReport('t1', late.startedAt, [runReport(late)]), tracker, {
      now: new Date(late.finishedAt),
    });
    const [incident] = tracker.withKey('incident:main:starved:backup');
    expect(incident?.body).toContain('1 slot ran more than 15 minutes late (the worst by 40m)');
    expect(incident?.body).toMatch(
      /slot late 40m :crit, r1, 2031-03-03 01:00:00, 2031-03-03 01:40:00/,
    );

    await reportTick(table, doc, idle('t2', 20 * HOUR), tracker, { now: new Date(at(20 * HOUR)) });
    expect(tracker.get(incident!.number).state).toBe('open');
    await reportTick(table, doc, idle('t3', DAY + 2 * HOUR), tracker, {
      now: new Date(at(DAY + 2 * HOUR)),
    });
    expect(tracker.get(incident!.number).state).toBe('closed');

    // Starving again reopens the same issue.
    const later = run({ token: 2, slot: 2 * DAY, start: 2 * DAY + 20 * MINUTE });
    const doc2 = ledger({ backup: patrolState({ recentRuns: [late, later] }) });
    await reportTick(table, doc2, tickReport('t4', later.startedAt, [runReport(later)]), tracker, {
      now: new Date(later.finishedAt),
    });
    expect(tracker.withKey('incident:main:starved:')).toHaveLength(1);
    expect(tracker.get(incident!.number).state).toBe('open');
    expect(tracker.get(incident!.number).body).toContain('2 slots ran more than 15 minutes late');
    expect(tracker.commentsOn(incident!.number).map((c) => /\*\*(.+?)\*\*/.exec(c)?.[1])).toEqual([
      'Resolved',
      'Starving again',
    ]);
  });

  it('opens for missed slots and says how many', async () => {
    const tracker = new FakeTracker();
    const missed = {
      ...idleReport(),
      outcome: 'missed' as const,
      slot: at(3 * HOUR),
      reason: 'catch-up latest runs only the most recent missed slot',
      missedCount: 4,
    };
    await reportTick(
      table,
      ledger({ backup: patrolState() }),
      tickReport('t1', at(4 * HOUR), [missed]),
      tracker,
      {
        now: new Date(at(4 * HOUR)),
      },
    );
    const [incident] = tracker.withKey('incident:main:starved:backup');
    expect(incident?.body).toContain('4 slots were missed');
    const [dashboard] = tracker.withKey('dashboard:main');
    expect(dashboard?.body).toContain('⚠️ 4, latest 2031-03-03 03:00 UTC');
  });

  it('is not raised for slots run on time', async () => {
    const tracker = new FakeTracker();
    const onTime = run({ token: 1, slot: HOUR, start: HOUR + 14 * MINUTE });
    await reportTick(
      table,
      ledger({ backup: patrolState({ recentRuns: [onTime] }) }),
      idle('t', 2 * HOUR),
      tracker,
      {
        now: new Date(at(2 * HOUR)),
      },
    );
    expect(tracker.withKey('incident:')).toEqual([]);
  });
});

describe('stale takeover incidents', () => {
  const table = patrolTable([patrol()]);

  it('opens when a dead holder’s lease is reclaimed, closes on the next success', async () => {
    const tracker = new FakeTracker();
    const failedAfter = run({ token: 4, slot: 10 * MINUTE, outcome: 'failed' });
    const doc = ledger({
      backup: patrolState({
        recentRuns: [failedAfter],
        revocations: [revocation(3, 'holder-gone', 10 * MINUTE)],
      }),
    });
    await reportTick(
      table,
      doc,
      tickReport('t1', at(10 * MINUTE), [runReport(failedAfter)]),
      tracker,
      {
        now: new Date(at(11 * MINUTE)),
      },
    );
    const [incident] = tracker.withKey('incident:main:takeover:backup:3');
    expect(incident?.state).toBe('open');
    expect(incident?.body).toContain('its holder had finished or died without releasing it');

    const ok = run({ token: 5, slot: 15 * MINUTE });
    const doc2 = ledger({
      backup: patrolState({
        recentRuns: [failedAfter, ok],
        revocations: [revocation(3, 'holder-gone', 10 * MINUTE)],
      }),
    });
    await reportTick(table, doc2, tickReport('t2', at(15 * MINUTE), [runReport(ok)]), tracker, {
      now: new Date(at(16 * MINUTE)),
    });
    expect(tracker.get(incident!.number).state).toBe('closed');
    expect(tracker.commentsOn(incident!.number)[0]).toContain('the next run succeeded (lease 5');

    // The revocation is still in the ledger: seen again, it changes nothing.
    const writes = tracker.writes.length;
    await reportTick(table, doc2, idle('t3', 20 * MINUTE), tracker, {
      now: new Date(at(21 * MINUTE)),
    });
    expect(tracker.writes.length).toBe(writes);
  });

  it('is not raised for a lease replaced by policy', async () => {
    const tracker = new FakeTracker();
    const doc = ledger({ backup: patrolState({ revocations: [revocation(3, 'replaced', 0)] }) });
    await reportTick(table, doc, idle('t', MINUTE), tracker, { now: new Date(at(MINUTE)) });
    expect(tracker.withKey('incident:')).toEqual([]);
  });
});
