import { describe, expect, it } from 'vitest';

import {
  checkSchedule,
  describeSchedule,
  isValidTimeZone,
  nextSlots,
  ScheduleError,
} from '../../src/schedule/index.js';
import { iso } from './wall-clock.js';

function refusal(expression: string, timezone = 'UTC'): ScheduleError {
  try {
    checkSchedule({ expression, timezone });
  } catch (error: unknown) {
    if (error instanceof ScheduleError) {
      return error;
    }
    throw error;
  }
  throw new Error(`expected "${expression}" in ${timezone} to be refused`);
}

describe('checkSchedule refuses what GitHub cron cannot express', () => {
  it.each([
    ['a six-field expression with seconds', '0 0 8 * * *', /six fields: seconds are not supported/],
    ['@daily', '@daily', /macros are not supported.*five fields.*write "0 0 \* \* \*" instead/],
    ['@hourly', '@hourly', /write "0 \* \* \* \*" instead/],
    ['@weekly', '@weekly', /write "0 0 \* \* 0" instead/],
    [
      '@reboot',
      '@reboot',
      /macros are not supported.*e\.g\. write "0 0 \* \* \*" instead of @daily/,
    ],
    ['four fields', '0 8 * *', /has 4 fields; a cron expression has five/],
    ['seven fields', '0 0 8 * * * 2026', /has 7 fields/],
    ['an empty expression', '  ', /empty/],
    ['a hashed minute', 'H 8 * * *', /H \(hashed values\) is not supported/],
    ['a minute out of range', '60 8 * * *', /not a valid cron expression/],
    ['an unknown month name', '0 8 * FOO *', /not a valid cron expression/],
    ['Sunday written twice', '0 8 * * 0,7', /0 and 7 both mean Sunday/],
    ['Sunday written as SUN and 7', '0 8 * * SUN,7', /0 and 7 both mean Sunday/],
    [
      'a space inside a list',
      '0,  5 * * * *',
      /has a space inside a list, range or step, which splits it into two fields: write it without spaces, as in "0,5 \* \* \* \*"/,
    ],
    ['a space before a range dash', '0 8 -12 * * *', /space inside a list, range or step/],
    ['a space inside a step', '*/ 10 * * * *', /as in "\*\/10 \* \* \* \*"/],
    [
      'a year as a sixth field',
      '0 0 1 1 * 2030',
      /the sixth, "2030", looks like a year, which cron does not have.*write "0 0 1 1 \*"/,
    ],
    ['a range of years as a sixth field', '0 0 1 1 * 2030-2032', /looks like a year/],
  ])('refuses %s', (_name, expression, message) => {
    expect(refusal(expression).message).toMatch(message);
  });

  it.each([
    ['a year', '0 0 1 1 * 2030'],
    ['a space inside a list', '0,  5 * * * *'],
  ])('does not blame seconds for %s', (_name, expression) => {
    expect(refusal(expression).message).not.toMatch(/seconds/);
  });

  it.each([
    ['a weekday', '0 0 * * 1,1,1', 'duplicate values found: 1'],
    ['Sunday written once, twice over', '0 0 * * 0,0', 'duplicate values found: 0'],
    ['a minute', '0,0 * * * *', 'duplicate values found: 0'],
    ['a day of the month', '0 0 1,1 * *', 'duplicate values found: 1'],
    ['a weekday inside a range', '0 0 * * 0-3,2', 'duplicate values found: 2'],
  ])('calls a repeat of %s a repeated value, not Sunday twice', (_name, expression, reason) => {
    const { message } = refusal(expression);

    expect(message).toContain(reason);
    expect(message).toContain('(a repeated value: write each value once)');
    expect(message).not.toMatch(/Sunday/);
  });

  it('accepts names, ranges, lists, steps, L, nL and n#k', () => {
    for (const expression of [
      '30 6-16/4 * * 1-5',
      '0 12 * JAN,JUL MON-FRI',
      '0 0 L * *',
      '0 0 * * 5L',
      '0 9 * * 1#2',
      '*/15 0-6,22-23 1,15 * *',
      '0 0 ? * THU',
    ]) {
      expect(checkSchedule({ expression, timezone: 'Europe/Berlin' }).warnings).toEqual(
        expect.any(Array),
      );
    }
  });
});

