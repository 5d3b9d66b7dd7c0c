import { describe, expect, it } from 'vitest';
import type { Liveness } from '../../src/ledger/lease.js';
import { LEASE_GRACE_MS } from '../../src/ledger/lease.js';
import { planTick, type TickPlanInput } from '../../src/ledger/plan.js';
import type { LedgerDocument } from '../../src/ledger/types.js';
import { nonces, patrol, tableOf, tickIdentity } from './fixtures.js';

// A 3-hour timeout keeps the first lease alive past the next slot.
const hourly = patrol({ id: 'hourly', schedule: '0 * * * *', timeoutMs: 3 * 3_600_000 });

function input(overrides: Partial<TickPlanInput>): TickPlanInput {
  return {
    table: tableOf(hourly),
    current: null,
    now: new Date('2026-05-01T10:00:30Z'),
    tick: tickIdentity('t1'),
    force: false,
    liveness: new Map<string, Liveness>(),
    newNonce: nonces(),
    ...overrides,
  };
}

/** Plan at `first`, then plan again at `now` on the result: the state a second tick sees. */
function after(first: Date, overrides: Partial<TickPlanInput> = {}): LedgerDocument {
  return planTick(input({ now: first, ...overrides })).next;
}

describe('planning a tick', () => {
  it('creates the ledger and starts a new patrol at the tick, without backfilling', () => {
    const plan = planTick(input({}));
    expect(plan.changed).toBe(true);
    expect(plan.grants).toEqual([]);
    expect(plan.next.events.map((e) => e.type)).toEqual(['created', 'first-seen']);
    expect(plan.next.state.patrols.hourly?.cursor).toBe('2026-05-01T10:00:30.000Z');
  });

  it('grants the due slot with a fresh lease and fencing token 1', () => {
    const current = after(new Date('2026-05-01T09:30:00Z'));
    const plan = planTick(input({ current, now: new Date('2026-05-01T10:00:30Z') }));
    expect(plan.grants).toHaveLength(1);
    const [grant] = plan.grants;
    expect(grant?.slots).toEqual(['2026-05-01T10:00:00.000Z']);
    expect(grant?.fencingToken).toBe(1);
    expect(plan.next.state.patrols.hourly?.lease).toMatchObject({
      nonce: grant?.nonce,
      fencingToken: 1,
    });
    expect(plan.next.state.patrols.hourly?.cursor).toBe('2026-05-01T10:00:30.000Z');
  });

  it('writes nothing on an idle tick', () => {
    const current = after(new Date('2026-05-01T09:30:00Z'));
    const plan = planTick(input({ current, now: new Date('2026-05-01T09:45:00Z') }));
    expect(plan.changed).toBe(false);
    expect(plan.outcomes).toMatchObject([{ patrol: 'hourly', outcome: 'idle' }]);
  });

  it('calls a tick a duplicate when another tick claimed the latest slot moments ago', () => {
    const claimed = planTick(input({ current: after(new Date('2026-05-01T09:30:00Z')) })).next;
    const plan = planTick(
      input({ current: claimed, tick: tickIdentity('t2'), now: new Date('2026-05-01T10:00:50Z') }),
    );
    expect(plan.changed).toBe(false);
    expect(plan.outcomes).toMatchObject([
      { outcome: 'duplicate', slot: '2026-05-01T10:00:00.000Z' },
    ]);
  });

  it('still calls it a duplicate when its clock reads a second before the claim', () => {
    const claimed = planTick(input({ current: after(new Date('2026-05-01T09:30:00Z')) })).next;
    const plan = planTick(
      input({ current: claimed, tick: tickIdentity('t2'), now: new Date('2026-05-01T10:00:29Z') }),
    );
    expect(plan.outcomes).toMatchObject([{ outcome: 'duplicate' }]);
  });

  it('calls a later tick in the same hour idle, not a duplicate', () => {
    const claimed = planTick(input({ current: after(new Date('2026-05-01T09:30:00Z')) })).next;
    const plan = planTick(
      input({ current: claimed, tick: tickIdentity('t2'), now: new Date('2026-05-01T10:05:00Z') }),
    );
    expect(plan.outcomes).toMatchObject([{ outcome: 'idle' }]);
  });

  describe('against a lease that is still held', () => {
    const held = (table = tableOf(hourly)) =>
      planTick(input({ table, current: after(new Date('2026-05-01T09:30:00Z'), { table }) })).next;
    const nextHour = new Date('2026-05-01T11:00:10Z');

    it('forbid asks for the holder to be probed, then skips the slot without queueing it', () => {
      const current = held();
      const unprobed = planTick(input({ current, now: nextHour, tick: tickIdentity('t2') }));
      expect(unprobed.needsProbe.map((r) => [r.patrol, r.lease.fencingToken])).toEqual([
        ['hourly', 1],
      ]);

      const liveness = new Map<string, Liveness>(
        unprobed.needsProbe.map((r) => [r.lease.nonce, 'alive']),
      );
      const plan = planTick(input({ current, now: nextHour, tick: tickIdentity('t2'), liveness }));
      expect(plan.grants).toEqual([]);
      expect(plan.outcomes).toMatchObject([
        { outcome: 'skipped', slot: '2026-05-01T11:00:00.000Z', fencingToken: 1 },
      ]);
      expect(plan.next.state.patrols.hourly?.skippedInARow).toBe(1);
      expect(plan.next.state.patrols.hourly?.cursor).toBe(nextHour.toISOString());
    });

    it('forbid takes over at once when the holder is known to be gone', () => {
      const current = held();
      const nonce = current.state.patrols.hourly?.lease?.nonce as string;
      const liveness = new Map<string, Liveness>([[nonce, 'gone']]);
      const plan = planTick(
        input({
          current,
          now: nextHour,
          tick: tickIdentity('t2'),
          liveness,
          newNonce: nonces('m'),
        }),
      );
      expect(plan.grants[0]?.takeover).toMatchObject({ nonce, reason: 'holder-gone', by: 't2' });
      expect(plan.grants[0]?.fencingToken).toBe(2);
      expect(plan.next.state.patrols.hourly?.revocations.at(-1)?.nonce).toBe(nonce);
    });

    it('an expired lease stays honoured through the grace period, then is taken over', () => {
      const current = held();
      const lease = current.state.patrols.hourly?.lease;
      const expiry = Date.parse(lease?.expiresAt as string);
      const liveness = new Map<string, Liveness>([[lease?.nonce as string, 'unknown']]);
      const within = planTick(
        input({
          current,
          now: new Date(expiry + LEASE_GRACE_MS),
          tick: tickIdentity('t2'),
          liveness,
          force: true,
        }),
      );
      expect(within.grants).toEqual([]);
      const past = planTick(
        input({
          current,
          now: new Date(expiry + LEASE_GRACE_MS + 1),
          tick: tickIdentity('t2'),
          liveness,
          force: true,
        }),
      );
      expect(past.grants[0]?.takeover?.reason).toBe('expired');
    });

    it('replace takes the lease over from a live holder and records whom it replaced', () => {
      const replacing = { ...hourly, concurrency: 'replace' as const };
      const current = held(tableOf(replacing));
      const plan = planTick(
        input({
          table: tableOf(replacing),
          current,
          now: nextHour,
          tick: tickIdentity('t2'),
          newNonce: nonces('m'),
        }),
      );
      expect(plan.needsProbe).toEqual([]);
      expect(plan.grants[0]?.takeover?.reason).toBe('replaced');
      expect(plan.next.state.patrols.hourly?.lease?.nonce).toBe('m1');
    });

    it('allow runs without a lease even while another run holds one', () => {
      const allowing = { ...hourly, concurrency: 'allow' as const };
      const current = held();
      const plan = planTick(
        input({ table: tableOf(allowing), current, now: nextHour, tick: tickIdentity('t2') }),
      );
      expect(plan.grants[0]?.lease).toBeNull();
      expect(plan.grants[0]?.fencingToken).toBe(2);
    });
  });

  it('reports missed slots and runs only the latest under catch-up latest', () => {
    const current = after(new Date('2026-05-01T06:30:00Z'));
    const plan = planTick(input({ current, now: new Date('2026-05-01T10:00:30Z') }));
    expect(plan.grants[0]?.slots).toEqual(['2026-05-01T10:00:00.000Z']);
    expect(plan.outcomes).toMatchObject([
      { outcome: 'missed', missedCount: 3, slot: '2026-05-01T09:00:00.000Z' },
    ]);
  });

  it('runs several missed slots under one lease with catch-up all', () => {
    const all = patrol({ id: 'hourly', catchUp: 'all', maxCatchUp: 2 });
    const table = tableOf(all);
    const current = after(new Date('2026-05-01T06:30:00Z'), { table });
    const plan = planTick(input({ table, current, now: new Date('2026-05-01T10:00:30Z') }));
    expect(plan.grants[0]?.slots).toEqual(['2026-05-01T09:00:00.000Z', '2026-05-01T10:00:00.000Z']);
    expect(plan.outcomes).toMatchObject([{ outcome: 'missed', missedCount: 2 }]);
  });

  it('a forced tick runs now when nothing is due, through the policy', () => {
    const current = after(new Date('2026-05-01T09:30:00Z'));
    const plan = planTick(input({ current, now: new Date('2026-05-01T09:40:00Z'), force: true }));
    expect(plan.grants[0]).toMatchObject({ forced: true, slots: ['2026-05-01T09:40:00.000Z'] });
  });

  it('touches only the selected patrol', () => {
    const other = patrol({ id: 'other', schedule: '*/30 * * * *' });
    const table = tableOf(hourly, other);
    const current = after(new Date('2026-05-01T09:00:00Z'), { table });
    const plan = planTick(
      input({ table, current, now: new Date('2026-05-01T10:00:30Z'), patrol: 'hourly' }),
    );
    expect(plan.grants.map((g) => g.patrol.id)).toEqual(['hourly']);
    expect(plan.next.state.patrols.other).toEqual(current.state.patrols.other);
  });

  it('skips a disabled patrol but moves its cursor, so enabling it later does not backfill', () => {
    const off = patrol({ id: 'hourly', enabled: false });
    const table = tableOf(off);
    const current = after(new Date('2026-05-01T07:30:00Z'), { table });
    const plan = planTick(input({ table, current, now: new Date('2026-05-01T10:00:30Z') }));
    expect(plan.grants).toEqual([]);
    expect(plan.outcomes).toMatchObject([{ outcome: 'disabled' }]);
    expect(plan.next.events).toContainEqual(
      expect.objectContaining({ type: 'missed', count: 3, newest: '2026-05-01T10:00:00.000Z' }),
    );
    expect(plan.next.state.patrols.hourly?.cursor).toBe('2026-05-01T10:00:30.000Z');
  });

  it('never moves a cursor backwards when a tick runs with an earlier clock', () => {
    const current = after(new Date('2026-05-01T10:30:00Z'));
    const plan = planTick(input({ current, now: new Date('2026-05-01T08:00:00Z') }));
    expect(plan.changed).toBe(false);
    expect(plan.next.state.patrols.hourly?.cursor).toBe('2026-05-01T10:30:00.000Z');
  });

  it('lets the lease of an orphaned patrol stand past its expiry', () => {
    const current = planTick(input({ current: after(new Date('2026-05-01T09:30:00Z')) })).next;
    const lease = current.state.patrols.hourly?.lease;
    const late = new Date(Date.parse(lease?.expiresAt ?? '') + LEASE_GRACE_MS + 60_000);
    const unprobed = planTick(input({ current, now: late, tick: tickIdentity('t2') }));
    expect(unprobed.needsProbe).toHaveLength(1);
    const orphaned = new Map<string, Liveness>([[lease?.nonce ?? '', 'orphaned']]);
    const plan = planTick(
      input({ current, now: late, tick: tickIdentity('t2'), liveness: orphaned }),
    );
    expect(plan.grants).toEqual([]);
    expect(plan.outcomes.at(-1)).toMatchObject({ outcome: 'skipped' });
  });

  it('claims no schedule slot for a forced run, so the next tick is idle', () => {
    const current = after(new Date('2026-05-01T09:30:00Z'));
    const forced = planTick(input({ current, now: new Date('2026-05-01T09:40:00Z'), force: true }));
    const nextTick = planTick(
      input({
        current: forced.next,
        tick: tickIdentity('t2'),
        now: new Date('2026-05-01T09:40:20Z'),
      }),
    );
    expect(nextTick.outcomes).toMatchObject([{ outcome: 'idle' }]);
  });

  it('starts a patrol afresh when it returns to the table, its fencing token still growing', () => {
    const other = patrol({ id: 'other' });
    const withBoth = tableOf(hourly, other);
    const first = planTick(input({ table: withBoth, now: new Date('2026-05-01T09:30:00Z') })).next;
    const ran = planTick(
      input({ table: withBoth, current: first, now: new Date('2026-05-01T10:00:30Z') }),
    ).next;
    ran.state.patrols.other!.lease = null; // released
    const removed = planTick(
      input({ table: tableOf(hourly), current: ran, now: new Date('2026-05-01T10:30:00Z') }),
    );
    expect(removed.next.events).toContainEqual({ type: 'retired', patrol: 'other' });

    const back = planTick(
      input({ table: withBoth, current: removed.next, now: new Date('2026-05-03T12:00:30Z') }),
    );
    expect(back.grants.map((g) => g.patrol.id)).not.toContain('other');
    expect(back.next.state.patrols.other).toMatchObject({
      cursor: '2026-05-03T12:00:30.000Z',
      fencingToken: 1,
    });
    expect(back.next.state.patrols.other?.retiredAt).toBeUndefined();
  });
});
