import { describe, expect, it } from 'vitest';

import {
  DEFAULT_ON_TIME_WINDOW_MS,
  MISSED_COUNT_CAP,
  MISSED_LIST_LIMIT,
  planSlots,
  ScheduleError,
  slotsAfter,
} from '../../src/schedule/index.js';
import type { SlotPlanInput } from '../../src/schedule/index.js';
import { iso } from './wall-clock.js';

const MINUTE = 60_000;

function plan(overrides: Partial<SlotPlanInput> & { cursor: Date; now: Date }) {
  return planSlots({
    spec: { expression: '*/15 * * * *', timezone: 'UTC' },
    catchUp: 'latest',
    maxCatchUp: 3,
    ...overrides,
  });
}

function at(instant: string): Date {
  return new Date(instant);
}

describe('planSlots: the example of the brief', () => {
  it('runs Monday 10:30, misses 06:30, and does not rerun the Friday 14:30 cursor', () => {
    const result = planSlots({
      spec: { expression: '30 6-16/4 * * 1-5', timezone: 'UTC' },
      catchUp: 'latest',
      maxCatchUp: 3,
      cursor: at('2023-06-16T14:30:00Z'),
      now: at('2023-06-19T11:00:00Z'),
    });

    expect(result).toEqual({
      due: [at('2023-06-19T10:30:00Z')],
      missed: [at('2023-06-19T06:30:00Z')],
      missedCount: 1,
      missedCountIsLowerBound: false,
      next: at('2023-06-19T14:30:00Z'),
      cursor: at('2023-06-19T11:00:00Z'),
    });
  });
});

describe('planSlots: the window (cursor, now]', () => {
  it('runs a slot equal to now', () => {
    const result = plan({ cursor: at('2026-05-01T10:05:00Z'), now: at('2026-05-01T10:15:00Z') });

    expect(iso(result.due)).toEqual(['2026-05-01T10:15:00.000Z']);
    expect(iso(result.next === null ? [] : [result.next])).toEqual(['2026-05-01T10:30:00.000Z']);
  });

  it('does not run a slot equal to the cursor', () => {
    const result = plan({ cursor: at('2026-05-01T10:15:00Z'), now: at('2026-05-01T10:29:59Z') });

    expect(result.due).toEqual([]);
    expect(result.missed).toEqual([]);
    expect(result.missedCount).toBe(0);
  });

  it('never moves the cursor backwards when now is behind it', () => {
    const result = plan({ cursor: at('2026-05-01T10:20:00Z'), now: at('2026-05-01T10:10:00Z') });

    expect(result.due).toEqual([]);
    expect(result.cursor).toEqual(at('2026-05-01T10:20:00Z'));
    expect(result.next).toEqual(at('2026-05-01T10:30:00Z'));
  });

  it('refuses an unusable spec and invalid inputs', () => {
    const cursor = at('2026-05-01T10:00:00Z');
    const now = at('2026-05-01T11:00:00Z');

    expect(() => plan({ spec: { expression: '@hourly', timezone: 'UTC' }, cursor, now })).toThrow(
      ScheduleError,
    );
    expect(() => plan({ cursor: new Date(Number.NaN), now })).toThrow(RangeError);
    expect(() => plan({ catchUp: 'all', maxCatchUp: 0, cursor, now })).toThrow(RangeError);
    expect(() => plan({ startingDeadlineMs: -1, cursor, now })).toThrow(RangeError);
  });
});