describe('checkSchedule refuses expressions that can never fire', () => {
  it.each([
    ['0 0 31 4 *', 'never fires: April has no day 31'],
    ['0 0 30 2 *', 'never fires: February has no day 30'],
    ['0 0 30,31 2 *', 'never fires: February has no day 30 or 31'],
    ['0 0 31 2,4,6 *', 'never fires: February, April and June have no day 31'],
    ['0 0 31 APR,JUN,SEP,NOV *', 'never fires: April, June, September and November have no day 31'],
    ['0 0 */30 2 5L', 'never fires: no date matches day-of-month "*/30" and day-of-week "5L"'],
    ['0 0 */30 2 1#5', 'never fires: no date matches day-of-month "*/30" and day-of-week "1#5"'],
  ])('refuses %s', (expression, message) => {
    expect(refusal(expression).message).toContain(message);
  });

  it.each([
    ['a leap day', '0 0 29 2 *', '2028-02-29T00:00:00.000Z'],
    ['31 February OR a Friday (either may match)', '0 0 31 2 5', '2027-02-05T00:00:00.000Z'],
    ['a day that exists in some listed month', '0 0 31 2,3 *', '2027-03-31T00:00:00.000Z'],
    ['the last day of February', '0 0 L 2 *', '2027-02-28T00:00:00.000Z'],
    [
      'a fifth Monday of February (leap years that start on Monday)',
      '0 0 * 2 1#5',
      '2044-02-29T00:00:00.000Z',
    ],
  ])('accepts %s and finds its first slot', (_name, expression, first) => {
    const spec = { expression, timezone: 'UTC' };

    expect(checkSchedule(spec).warnings).toEqual(expect.any(Array));
    expect(iso(nextSlots(spec, new Date('2027-01-01T00:00:00Z'), 1))).toEqual([first]);
  });
});

describe('checkSchedule refuses unknown zones', () => {
  it.each(['Mars/Olympus_Mons', 'America/Springfield', '', 'UTC+2', '+05:30'])(
    'refuses %j',
    (zone) => {
      expect(refusal('0 8 * * *', zone).message).toMatch(/unknown time zone.*IANA name/);
    },
  );

  it.each([
    ['Europe/Berlin', true],
    ['America/Argentina/Buenos_Aires', true],
    ['UTC', true],
    ['Etc/GMT+5', true],
    ['Asia/Kolkata', true],
    ['Europe/Berlinn', false],
    ['+01:00', false],
    ['', false],
  ])('isValidTimeZone(%j) is %s', (zone, valid) => {
    expect(isValidTimeZone(zone)).toBe(valid);
  });
});

describe('checkSchedule warnings', () => {
  it.each([
    [
      '*/2 * * * *',
      /can fire as often as every 2 minutes, but GitHub's scheduled workflows tick at most every 5/,
    ],
    ['* * * * *', /can fire as often as every minute,/],
    ['0,3 * * * *', /can fire as often as every 3 minutes,/],
    ['0,58 0,23 * * *', /can fire as often as every 2 minutes,/],
    // 0, 7, ..., 56 are 7 apart; the gap from :56 to the next hour's :00 is the short one.
    ['*/7 * * * *', /can fire as often as every 4 minutes,/],
    // 23:57 to 00:01 of the next day: the gap across midnight counts when days follow.
    ['1,57 0,23 * * *', /can fire as often as every 4 minutes,/],
  ])('warns that %s fires more often than GitHub ticks', (expression, warning) => {
    const { warnings } = checkSchedule({ expression, timezone: 'UTC' });

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(warning);
    expect(warnings[0]).toMatch(/runs each such slot at the next tick, late, or reports it missed/);
  });

  it.each([
    '*/5 * * * *',
    '0 * * * *',
    '30 6-16/4 * * 1-5',
    '0,58 0,23 * * 1',
    '58 23 * * *',
    '*/7 3 * * *',
  ])('does not warn about %s', (expression) => {
    expect(checkSchedule({ expression, timezone: 'UTC' }).warnings).toEqual([]);
  });

  it('explains the OR rule when both day fields are restricted', () => {
    const { warnings } = checkSchedule({ expression: '0 0 13 * 5', timezone: 'UTC' });

    expect(warnings).toEqual([expect.stringMatching(/fires on days that match either/)]);
  });
});

describe('describeSchedule', () => {
  it.each([
    ['0 8 * * 0', 'At 08:00 AM, only on Sunday'],
    ['*/15 * * * *', 'Every 15 minutes'],
    ['0 9 * * 1#2', 'At 09:00 AM, on the second Monday of the month'],
  ])('describes %s as %j', (expression, description) => {
    expect(describeSchedule(expression)).toBe(description);
  });

  it('refuses to describe an expression the scheduler refuses', () => {
    expect(() => describeSchedule('@daily')).toThrow(ScheduleError);
    expect(() => describeSchedule('0 0 31 4 *')).toThrow(/never fires/);
  });
});
