import type { Patrol, PatrolTable } from '../../src/config/types.js';
import type { TickIdentity } from '../../src/ledger/plan.js';
import type { Holder } from '../../src/ledger/types.js';

export function patrol(overrides: Partial<Patrol> & { id: string }): Patrol {
  return {
    schedule: '0 * * * *',
    timezone: 'UTC',
    run: 'true',
    concurrency: 'forbid',
    timeoutMs: undefined,
    catchUp: 'latest',
    maxCatchUp: 10,
    startingDeadlineMs: undefined,
    enabled: true,
    env: {},
    workingDirectory: undefined,
    failureThreshold: 1,
    realertMs: 24 * 3_600_000,
    pullRequest: undefined,
    ...overrides,
  };
}

export function tableOf(...patrols: Patrol[]): PatrolTable {
  return { id: 'test', path: 'test.yml', timezone: 'UTC', patrols };
}

export function processHolder(pid: number): Holder {
  return { kind: 'process', host: 'box', pid, startTime: `start-${pid}` };
}

export function tickIdentity(id: string, pid = 100): TickIdentity {
  return { id, holder: processHolder(pid), version: 'test' };
}

/** Nonces n1, n2, ... so tests can name them. */
export function nonces(prefix = 'n'): () => string {
  let next = 0;
  return () => `${prefix}${++next}`;
}