describe('planSlots: catch-up modes', () => {
  // Slots every 15 minutes; the last tick was at 10:05, this one at 11:10: 10:15 ... 11:00.
  const cursor = at('2026-05-01T10:05:00Z');
  const now = at('2026-05-01T11:10:00Z');
  const backlog = ['10:15', '10:30', '10:45', '11:00'].map((t) => `2026-05-01T${t}:00.000Z`);

  it.each([
    ['latest runs the most recent slot once', 'latest', 3, undefined, backlog.slice(3)],
    ['all runs each slot, oldest first, up to the cap', 'all', 3, undefined, backlog.slice(1)],
    ['all with a high cap runs them all', 'all', 10, undefined, backlog],
    ['none runs the latest slot while it is on time', 'none', 3, undefined, backlog.slice(3)],
    ['none with a deadline shorter than its age runs nothing', 'none', 3, 5 * MINUTE, []],
    ['latest drops a slot older than the deadline', 'latest', 3, 5 * MINUTE, []],
    [
      'latest keeps a slot exactly as old as the deadline',
      'latest',
      3,
      10 * MINUTE,
      backlog.slice(3),
    ],
    ['all runs only slots within the deadline', 'all', 10, 30 * MINUTE, backlog.slice(2)],
  ] as const)('%s', (_name, catchUp, maxCatchUp, startingDeadlineMs, due) => {
    const result = plan({ catchUp, maxCatchUp, startingDeadlineMs, cursor, now });
    const missed = backlog.slice(0, backlog.length - due.length);

    expect(iso(result.due)).toEqual(due);
    expect(iso(result.missed)).toEqual(missed);
    expect(result.missedCount).toBe(missed.length);
    expect(result.missedCountIsLowerBound).toBe(false);
    expect(result.cursor).toEqual(now);
    expect(result.next).toEqual(at('2026-05-01T11:15:00Z'));
  });

  it('none: a slot up to 10 minutes old is on time when no deadline is set', () => {
    expect(DEFAULT_ON_TIME_WINDOW_MS).toBe(10 * MINUTE);
    const cursor = at('2026-05-01T10:50:00Z');

    const onTime = plan({ catchUp: 'none', cursor, now: at('2026-05-01T11:10:00Z') });
    const late = plan({ catchUp: 'none', cursor, now: at('2026-05-01T11:10:01Z') });

    expect(iso(onTime.due)).toEqual(['2026-05-01T11:00:00.000Z']);
    expect(late.due).toEqual([]);
    expect(iso(late.missed)).toEqual(['2026-05-01T11:00:00.000Z']);
  });

  it('none: a starting deadline longer than the default window is honoured', () => {
    const result = plan({
      catchUp: 'none',
      startingDeadlineMs: 30 * MINUTE,
      cursor: at('2026-05-01T10:50:00Z'),
      now: at('2026-05-01T11:25:00Z'),
    });

    expect(iso(result.due)).toEqual(['2026-05-01T11:15:00.000Z']);
    expect(iso(result.missed)).toEqual(['2026-05-01T11:00:00.000Z']);
  });
});

describe('planSlots: ticks at uneven intervals', () => {
  // GitHub runs the ticker late, drops some runs and doubles others: 12:07, 12:09 (doubled),
  // 12:41, 14:02 (two dropped), 14:02 again, 14:30.
  const ticks = ['12:07', '12:09', '12:41', '14:02', '14:02', '14:30'].map((t) =>
    at(`2026-05-01T${t}:00Z`),
  );
  const spec = { expression: '*/15 * * * *', timezone: 'UTC' };

  it.each(['latest', 'all', 'none'] as const)(
    'with %s, every slot is run or missed exactly once',
    (catchUp) => {
      let cursor = at('2026-05-01T12:00:00Z');
      const ran: string[] = [];
      const missed: string[] = [];
      for (const now of ticks) {
        const result = planSlots({ spec, catchUp, maxCatchUp: 2, cursor, now });
        ran.push(...iso(result.due));
        missed.push(...iso(result.missed));
        cursor = result.cursor;
      }

      const all = iso(slotsAfter(spec, at('2026-05-01T12:00:00Z'), { until: ticks[5], limit: 99 }));
      expect([...ran, ...missed].sort()).toEqual(all);
    },
  );

  it('with latest, runs 12:30 at 12:41, 14:00 at 14:02 and 14:30 at 14:30', () => {
    let cursor = at('2026-05-01T12:00:00Z');
    const ran: string[][] = [];
    for (const now of ticks) {
      const result = planSlots({ spec, catchUp: 'latest', maxCatchUp: 1, cursor, now });
      ran.push(iso(result.due).map((slot) => slot.slice(11, 16)));
      cursor = result.cursor;
    }

    expect(ran).toEqual([[], [], ['12:30'], ['14:00'], [], ['14:30']]);
  });

  it('with all and a cap of 2, runs the two most recent slots of a long gap', () => {
    const result = planSlots({
      spec,
      catchUp: 'all',
      maxCatchUp: 2,
      cursor: at('2026-05-01T12:41:00Z'),
      now: at('2026-05-01T14:02:00Z'),
    });

    expect(iso(result.due)).toEqual(['2026-05-01T13:45:00.000Z', '2026-05-01T14:00:00.000Z']);
    expect(iso(result.missed)).toEqual([
      '2026-05-01T12:45:00.000Z',
      '2026-05-01T13:00:00.000Z',
      '2026-05-01T13:15:00.000Z',
      '2026-05-01T13:30:00.000Z',
    ]);
  });
});

