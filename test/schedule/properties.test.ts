/**
 * Properties over generated expressions, zones and instants. The expressions are built from
 * value sets, so the tests know which wall-clock times must match without asking the code
 * under test; the wall clock itself comes from Intl through ./wall-clock.ts.
 */
import { CronExpressionParser } from 'cron-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  checkSchedule,
  MISSED_LIST_LIMIT,
  nextSlots,
  planSlots,
  ScheduleError,
  slotsAfter,
} from '../../src/schedule/index.js';
import type { ScheduleSpec } from '../../src/schedule/index.js';
import type { WallClock } from './wall-clock.js';
import { offsetMs, transitionsBetween, wallClock, wallClockMs, wallClockOf } from './wall-clock.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Field {
  text: string;
  values: ReadonlySet<number>;
}

/** One cron field over [min, max], written as *, a step, a range, a stepped range or a list. */
function fieldArb(min: number, max: number, maxListLength: number): fc.Arbitrary<Field> {
  const all = (step: number, from = min, to = max) => {
    const values = new Set<number>();
    for (let value = from; value <= to; value += step) values.add(value);
    return values;
  };
  const value = fc.integer({ min, max });
  return fc.oneof(
    fc.constant({ text: '*', values: all(1) }),
    fc.integer({ min: 2, max: Math.max(2, max - min) }).map((step) => ({
      text: `*/${step}`,
      values: all(step),
    })),
    fc.tuple(value, value).map(([a, b]) => {
      const [from, to] = a <= b ? [a, b] : [b, a];
      return { text: `${from}-${to}`, values: all(1, from, to) };
    }),
    fc.tuple(value, value, fc.integer({ min: 2, max: 7 })).map(([a, b, step]) => {
      const [from, to] = a <= b ? [a, b] : [b, a];
      return { text: `${from}-${to}/${step}`, values: all(step, from, to) };
    }),
    fc.uniqueArray(value, { minLength: 1, maxLength: maxListLength }).map((values) => ({
      text: values.join(','),
      values: new Set(values),
    })),
  );
}

interface Pattern {
  expression: string;
  minute: Field;
  hour: Field;
  dayOfMonth: Field;
  month: Field;
  dayOfWeek: Field;
}

const patternArb: fc.Arbitrary<Pattern> = fc
  .record({
    minute: fieldArb(0, 59, 4),
    hour: fieldArb(0, 23, 4),
    dayOfMonth: fieldArb(1, 31, 3),
    month: fieldArb(1, 12, 3),
    dayOfWeek: fieldArb(0, 6, 3),
  })
  .map((fields) => ({
    ...fields,
    expression: [
      fields.minute.text,
      fields.hour.text,
      fields.dayOfMonth.text,
      fields.month.text,
      fields.dayOfWeek.text,
    ].join(' '),
  }));

/** Patterns whose day fields make them fire often enough to be worth enumerating. */
const busyPatternArb = patternArb.filter(
  (pattern) => pattern.month.values.size >= 6 && pattern.dayOfMonth.values.size >= 10,
);

function dayMatches(pattern: Pattern, clock: WallClock): boolean {
  const byDayOfMonth = pattern.dayOfMonth.values.has(clock.day);
  const byWeekday = pattern.dayOfWeek.values.has(clock.weekday);
  // Classic cron: a day field starting with * is a star, and then both must match.
  if (pattern.dayOfMonth.text.startsWith('*') || pattern.dayOfWeek.text.startsWith('*')) {
    return byDayOfMonth && byWeekday;
  }
  return byDayOfMonth || byWeekday;
}

function matches(pattern: Pattern, clock: WallClock): boolean {
  return (
    pattern.minute.values.has(clock.minute) &&
    pattern.hour.values.has(clock.hour) &&
    pattern.month.values.has(clock.month) &&
    dayMatches(pattern, clock)
  );
}

/** Whether `instant` ends a spring-forward gap in which some matching wall-clock time fell. */
function endsGapWithMatch(pattern: Pattern, instant: number, zone: string): boolean {
  const before = offsetMs(instant - MINUTE, zone);
  const after = offsetMs(instant, zone);
  if (after <= before) {
    return false;
  }
  for (let local = instant + before; local < instant + after; local += MINUTE) {
    if (matches(pattern, wallClockOf(local))) {
      return true;
    }
  }
  return false;
}

