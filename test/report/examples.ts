/**
 * The examples shown in docs/reports.md, rendered by the real renderers from fixed data.
 * examples.test.ts checks that the document shows exactly these.
 */
import type { Revocation } from '../../src/ledger/types.js';
import type { FailureState } from '../../src/report/failure.js';
import { compact, type IncidentState } from '../../src/report/incidents.js';
import { incidentKey } from '../../src/report/marker.js';
import { renderDashboard } from '../../src/report/render/dashboard.js';
import { renderFailureBody, renderFailureComment } from '../../src/report/render/failure.js';
import { renderIncidentBody } from '../../src/report/render/incident.js';
import { runsOf, type PatrolRun } from '../../src/report/runs.js';
import {
  at,
  HOLDER,
  HOUR,
  lease,
  ledger,
  MINUTE,
  patrol,
  patrolState,
  patrolTable,
  run,
  tickReport,
} from './fixtures.js';

const table = patrolTable([
  patrol({ id: 'nightly-backup', schedule: '15 2 * * *', timezone: 'Europe/Berlin' }),
  patrol({ id: 'sync-mirrors', schedule: '*/30 * * * *', concurrency: 'replace' }),
  patrol({ id: 'link-check', schedule: '0 */6 * * 1-5', concurrency: 'allow' }),
]);

const url = (tick: string) => `https://github.com/acme/ops/actions/runs/${tick.replace(/\D/g, '')}`;

function patrolRun(
  record: ReturnType<typeof run>,
  patrolId: string,
  extra: Partial<PatrolRun> = {},
): PatrolRun {
  return { ...record, patrol: patrolId, url: url(record.tick), ...extra };
}

const backupRun = run({
  token: 41,
  slot: 1 * HOUR + 15 * MINUTE,
  durationMs: 6 * MINUTE + 12_000,
  tick: 'tick-7001',
});
const mirrorRuns = [
  run({ token: 118, slot: 6 * HOUR, durationMs: 2 * MINUTE, tick: 'tick-7020' }),
  run({
    token: 119,
    slot: 6 * HOUR + 30 * MINUTE,
    durationMs: 95_000,
    outcome: 'failed',
    exitCode: 3,
    tick: 'tick-7021',
  }),
  run({
    token: 120,
    slot: 7 * HOUR,
    durationMs: 88_000,
    outcome: 'failed',
    exitCode: 3,
    tick: 'tick-7022',
  }),
];
const checkRun = run({ token: 9, slot: 6 * HOUR, durationMs: 14 * MINUTE, tick: 'tick-7020' });

const OUTPUT = [
  'syncing mirror eu-west … ok (1,204 objects)',
  'syncing mirror us-east …',
  'fatal: unable to access https://mirror.example/ops.git/: The requested URL returned error: 503',
  'hint: ask @ops-oncall to check the mirror',
  'exit status 3',
].join('\n');

const failureState: FailureState = {
  v: 1,
  failures: 2,
  since: mirrorRuns[1]!.startedAt,
  lastFailureAt: mirrorRuns[2]!.finishedAt,
  lastAlertAt: mirrorRuns[1]!.finishedAt,
  seen: [120, mirrorRuns[2]!.slot],
};

function dashboard(): string {
  const doc = ledger(
    {
      'nightly-backup': patrolState({ recentRuns: [backupRun], cursor: backupRun.slot }),
      'sync-mirrors': patrolState({
        recentRuns: mirrorRuns,
        cursor: at(7 * HOUR + 30 * MINUTE),
        lease: { ...lease(121, 7 * HOUR + 30 * MINUTE, 10 * MINUTE), policy: 'replace' },
      }),
      'link-check': patrolState({ recentRuns: [checkRun], cursor: checkRun.slot }),
    },
    { writtenAt: at(7 * HOUR + 30 * MINUTE + 20_000), tick: 'tick-7023' },
  );
  const report = tickReport('tick-7023', at(7 * HOUR + 30 * MINUTE), []);
  return renderDashboard({
    table,
    ledger: doc,
    ref: 'refs/cronwarden/main',
    runs: new Map(
      table.patrols.map((p) => [p.id, runsOf(p.id, doc, report, ({ tick }) => url(tick))]),
    ),
    state: {
      v: 1,
      links: {},
      missed: {
        'link-check': [
          { tick: 'tick-7020', at: at(6 * HOUR + 9 * MINUTE), count: 1, newest: at(0) },
        ],
      },
    },
    openIssues: [
      {
        number: 57,
        title: 'Patrol sync-mirrors is failing (main)',
        url: 'https://github.com/acme/ops/issues/57',
      },
      {
        number: 61,
        title: 'Starved schedule: link-check (main) runs late or misses slots',
        url: 'https://github.com/acme/ops/issues/61',
      },
    ],
    now: new Date(at(7 * HOUR + 31 * MINUTE)),
  });
}