describe('planSlots: DST days', () => {
  it('runs the gap-moved 03:00 slot once, also when the tick comes later', () => {
    const spec = { expression: '0,30 2 * * *', timezone: 'America/New_York' };
    const result = planSlots({
      spec,
      catchUp: 'all',
      maxCatchUp: 5,
      cursor: at('2026-03-08T06:00:00Z'),
      now: at('2026-03-08T08:00:00Z'),
    });

    expect(iso(result.due)).toEqual(['2026-03-08T07:00:00.000Z']);
    expect(result.missedCount).toBe(0);
  });

  it('does not run a fixed-hour slot again in the repeated hour', () => {
    const spec = { expression: '30 1 * * *', timezone: 'America/New_York' };
    const first = planSlots({
      spec,
      catchUp: 'all',
      maxCatchUp: 5,
      cursor: at('2026-11-01T05:00:00Z'),
      now: at('2026-11-01T05:40:00Z'),
    });
    const second = planSlots({
      spec,
      catchUp: 'all',
      maxCatchUp: 5,
      cursor: first.cursor,
      now: at('2026-11-01T06:40:00Z'),
    });

    expect(iso(first.due)).toEqual(['2026-11-01T05:30:00.000Z']);
    expect(second.due).toEqual([]);
    expect(second.next).toEqual(at('2026-11-02T06:30:00Z'));
  });
});

