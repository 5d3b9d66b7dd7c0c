import type { Patrol, PatrolTable } from '../../src/config/types.js';
import type {
  ActionsHolder,
  Lease,
  LedgerDocument,
  LedgerEvent,
  PatrolState,
  RunOutcome,
  RunRecord,
} from '../../src/ledger/types.js';
import type { PatrolReport, TickReport } from '../../src/tick/types.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** All tests run in 2031, far from the machine's clock. */
export const T0 = Date.parse('2031-03-03T00:00:00.000Z');

export function at(offsetMs: number): string {
  return new Date(T0 + offsetMs).toISOString();
}

export function patrol(overrides: Partial<Patrol> = {}): Patrol {
  return {
    id: 'backup',
    schedule: '*/5 * * * *',
    timezone: 'UTC',
    run: './backup.sh',
    concurrency: 'forbid',
    timeoutMs: 10 * MINUTE,
    catchUp: 'latest',
    maxCatchUp: 10,
    startingDeadlineMs: undefined,
    enabled: true,
    env: {},
    workingDirectory: undefined,
    failureThreshold: 1,
    realertMs: DAY,
    pullRequest: undefined,
    ...overrides,
  };
}

export function patrolTable(patrols: Patrol[], id = 'main'): PatrolTable {
  return { id, path: '.github/cronwarden.yml', timezone: 'UTC', patrols };
}

export const HOLDER: ActionsHolder = {
  kind: 'actions',
  repository: 'acme/ops',
  runId: 4242,
  runAttempt: 1,
  job: 'tick',
};

export interface RunSpec {
  token: number;
  /** Offset of the slot from T0. */
  slot: number;
  /** Offset of the start from T0 (default: the slot plus 30 s). */
  start?: number;
  durationMs?: number;
  outcome?: RunOutcome;
  exitCode?: number | null;
  tick?: string;
  nonce?: string;
}

export function run(spec: RunSpec): RunRecord {
  const start = spec.start ?? spec.slot + 30_000;
  const durationMs = spec.durationMs ?? 20_000;
  const outcome = spec.outcome ?? 'ran';
  return {
    slot: at(spec.slot),
    fencingToken: spec.token,
    nonce: spec.nonce ?? `nonce-${spec.token}`,
    tick: spec.tick ?? `tick-${spec.token}`,
    startedAt: at(start),
    finishedAt: at(start + durationMs),
    outcome,
    exitCode: spec.exitCode !== undefined ? spec.exitCode : outcome === 'ran' ? 0 : 1,
    durationMs,
  };
}

export function patrolState(overrides: Partial<PatrolState> = {}): PatrolState {
  const runs = overrides.recentRuns ?? [];
  return {
    cursor: overrides.cursor ?? runs.at(-1)?.slot ?? at(0),
    fencingToken: Math.max(0, ...runs.map((r) => r.fencingToken)),
    lease: null,
    lastClaim: null,
    lastRun: runs.at(-1) ?? null,
    recentRuns: runs,
    revocations: [],
    skippedInARow: 0,
    ...overrides,
  };
}

export function ledger(
  states: Record<string, PatrolState>,
  options: { writtenAt?: string; tick?: string; events?: LedgerEvent[]; table?: string } = {},
): LedgerDocument {
  return {
    protocol: 1,
    table: options.table ?? 'main',
    writer: {
      tick: options.tick ?? 'tick-w',
      holder: HOLDER,
      version: '0.1.0',
      at: options.writtenAt ?? at(0),
    },
    state: { patrols: states },
    events: options.events ?? [],
  };
}

export function lease(token: number, grantedAt: number, ttlMs = 10 * MINUTE): Lease {
  return {
    nonce: `nonce-${token}`,
    fencingToken: token,
    holder: HOLDER,
    version: '0.1.0',
    slots: [at(grantedAt)],
    policy: 'forbid',
    tick: `tick-${token}`,
    grantedAt: at(grantedAt),
    expiresAt: at(grantedAt + ttlMs),
    renewable: false,
  };
}

/** The report a tick gives for a run it made. */
export function runReport(record: RunRecord, patrolId = 'backup', output?: string): PatrolReport {
  return {
    id: patrolId,
    slot: record.slot,
    outcome: record.outcome,
    reason: record.outcome === 'ran' ? 'ran' : `exited with ${record.exitCode ?? 'a signal'}`,
    exitCode: record.exitCode,
    durationMs: record.durationMs,
    fencingToken: record.fencingToken,
    ...(output === undefined ? {} : { output, outputTruncated: false }),
  };
}

export function idleReport(patrolId = 'backup'): PatrolReport {
  return {
    id: patrolId,
    slot: null,
    outcome: 'idle',
    reason: 'no slot due',
    exitCode: null,
    durationMs: null,
    fencingToken: null,
  };
}

export function tickReport(id: string, now: string, patrols: PatrolReport[]): TickReport {
  return {
    tick: {
      id,
      now,
      table: 'main',
      config: '.github/cronwarden.yml',
      store: 'memory',
      ref: 'refs/cronwarden/main',
      dryRun: false,
      version: '0.1.0',
      writes: patrols.length,
      reporting: true,
    },
    patrols,
  };
}
