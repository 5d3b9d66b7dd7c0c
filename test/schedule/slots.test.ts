import { describe, expect, it } from 'vitest';

import { nextSlots, ScheduleError, slotsAfter } from '../../src/schedule/index.js';
import { iso } from './wall-clock.js';

function next(expression: string, timezone: string, after: string, count: number): string[] {
  return iso(nextSlots({ expression, timezone }, new Date(after), count));
}

describe('calendar rules, in UTC', () => {
  it.each([
    [
      'L fires on the last day of each month, 29 February in a leap year',
      '0 0 L * *',
      '2028-01-15T00:00:00Z',
      ['2028-01-31', '2028-02-29', '2028-03-31', '2028-04-30'],
    ],
    [
      '5L fires on the last Friday of each month',
      '0 0 * * 5L',
      '2026-01-01T00:00:00Z',
      ['2026-01-30', '2026-02-27', '2026-03-27', '2026-04-24'],
    ],
    [
      '1#2 fires on the second Monday of each month',
      '0 0 * * 1#2',
      '2026-01-01T00:00:00Z',
      ['2026-01-12', '2026-02-09', '2026-03-09', '2026-04-13'],
    ],
    [
      'a leap day fires only in leap years',
      '0 0 29 2 *',
      '2026-01-01T00:00:00Z',
      ['2028-02-29', '2032-02-29', '2036-02-29'],
    ],
    [
      'day of month OR day of week when both are restricted',
      '0 0 13 * 5',
      '2026-01-01T00:00:00Z',
      ['2026-01-02', '2026-01-09', '2026-01-13', '2026-01-16', '2026-01-23', '2026-01-30'],
    ],
    [
      'a day-of-month step starting with * still ANDs with the weekday, as in classic cron',
      '0 0 */2 * 1',
      '2026-01-01T00:00:00Z',
      ['2026-01-05', '2026-01-19', '2026-02-09', '2026-02-23'],
    ],
    [
      'a day-of-month step restarts each month',
      '0 0 */10 * *',
      '2026-01-20T00:00:00Z',
      ['2026-01-21', '2026-01-31', '2026-02-01', '2026-02-11', '2026-02-21', '2026-03-01'],
    ],
    [
      'month and weekday names',
      '0 0 1-7 JAN,JUL MON',
      '2025-12-31T12:00:00Z',
      ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-06'].concat([
        '2026-01-07',
        '2026-01-12',
        '2026-01-19',
        '2026-01-26',
        '2026-07-01',
      ]),
    ],
    ['7 means Sunday', '0 0 * * 7', '2026-01-01T00:00:00Z', ['2026-01-04', '2026-01-11']],
  ])('%s', (_name, expression, after, days) => {
    expect(next(expression, 'UTC', after, days.length)).toEqual(
      days.map((day) => `${day}T00:00:00.000Z`),
    );
  });

  it('an hour step restarts each day', () => {
    expect(next('0 */5 * * *', 'UTC', '2026-01-01T16:00:00Z', 4)).toEqual([
      '2026-01-01T20:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
      '2026-01-02T05:00:00.000Z',
      '2026-01-02T10:00:00.000Z',
    ]);
  });

  it('a range with a step fires on weekdays only', () => {
    expect(next('30 6-16/4 * * 1-5', 'UTC', '2023-06-16T14:30:00Z', 4)).toEqual([
      '2023-06-19T06:30:00.000Z',
      '2023-06-19T10:30:00.000Z',
      '2023-06-19T14:30:00.000Z',
      '2023-06-20T06:30:00.000Z',
    ]);
  });
});

describe('slotsAfter bounds', () => {
  const spec = { expression: '*/15 * * * *', timezone: 'UTC' };

  it('leaves out a slot equal to `after` and keeps one equal to `until`', () => {
    const slots = slotsAfter(spec, new Date('2026-05-01T10:00:00Z'), {
      until: new Date('2026-05-01T10:45:00Z'),
      limit: 10,
    });

    expect(iso(slots)).toEqual([
      '2026-05-01T10:15:00.000Z',
      '2026-05-01T10:30:00.000Z',
      '2026-05-01T10:45:00.000Z',
    ]);
  });

  it('counts `after` to the millisecond', () => {
    const slots = slotsAfter(spec, new Date('2026-05-01T09:59:59.999Z'), { limit: 1 });

    expect(iso(slots)).toEqual(['2026-05-01T10:00:00.000Z']);
  });

  it('stops at `limit`', () => {
    expect(slotsAfter(spec, new Date('2026-05-01T10:00:00Z'), { limit: 2 })).toHaveLength(2);
    expect(slotsAfter(spec, new Date('2026-05-01T10:00:00Z'), { limit: 0 })).toEqual([]);
  });

  it('returns nothing when `until` is not after `after`', () => {
    const at = new Date('2026-05-01T10:00:00Z');

    expect(slotsAfter(spec, at, { until: at, limit: 5 })).toEqual([]);
  });

  it('refuses invalid dates and limits', () => {
    expect(() => slotsAfter(spec, new Date('nope'), { limit: 1 })).toThrow(RangeError);
    expect(() => slotsAfter(spec, new Date(0), { limit: -1 })).toThrow(RangeError);
    expect(() => slotsAfter(spec, new Date(0), { limit: 1.5 })).toThrow(RangeError);
    expect(() => nextSlots(spec, new Date(0), 1_000_000)).toThrow(RangeError);
  });

  it('refuses an unusable spec with a ScheduleError', () => {
    expect(() => nextSlots({ expression: '@daily', timezone: 'UTC' }, new Date(0), 1)).toThrow(
      ScheduleError,
    );
    expect(() =>
      nextSlots({ expression: '0 0 * * *', timezone: 'Nowhere/City' }, new Date(0), 1),
    ).toThrow(/unknown time zone/);
  });

  it('does not depend on the process time zone', () => {
    // vitest runs with TZ=Pacific/Chatham; an expression in UTC must still fire at UTC times.
    expect(next('0 8 * * *', 'UTC', '2026-04-05T00:00:00Z', 1)).toEqual([
      '2026-04-05T08:00:00.000Z',
    ]);
  });
});
