import { describe, expect, it } from 'vitest';
import { release, renew, unlock } from '../../src/ledger/transitions.js';
import { freshPatrolState } from '../../src/ledger/state.js';
import {
  PROTOCOL_VERSION,
  type Lease,
  type LedgerDocument,
  type RunRecord,
} from '../../src/ledger/types.js';
import { patrol, processHolder, tickIdentity } from './fixtures.js';

const now = new Date('2026-05-01T10:00:00Z');

function lease(nonce: string, fencingToken: number): Lease {
  return {
    nonce,
    fencingToken,
    holder: processHolder(1),
    version: 'test',
    slots: ['2026-05-01T10:00:00.000Z'],
    policy: 'forbid',
    tick: 't1',
    grantedAt: '2026-05-01T10:00:00.000Z',
    expiresAt: '2026-05-01T10:10:00.000Z',
    renewable: true,
  };
}

function ledgerWith(current: Lease | null): LedgerDocument {
  return {
    protocol: PROTOCOL_VERSION,
    table: 'test',
    writer: { tick: 't0', holder: processHolder(1), version: 'test', at: now.toISOString() },
    state: {
      patrols: { job: { ...freshPatrolState(now.toISOString()), fencingToken: 7, lease: current } },
    },
    events: [],
  };
}

function run(nonce: string, fencingToken: number): RunRecord {
  return {
    slot: '2026-05-01T10:00:00.000Z',
    fencingToken,
    nonce,
    tick: 't1',
    startedAt: '2026-05-01T10:00:00.000Z',
    finishedAt: '2026-05-01T10:01:00.000Z',
    outcome: 'ran',
    exitCode: 0,
    durationMs: 60_000,
  };
}

describe('release', () => {
  it('frees the lease when it still carries the caller nonce, and records the run', () => {
    const result = release(
      ledgerWith(lease('mine', 7)),
      'job',
      [run('mine', 7)],
      'mine',
      tickIdentity('t1'),
      now,
    );
    expect(result.kind).toBe('released');
    expect(result.next.state.patrols.job?.lease).toBeNull();
    expect(result.next.state.patrols.job?.lastRun?.outcome).toBe('ran');
    expect(result.next.events.map((e) => e.type)).toEqual(['released']);
  });

  it('never touches a lease taken over by someone else: it records an overlap instead', () => {
    const theirs = lease('theirs', 8);
    const current = ledgerWith(theirs);
    current.state.patrols.job?.revocations.push({
      nonce: 'mine',
      fencingToken: 7,
      holder: processHolder(1),
      reason: 'expired',
      at: now.toISOString(),
      by: 't2',
    });
    const result = release(current, 'job', [run('mine', 7)], 'mine', tickIdentity('t1'), now);
    expect(result.kind).toBe('overlap');
    expect(result.next.state.patrols.job?.lease).toEqual(theirs);
    expect(result.next.events).toMatchObject([
      { type: 'overlap', revokedBy: { reason: 'expired', by: 't2' } },
    ]);
  });

  it('records an allow run without looking at any lease', () => {
    const theirs = lease('theirs', 8);
    const result = release(
      ledgerWith(theirs),
      'job',
      [run('free', 9)],
      null,
      tickIdentity('t1'),
      now,
    );
    expect(result.kind).toBe('released');
    expect(result.next.state.patrols.job?.lease).toEqual(theirs);
  });
});

describe('renew', () => {
  it('extends a lease the caller holds by a full term from now', () => {
    const later = new Date('2026-05-01T10:06:00Z');
    const result = renew(
      ledgerWith(lease('mine', 7)),
      patrol({ id: 'job' }),
      'mine',
      tickIdentity('t1'),
      later,
    );
    expect(result.kind).toBe('renewed');
    if (result.kind === 'renewed') {
      expect(result.next.state.patrols.job?.lease?.expiresAt).toBe('2026-05-01T10:16:00.000Z');
    }
  });

  it('reports a lease that is no longer the caller as lost', () => {
    expect(
      renew(ledgerWith(lease('theirs', 8)), patrol({ id: 'job' }), 'mine', tickIdentity('t1'), now)
        .kind,
    ).toBe('lost');
    expect(
      renew(ledgerWith(null), patrol({ id: 'job' }), 'mine', tickIdentity('t1'), now).kind,
    ).toBe('lost');
  });
});

describe('unlock', () => {
  it('frees the lease and records who revoked it and why', () => {
    const result = unlock(
      ledgerWith(lease('theirs', 8)),
      'job',
      'runner died',
      tickIdentity('admin'),
      now,
    );
    expect(result.kind).toBe('unlocked');
    if (result.kind !== 'unlocked') return;
    expect(result.next.state.patrols.job?.lease).toBeNull();
    expect(result.next.state.patrols.job?.revocations.at(-1)).toMatchObject({
      nonce: 'theirs',
      reason: 'unlocked',
      by: 'admin',
    });
    expect(result.next.events).toMatchObject([{ type: 'unlocked', reason: 'runner died' }]);
  });

  it('does nothing when no lease is held', () => {
    expect(unlock(ledgerWith(null), 'job', 'x', tickIdentity('admin'), now).kind).toBe('not-held');
  });
});
