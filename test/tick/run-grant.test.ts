import { describe, expect, it } from 'vitest';
import { encodeLedger } from '../../src/ledger/document.js';
import type { Grant } from '../../src/ledger/plan.js';
import { freshPatrolState } from '../../src/ledger/state.js';
import { PROTOCOL_VERSION, type Lease, type LedgerDocument } from '../../src/ledger/types.js';
import type { LedgerStore } from '../../src/store/types.js';
import { MemoryStore } from '../../src/store/memory.js';
import { ledgerRef, readLedger } from '../../src/tick/ledger-io.js';
import { ReleaseQueue } from '../../src/tick/release-queue.js';
import { runGrant } from '../../src/tick/run-grant.js';
import type { TickDeps } from '../../src/tick/types.js';
import { patrol, processHolder } from '../ledger/fixtures.js';
import { deps, FakeRunner } from './support.js';

const ref = ledgerRef('test');
const start = Date.parse('2026-05-01T10:00:00Z');
const open = patrol({ id: 'job' }); // no timeout: a renewable lease

function leaseExpiringIn(ms: number): Lease {
  return {
    nonce: 'mine',
    fencingToken: 1,
    holder: processHolder(100),
    version: 'test',
    slots: ['2026-05-01T10:00:00.000Z'],
    policy: 'forbid',
    tick: 't1',
    grantedAt: new Date(start).toISOString(),
    expiresAt: new Date(start + ms).toISOString(),
    renewable: true,
  };
}

async function storeWith(lease: Lease): Promise<MemoryStore> {
  const doc: LedgerDocument = {
    protocol: PROTOCOL_VERSION,
    table: 'test',
    writer: {
      tick: 't1',
      holder: processHolder(100),
      version: 'test',
      at: new Date(start).toISOString(),
    },
    state: {
      patrols: {
        job: { ...freshPatrolState(new Date(start).toISOString()), fencingToken: 1, lease },
      },
    },
    events: [],
  };
  const store = new MemoryStore();
  await store.create(ref, encodeLedger(doc));
  return store;
}

function contextOf(tickDeps: TickDeps, clock: () => Date) {
  return { deps: tickDeps, ref, clock, releases: new ReleaseQueue(tickDeps, ref, clock) };
}

function grantOf(lease: Lease): Grant {
  return {
    patrol: open,
    slots: lease.slots,
    nonce: lease.nonce,
    fencingToken: 1,
    lease,
    forced: false,
  };
}

describe('a running grant', () => {
  it('renews a renewable lease once less than half of its term is left', async () => {
    const lease = leaseExpiringIn(4 * 60_000);
    const store = await storeWith(lease);
    const runner = new FakeRunner();
    runner.hold('job');
    const running = runGrant(
      grantOf(lease),
      contextOf(deps(store, runner), () => new Date(start)),
    );

    let renewed = '';
    for (let i = 0; i < 500 && renewed === ''; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const { document } = await readLedger(store, ref);
      const expiresAt = document?.state.patrols.job?.lease?.expiresAt ?? '';
      if (expiresAt !== lease.expiresAt) renewed = expiresAt;
    }
    runner.open('job');
    const result = await running;

    expect(renewed).toBe('2026-05-01T10:10:00.000Z');
    expect(result.reports).toMatchObject([{ outcome: 'ran' }]);
    expect(result.writes).toBeGreaterThanOrEqual(2); // a renewal and the release
  });

  it('stops the patrol when the lease would expire before the store can confirm it', async () => {
    const lease = leaseExpiringIn(60_000);
    const healthy = await storeWith(lease);
    let reachable = true;
    const flaky: LedgerStore = {
      description: 'flaky',
      read: (r) => (reachable ? healthy.read(r) : Promise.reject(new Error('store unreachable'))),
      create: (r, m) => healthy.create(r, m),
      swap: (r, t, m) => healthy.swap(r, t, m),
      history: (r, o) => healthy.history(r, o),
      now: () => healthy.now(),
    };
    const runner = new FakeRunner();
    runner.hold('job');
    let now = start;
    reachable = false;
    const running = runGrant(
      grantOf(lease),
      contextOf(deps(flaky, runner), () => new Date(now)),
    );
    await runner.started('job');
    now = start + 61_000; // past expiry, the store still unreachable
    while (runner.aborts === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    reachable = true; // the release is retried until it lands

    const result = await running;
    expect(result.reports).toMatchObject([
      {
        outcome: 'lost-lease',
        reason: expect.stringContaining('expired before it could be confirmed'),
      },
    ]);
    const { document } = await readLedger(healthy, ref);
    expect(document?.state.patrols.job?.lease).toBeNull();
  });

  it('reports the runs, not a crash, when the result cannot be recorded at all', async () => {
    const lease = leaseExpiringIn(60 * 60_000);
    const healthy = await storeWith(lease);
    const broken: LedgerStore = {
      description: 'broken',
      read: (r) => healthy.read(r),
      create: () => Promise.reject(new Error('503 Service Unavailable')),
      swap: () => Promise.reject(new Error('503 Service Unavailable')),
      history: (r, o) => healthy.history(r, o),
      now: () => healthy.now(),
    };
    const context = contextOf(deps(broken, new FakeRunner()), () => new Date(start));
    const result = await runGrant(grantOf(lease), context);
    expect(result.reports).toMatchObject([
      { outcome: 'ran', reason: expect.stringContaining('not recorded: 503 Service Unavailable') },
    ]);
    const { document } = await readLedger(healthy, ref);
    expect(document?.state.patrols.job?.lease?.nonce).toBe('mine');
  });
});