describe('planSlots: long backlogs', () => {
  const spec = { expression: '*/5 * * * *', timezone: 'Europe/Berlin' };

  it('keeps the most recent missed slots and an exact count below the cap', () => {
    const result = planSlots({
      spec,
      catchUp: 'latest',
      maxCatchUp: 1,
      cursor: at('2026-05-01T00:00:00Z'),
      now: at('2026-05-02T00:00:00Z'),
    });

    expect(iso(result.due)).toEqual(['2026-05-02T00:00:00.000Z']);
    expect(result.missedCount).toBe(24 * 12 - 1);
    expect(result.missedCountIsLowerBound).toBe(false);
    expect(result.missed).toHaveLength(MISSED_LIST_LIMIT);
    expect(result.missed[0]).toEqual(at('2026-05-01T15:40:00Z'));
    expect(result.missed[MISSED_LIST_LIMIT - 1]).toEqual(at('2026-05-01T23:55:00Z'));
  });

  it.each(['latest', 'all'] as const)(
    'plans a year-long backlog of a */5 schedule (%s) with a lower-bound count',
    (catchUp) => {
      const now = at('2026-06-15T12:03:00Z');
      const result = planSlots({
        spec,
        catchUp,
        maxCatchUp: 4,
        cursor: at('2025-06-15T12:03:00Z'),
        now,
      });
      const runs = catchUp === 'all' ? 4 : 1;
      const recent = slotsAfter(spec, at('2026-06-15T02:00:00Z'), { until: now, limit: 1000 });

      expect(recent.at(-1)).toEqual(at('2026-06-15T12:00:00Z'));
      expect(result.due).toEqual(recent.slice(-runs));
      expect(result.missed).toEqual(recent.slice(-runs - MISSED_LIST_LIMIT, -runs));
      expect(result.missedCountIsLowerBound).toBe(true);
      expect(result.missedCount).toBeGreaterThanOrEqual(MISSED_COUNT_CAP);
      expect(result.missedCount).toBeLessThan(366 * 24 * 12);
      expect(result.next).toEqual(at('2026-06-15T12:05:00Z'));
      expect(result.cursor).toEqual(now);
    },
  );

  it('counts a decades-old backlog of a daily schedule as a lower bound', () => {
    const result = planSlots({
      spec: { expression: '0 6 * * *', timezone: 'America/New_York' },
      catchUp: 'latest',
      maxCatchUp: 1,
      cursor: at('1999-01-01T00:00:00Z'),
      now: at('2026-06-15T12:00:00Z'),
    });

    expect(iso(result.due)).toEqual(['2026-06-15T10:00:00.000Z']);
    expect(result.missed).toHaveLength(MISSED_LIST_LIMIT);
    expect(result.missed.at(-1)).toEqual(at('2026-06-14T10:00:00Z'));
    expect(result.missedCountIsLowerBound).toBe(true);
    expect(result.next).toEqual(at('2026-06-16T10:00:00Z'));
  });

  it('counts a sparse backlog exactly even over decades', () => {
    const result = planSlots({
      spec: { expression: '0 0 1 1 *', timezone: 'UTC' },
      catchUp: 'latest',
      maxCatchUp: 1,
      cursor: at('1990-06-01T00:00:00Z'),
      now: at('2026-06-01T00:00:00Z'),
    });

    expect(iso(result.due)).toEqual(['2026-01-01T00:00:00.000Z']);
    expect(result.missedCount).toBe(35);
    expect(result.missedCountIsLowerBound).toBe(false);
    expect(result.missed[0]).toEqual(at('1991-01-01T00:00:00Z'));
  });

  it('finds the recent slots of a schedule that only fires in January', () => {
    const januarySpec = { expression: '*/5 * * 1 *', timezone: 'UTC' };
    const result = planSlots({
      spec: januarySpec,
      catchUp: 'latest',
      maxCatchUp: 1,
      cursor: at('2020-01-01T00:00:00Z'),
      now: at('2026-06-01T00:00:00Z'),
    });

    expect(iso(result.due)).toEqual(['2026-01-31T23:55:00.000Z']);
    expect(result.missed.at(-1)).toEqual(at('2026-01-31T23:50:00Z'));
    expect(result.missed).toHaveLength(MISSED_LIST_LIMIT);
    expect(result.missedCountIsLowerBound).toBe(true);
    expect(result.next).toEqual(at('2027-01-01T00:00:00Z'));
  });
});

describe('planSlots: absurd inputs stay bounded and right', () => {
  it('plans a yearly schedule whose cursor is five centuries old', () => {
    const result = planSlots({
      spec: { expression: '0 0 1 1 *', timezone: 'Europe/London' },
      catchUp: 'all',
      maxCatchUp: 2,
      cursor: at('1500-06-01T00:00:00Z'),
      now: at('2026-06-01T00:00:00Z'),
    });

    expect(iso(result.due)).toEqual(['2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']);
    expect(result.missed.at(-1)).toEqual(at('2024-01-01T00:00:00Z'));
    expect(result.missed).toHaveLength(MISSED_LIST_LIMIT);
    expect(result.next).toEqual(at('2027-01-01T00:00:00Z'));
  });

  it('plans an every-minute schedule whose cursor is a decade old', () => {
    const result = planSlots({
      spec: { expression: '* * * * *', timezone: 'Asia/Kolkata' },
      catchUp: 'none',
      maxCatchUp: 1,
      cursor: at('2016-01-01T00:00:00Z'),
      now: at('2026-01-01T00:00:30Z'),
    });

    expect(iso(result.due)).toEqual(['2026-01-01T00:00:00.000Z']);
    expect(result.missed.at(-1)).toEqual(at('2025-12-31T23:59:00Z'));
    expect(result.missedCountIsLowerBound).toBe(true);
    expect(result.next).toEqual(at('2026-01-01T00:01:00Z'));
  });
});