/** Whether the wall-clock time at `instant` already showed once, shortly before. */
function repeatsEarlierTime(instant: number, zone: string): boolean {
  const local = wallClockMs(instant, zone);
  const earlierOffset = offsetMs(instant - 3 * HOUR, zone);
  const earlier = local - earlierOffset;
  return (
    earlier < instant &&
    offsetMs(earlier, zone) === earlierOffset &&
    wallClockMs(earlier, zone) === local
  );
}

/** The slots in (from, to], worked out minute by minute from the rules in the brief. */
function referenceSlots(pattern: Pattern, zone: string, from: number, to: number): number[] {
  const followsElapsedTime = /[*/]/.test(pattern.hour.text);
  const slots: number[] = [];
  for (let instant = from + MINUTE; instant <= to; instant += MINUTE) {
    const onTime =
      matches(pattern, wallClock(instant, zone)) &&
      (followsElapsedTime || !repeatsEarlierTime(instant, zone));
    if (onTime || endsGapWithMatch(pattern, instant, zone)) {
      slots.push(instant);
    }
  }
  return slots;
}

function firesAtAll(spec: ScheduleSpec): boolean {
  try {
    checkSchedule(spec);
    return true;
  } catch (error: unknown) {
    if (error instanceof ScheduleError && /never fires/.test(error.message)) {
      return false;
    }
    throw error;
  }
}

const ZONES = [
  'UTC',
  'America/Chicago',
  'America/New_York',
  'Europe/Berlin',
  'Europe/London',
  'Australia/Sydney',
  'America/Santiago',
  'Asia/Kolkata',
  'Australia/Adelaide',
  'Australia/Lord_Howe',
  'America/Havana',
  'Asia/Beirut',
];

const instantArb = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) })
  .map((instant) => Math.floor(instant / 1000) * 1000);

