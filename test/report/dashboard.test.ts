import { describe, expect, it } from 'vitest';

import { reportTick } from '../../src/report/index.js';
import { readMarker } from '../../src/report/marker.js';
import { renderDashboard } from '../../src/report/render/dashboard.js';
import { runsOf } from '../../src/report/runs.js';
import { FakeTracker } from './fake-tracker.js';
import {
  at,
  DAY,
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

const RUNS = 'https://github.com/acme/ops/actions/runs';

const table = patrolTable([
  patrol({ id: 'nightly', schedule: '0 3 * * *', timezone: 'Europe/Berlin' }),
  patrol({ id: 'backup', schedule: '30 * * * *', concurrency: 'replace' }),
]);

/** Both patrols ran this morning; nothing is due again before tomorrow 03:00. */
function quietLedger() {
  const nightly = run({ token: 3, slot: 2 * HOUR, durationMs: 4 * MINUTE });
  const backup = run({ token: 9, slot: 2 * HOUR + 30 * MINUTE, outcome: 'failed', exitCode: 2 });
  return ledger(
    {
      nightly: patrolState({ recentRuns: [nightly], cursor: at(2 * HOUR) }),
      backup: patrolState({ recentRuns: [backup], cursor: at(2 * HOUR + 30 * MINUTE) }),
    },
    { writtenAt: at(2 * HOUR + 31 * MINUTE), tick: 'tick-0231' },
  );
}

describe('the dashboard', () => {
  it('is created once and never written again over ten ticks that change nothing', async () => {
    const tracker = new FakeTracker();
    const doc = quietLedger();
    const quiet = patrolTable(table.patrols.filter((p) => p.id === 'nightly'));
    for (let i = 0; i < 10; i++) {
      const now = 2 * HOUR + 35 * MINUTE + i * 5 * MINUTE;
      const tick = tickReport(`tick-${i}`, at(now), [idleReport('nightly')]);
      const result = await reportTick(quiet, doc, tick, tracker, { now: new Date(at(now)) });
      expect(result).toMatchObject({ ok: true, failures: [] });
    }
    expect(tracker.writes).toEqual([{ kind: 'create', number: 1 }]);
    expect(tracker.listings).toBe(10);
  });

  it('renders the same input to the same text, whatever the order of the table', () => {
    const doc = quietLedger();
    const report = tickReport('t', at(3 * HOUR), []);
    const render = (patrols: typeof table.patrols) => {
      const t = { ...table, patrols };
      return renderDashboard({
        table: t,
        ledger: doc,
        ref: 'refs/cronwarden/main',
        runs: new Map(t.patrols.map((p) => [p.id, runsOf(p.id, doc, report, undefined)])),
        state: { v: 1, missed: {}, links: {} },
        openIssues: [],
        now: new Date(at(3 * HOUR)),
      });
    };
    const body = render(table.patrols);
    expect(render([...table.patrols].reverse())).toBe(body);
    expect(body.indexOf('`backup`')).toBeLessThan(body.indexOf('`nightly`'));
  });

  it('shows each patrol: schedule, policy, last run, next slot, lease, missed slots', async () => {
    const tracker = new FakeTracker();
    const doc = quietLedger();
    doc.state.patrols.backup!.lease = lease(10, 3 * HOUR, 20 * MINUTE);
    doc.state.patrols.backup!.skippedInARow = 1;
    const missed = {
      ...idleReport('nightly'),
      outcome: 'missed' as const,
      slot: at(-DAY + 2 * HOUR),
      missedCount: 2,
    };
    const tick = tickReport('t', at(3 * HOUR), [missed]);
    await reportTick(table, doc, tick, tracker, {
      now: new Date(at(3 * HOUR)),
      runUrl: ({ tick: id }) => `${RUNS}/${id}`,
    });
    const [dashboard] = tracker.withKey('dashboard:main');
    const body = dashboard!.body;
    const row = (id: string) => body.split('\n').find((l) => l.startsWith(`| \`${id}\``)) ?? '';

    expect(row('nightly')).toContain('At 03:00 AM (`0 3 * * *`, Europe/Berlin)');
    expect(row('nightly')).toContain(
      '[✅ ran in 4m](https://github.com/acme/ops/actions/runs/tick-3)<br>' +
        'slot 2031-03-03 02:00 UTC',
    );
    expect(row('nightly')).toContain('2031-03-04 03:00 Europe/Berlin (2031-03-04 02:00 UTC)');
    expect(row('nightly')).toContain('| free |');
    expect(row('nightly')).toContain('⚠️ 2, latest 2031-03-02 02:00 UTC');
    expect(row('backup')).toContain('| replace |');
    expect(row('backup')).toContain('❌ failed (exit 2) in 20s');
    expect(row('backup')).toContain(
      '🔒 lease 10 held by acme/ops run 4242 job tick<br>since 2031-03-03 03:00 UTC, ' +
        'expires 2031-03-03 03:20 UTC<br>1 slot skipped in a row',
    );
    expect(body).toMatch(/section backup\n {4}lease 9 failed 20s :crit, /);
    expect(body).toContain('State as of the ledger commit written at 2031-03-03 02:31 UTC');
    expect(readMarker(body)?.state).toEqual({
      v: 1,
      missed: { nightly: [{ tick: 't', at: at(3 * HOUR), count: 2, newest: at(-DAY + 2 * HOUR) }] },
      links: {
        backup: { run: `9@${at(2 * HOUR + 30 * MINUTE)}`, url: `${RUNS}/tick-9` },
        nightly: { run: `3@${at(2 * HOUR)}`, url: `${RUNS}/tick-3` },
      },
    });
  });

  it('keeps the link to a last run that later ticks cannot build', async () => {
    const tracker = new FakeTracker();
    const doc = quietLedger();
    const quiet = patrolTable(table.patrols.filter((p) => p.id === 'nightly'));
    const thisTickOnly = (tickId: string) => (run: { tick: string }) =>
      run.tick === tickId ? `${RUNS}/${tickId}` : undefined;
    await reportTick(quiet, doc, tickReport('tick-3', at(3 * HOUR), []), tracker, {
      now: new Date(at(3 * HOUR)),
      runUrl: thisTickOnly('tick-3'),
    });
    await reportTick(quiet, doc, tickReport('tick-4', at(3 * HOUR + 5 * MINUTE), []), tracker, {
      now: new Date(at(3 * HOUR + 5 * MINUTE)),
      runUrl: thisTickOnly('tick-4'),
    });
    expect(tracker.writes).toEqual([{ kind: 'create', number: 1 }]);
    expect(tracker.get(1).body).toContain(`[✅ ran in 4m](${RUNS}/tick-3)`);
  });

  it('lists the open issues of its table with links', async () => {
    const tracker = new FakeTracker();
    const doc = quietLedger();
    const failed = doc.state.patrols.backup!.recentRuns[0]!;
    await reportTick(table, doc, tickReport('t', at(3 * HOUR), [runReport(failed)]), tracker, {
      now: new Date(at(3 * HOUR)),
    });
    const [failure] = tracker.withKey('failure:main:backup');
    const [dashboard] = tracker.withKey('dashboard:main');
    expect(dashboard!.body).toContain(
      `- [#${failure!.number}](${failure!.url}) Patrol backup is failing (main)`,
    );
  });

  it('drops runs older than a day from the timeline', () => {
    const doc = quietLedger();
    const report = tickReport('t', at(DAY + 3 * HOUR), []);
    const body = renderDashboard({
      table,
      ledger: doc,
      ref: 'refs/cronwarden/main',
      runs: new Map(table.patrols.map((p) => [p.id, runsOf(p.id, doc, report, undefined)])),
      state: { v: 1, missed: {}, links: {} },
      openIssues: [],
      now: new Date(at(DAY + 3 * HOUR)),
    });
    expect(body).not.toContain('```mermaid');
    expect(body).toContain('No runs in the last 24 hours.');
  });
});