function failure(): string {
  const latest = patrolRun(mirrorRuns[2]!, 'sync-mirrors', {
    output: OUTPUT,
    reason: 'exited with 3',
  });
  return renderFailureBody({ table, patrol: table.patrols[1]!, state: failureState, run: latest });
}

function comments(): Record<string, string> {
  const latest = patrolRun(mirrorRuns[2]!, 'sync-mirrors', {
    output: OUTPUT,
    reason: 'exited with 3',
  });
  const ok = patrolRun(
    run({ token: 125, slot: 9 * HOUR + 30 * MINUTE, durationMs: 2 * MINUTE, tick: 'tick-7040' }),
    'sync-mirrors',
  );
  return {
    'still-failing': renderFailureComment(
      { kind: 'still-failing', state: failureState, run: latest },
      'sync-mirrors',
    ),
    recovered: renderFailureComment(
      {
        kind: 'recovered',
        recovery: {
          failures: 6,
          since: failureState.since,
          run: ok,
          downMs: Date.parse(ok.finishedAt) - Date.parse(failureState.since!),
        },
      },
      'sync-mirrors',
    ),
  };
}

const revocation = (token: number, reason: Revocation['reason'], atMs: number): Revocation => ({
  nonce: `nonce-${token}`,
  fencingToken: token,
  holder: { ...HOLDER, runId: 7001 },
  reason,
  at: at(atMs),
  by: 'tick-7002',
});

function incident(state: IncidentState, key: string): string {
  return renderIncidentBody({
    key,
    table,
    patrol: table.patrols.find((p) => p.id === state.patrol),
    state,
  });
}

function incidents(): Record<string, string> {
  const base = { v: 1 as const, resolvedAt: null, resolution: null };
  const overlapped = run({
    token: 41,
    slot: HOUR + 15 * MINUTE,
    start: HOUR + 15 * MINUTE,
    durationMs: 38 * MINUTE,
    tick: 'tick-7001',
  });
  const next = run({
    token: 42,
    slot: HOUR + 45 * MINUTE,
    start: HOUR + 45 * MINUTE,
    durationMs: 6 * MINUTE,
    tick: 'tick-7002',
  });
  const overlap: IncidentState = {
    ...base,
    kind: 'overlap',
    patrol: 'nightly-backup',
    detectedAt: at(HOUR + 54 * MINUTE),
    token: 41,
    policy: 'forbid',
    runs: [compact(overlapped), compact(next)],
    revocation: revocation(41, 'expired', HOUR + 45 * MINUTE),
    evidence: ['intersecting-runs', 'overlap-event'],
  };
  const stuck: IncidentState = {
    ...base,
    kind: 'stuck',
    patrol: 'nightly-backup',
    detectedAt: at(5 * HOUR),
    token: 43,
    lease: lease(43, 2 * HOUR, 45 * MINUTE),
    expired: true,
    skipped: 0,
  };
  const starved: IncidentState = {
    ...base,
    kind: 'starved',
    patrol: 'link-check',
    detectedAt: at(6 * HOUR + 40 * MINUTE),
    late: [{ slot: at(6 * HOUR), start: at(6 * HOUR + 38 * MINUTE), lateMs: 38 * MINUTE }],
    missed: [{ tick: 'tick-7020', at: at(6 * HOUR + 9 * MINUTE), count: 1, newest: at(0) }],
    lateCount: 1,
    missedCount: 1,
    worstLateMs: 38 * MINUTE,
    firstEvidenceAt: at(6 * HOUR + 9 * MINUTE),
    lastEvidenceAt: at(6 * HOUR + 38 * MINUTE),
  };
  const takeover: IncidentState = {
    ...base,
    kind: 'takeover',
    patrol: 'sync-mirrors',
    detectedAt: at(3 * HOUR + 31 * MINUTE),
    token: 77,
    revocation: revocation(77, 'holder-gone', 3 * HOUR + 30 * MINUTE),
    runs: [
      compact(
        run({ token: 78, slot: 3 * HOUR + 30 * MINUTE, durationMs: 2 * MINUTE, tick: 'tick-7010' }),
      ),
    ],
  };
  return {
    overlap: incident(overlap, incidentKey('main', 'overlap', 'nightly-backup', 41)),
    stuck: incident(stuck, incidentKey('main', 'stuck', 'nightly-backup', 43)),
    starved: incident(starved, incidentKey('main', 'starved', 'link-check')),
    takeover: incident(takeover, incidentKey('main', 'takeover', 'sync-mirrors', 77)),
  };
}

/** Every example, by the name the document gives it. */
export function renderExamples(): Record<string, string> {
  return {
    dashboard: dashboard(),
    failure: failure(),
    ...comments(),
    ...incidents(),
  };
}