describe('slot properties', () => {
  it('slots strictly increase, follow `after` and match the expression on the wall clock', () => {
    fc.assert(
      fc.property(busyPatternArb, fc.constantFrom(...ZONES), instantArb, (pattern, zone, after) => {
        const spec = { expression: pattern.expression, timezone: zone };
        fc.pre(firesAtAll(spec));

        const slots = nextSlots(spec, new Date(after), 40).map((slot) => slot.getTime());

        expect(slots.length).toBeGreaterThan(0);
        expect(slots[0]).toBeGreaterThan(after);
        slots.forEach((slot, index) => {
          if (index > 0) expect(slot).toBeGreaterThan(slots[index - 1] ?? slot);
          const onTheClock = matches(pattern, wallClock(slot, zone));
          expect(onTheClock || endsGapWithMatch(pattern, slot, zone)).toBe(true);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('in UTC, slots equal cron-parser when no day field is a star with a step', () => {
    const comparable = busyPatternArb.filter(
      (pattern) => !/^\*./.test(pattern.dayOfMonth.text) && !/^\*./.test(pattern.dayOfWeek.text),
    );
    fc.assert(
      fc.property(comparable, instantArb, (pattern, after) => {
        const spec = { expression: pattern.expression, timezone: 'UTC' };
        fc.pre(firesAtAll(spec));
        const parsed = CronExpressionParser.parse(pattern.expression, {
          currentDate: new Date(after),
          tz: 'UTC',
        });

        const expected = parsed.take(25).map((date) => date.toDate().toISOString());
        const found = nextSlots(spec, new Date(after), 25).map((slot) => slot.toISOString());

        expect(found).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  describe('around DST transitions', () => {
    const transitions = ZONES.filter((zone) => zone !== 'UTC' && zone !== 'Asia/Kolkata').flatMap(
      (zone) =>
        transitionsBetween(zone, Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1)).map((instant) => ({
          zone,
          instant,
        })),
    );
    const daily = patternArb.map((pattern) => ({
      ...pattern,
      expression: `${pattern.minute.text} ${pattern.hour.text} * * *`,
      dayOfMonth: { text: '*', values: new Set(Array.from({ length: 31 }, (_, i) => i + 1)) },
      month: { text: '*', values: new Set(Array.from({ length: 12 }, (_, i) => i + 1)) },
      dayOfWeek: { text: '*', values: new Set([0, 1, 2, 3, 4, 5, 6]) },
    }));

    it('slots equal a minute-by-minute reference of the rules', () => {
      fc.assert(
        fc.property(
          daily,
          fc.constantFrom(...transitions),
          fc.integer({ min: -6 * 60, max: 6 * 60 }),
          (pattern, transition, shiftMinutes) => {
            const { zone } = transition;
            const from = transition.instant + shiftMinutes * MINUTE - 8 * HOUR;
            const to = from + 16 * HOUR;

            const found = slotsAfter(
              { expression: pattern.expression, timezone: zone },
              new Date(from),
              {
                until: new Date(to),
                limit: 2000,
              },
            ).map((slot) => slot.getTime());

            expect(found).toEqual(referenceSlots(pattern, zone, from, to));
          },
        ),
        { numRuns: 60 },
      );
    });
  });
});

describe('plan properties', () => {
  const planArb = fc.record({
    pattern: busyPatternArb,
    zone: fc.constantFrom(...ZONES),
    cursor: instantArb,
    gap: fc.integer({ min: 0, max: 3 * 24 * 60 }),
    catchUp: fc.constantFrom('latest' as const, 'all' as const, 'none' as const),
    maxCatchUp: fc.integer({ min: 1, max: 20 }),
    startingDeadlineMinutes: fc.option(fc.integer({ min: 0, max: 24 * 60 }), { nil: undefined }),
  });

  it('due and missed together are every slot in (cursor, now], and replanning runs nothing', () => {
    fc.assert(
      fc.property(planArb, (input) => {
        const spec = { expression: input.pattern.expression, timezone: input.zone };
        fc.pre(firesAtAll(spec));
        const cursor = new Date(input.cursor);
        const now = new Date(input.cursor + input.gap * MINUTE);
        const startingDeadlineMs =
          input.startingDeadlineMinutes === undefined
            ? undefined
            : input.startingDeadlineMinutes * MINUTE;
        const base = { spec, catchUp: input.catchUp, maxCatchUp: input.maxCatchUp };

        const result = planSlots({ ...base, startingDeadlineMs, cursor, now });
        const all = slotsAfter(spec, cursor, { until: now, limit: 100_000 });

        expect(result.missedCount + result.due.length).toBe(all.length);
        expect(result.missedCountIsLowerBound).toBe(false);
        expect(result.due.length).toBeLessThanOrEqual(
          input.catchUp === 'all' ? input.maxCatchUp : 1,
        );
        if (result.missedCount <= MISSED_LIST_LIMIT) {
          const union = [...result.missed, ...result.due].map((slot) => slot.getTime());
          expect(union).toEqual(all.map((slot) => slot.getTime()));
        } else {
          expect(result.missed).toEqual(
            all.slice(0, all.length - result.due.length).slice(-MISSED_LIST_LIMIT),
          );
        }
        expect(result.cursor).toEqual(now);
        expect(result.next).toEqual(nextSlots(spec, now, 1)[0] ?? null);

        const again = planSlots({ ...base, startingDeadlineMs, cursor: result.cursor, now });
        expect(again.due).toEqual([]);
        expect(again.missedCount).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('agrees with a full enumeration for backlogs of up to two years', () => {
    const longArb = fc.record({
      pattern: busyPatternArb,
      zone: fc.constantFrom(...ZONES),
      now: instantArb,
      backlogDays: fc.integer({ min: 1, max: 730 }),
      catchUp: fc.constantFrom('latest' as const, 'all' as const),
      maxCatchUp: fc.integer({ min: 1, max: 1000 }),
    });
    fc.assert(
      fc.property(longArb, (input) => {
        const spec = { expression: input.pattern.expression, timezone: input.zone };
        fc.pre(firesAtAll(spec));
        const now = new Date(input.now);
        const cursor = new Date(input.now - input.backlogDays * 24 * HOUR);
        const all = slotsAfter(spec, cursor, { until: now, limit: 100_000 });
        fc.pre(all.length < 100_000);
        const runs = Math.min(input.catchUp === 'all' ? input.maxCatchUp : 1, all.length);

        const result = planSlots({ spec, ...input, cursor, now });

        expect(result.due).toEqual(all.slice(all.length - runs));
        expect(result.missed).toEqual(all.slice(0, all.length - runs).slice(-MISSED_LIST_LIMIT));
        if (result.missedCountIsLowerBound) {
          expect(result.missedCount).toBeLessThanOrEqual(all.length - runs);
          expect(result.missedCount).toBeGreaterThanOrEqual(result.missed.length);
        } else {
          expect(result.missedCount).toBe(all.length - runs);
        }
      }),
      { numRuns: 60 },
    );
  });
});
