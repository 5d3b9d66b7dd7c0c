/**
 * Slot enumeration: the instants at which a schedule fires, in ascending order.
 *
 * cron-parser parses the expression, but its own iteration is not used, because around DST
 * transitions it departs from the rules below (seen with cron-parser 5.10 in 2026):
 * `0 2 * * *` in Australia/Lord_Howe skips 4 October; `0,30 2 * * *` in America/New_York
 * fires at 03:00 and 03:30 on 8 March; `30 0 * * *` in America/Havana fires in the second
 * copy of the repeated hour on 1 November; started inside a repeated hour, `30 1 * * *`
 * fires that hour's second copy; `*\/15 * * * *` in Lord Howe skips the second copy of the
 * repeated half hour. Instead this module walks the local wall-clock times that match the
 * fields, in calendar order, and maps each to instants with the zone's real offsets
 * (zone.ts):
 *
 * - a time in a spring-forward gap fires at the first valid local time after the gap (02:30
 *   becomes 03:00, as GitHub documents for `on.schedule`); several such times, and a slot at
 *   that very time, fire once;
 * - a time in a fall-back overlap fires at its first occurrence only, unless the hour field is
 *   `*` or a step, in which case both occurrences fire (see HourMode in expression.ts).
 */
import { parseCronPattern, matchingDays } from './expression.js';
import type { CronPattern } from './expression.js';
import { ScheduleError } from './errors.js';
import { DAY_MS, isValidTimeZone, zoneClock } from './zone.js';
import type { ZoneClock } from './zone.js';

export interface ScheduleSpec {
  expression: string;
  timezone: string;
}

/** A spec parsed and checked once, with its zone's clock. */
export interface CompiledSchedule {
  pattern: CronPattern;
  clock: ZoneClock;
  /** Milliseconds after local midnight of each allowed time of day, ascending. */
  times: readonly number[];
}

/**
 * The walk through local times gives up after this many months in a row without a matching
 * day. Every accepted expression matches some day in each 400-year calendar cycle
 * (expression.ts refuses the others), so a valid schedule never reaches this bound; it only
 * guards the loop.
 */
export const SEARCH_LIMIT_MONTHS = 401 * 12;

/** JavaScript dates end in September 275760; the walk stops well before. */
const LAST_SEARCHED_YEAR = 275_000;

/** Largest `limit` accepted by `slotsAfter` and `nextSlots`. */
export const SLOT_LIST_LIMIT = 100_000;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

const COMPILED_CACHE_LIMIT = 1_024;
const compiled = new Map<string, CompiledSchedule>();

/** Parse and check a spec (memoised). Throws ScheduleError. */
export function compileSchedule(spec: ScheduleSpec): CompiledSchedule {
  const key = `${spec.timezone}\u0000${spec.expression}`;
  const cached = compiled.get(key);
  if (cached !== undefined) {
    return cached;
  }
  if (!isValidTimeZone(spec.timezone)) {
    throw new ScheduleError(
      `unknown time zone "${String(spec.timezone)}": use an IANA name such as "UTC",` +
        ' "Europe/Berlin" or "America/New_York"',
    );
  }
  const pattern = parseCronPattern(spec.expression);
  const schedule = { pattern, clock: zoneClock(spec.timezone), times: timesOfDay(pattern) };
  if (compiled.size >= COMPILED_CACHE_LIMIT) {
    compiled.clear();
  }
  compiled.set(key, schedule);
  return schedule;
}

/** A local day that matches the day fields: its midnight on the UTC-based calendar. */
interface MatchingDay {
  /** Days since 1970-01-01. */
  index: number;
  midnight: number;
}

/** Local days that match the fields, from the one holding `fromLocal` on, ascending. */
function* matchingLocalDays(pattern: CronPattern, fromLocal: number): Generator<MatchingDay> {
  const start = new Date(Math.floor(fromLocal / DAY_MS) * DAY_MS);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  let fromDay = start.getUTCDate();

  let monthsWithoutMatch = 0;
  while (monthsWithoutMatch < SEARCH_LIMIT_MONTHS && year <= LAST_SEARCHED_YEAR) {
    const firstOfMonth = calendarMidnight(year, month, 1);
    let matched = false;
    for (const day of matchingDays(pattern, year, month)) {
      if (day >= fromDay) {
        matched = true;
        const midnight = firstOfMonth + (day - 1) * DAY_MS;
        yield { index: Math.round(midnight / DAY_MS), midnight };
      }
    }
    monthsWithoutMatch = matched ? 0 : monthsWithoutMatch + 1;
    fromDay = 1;
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
}

function calendarMidnight(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

/** Milliseconds after midnight of each time of day the hour and minute fields allow. */
function timesOfDay(pattern: CronPattern): number[] {
  return pattern.hours.flatMap((hour) =>
    pattern.minutes.map((minute) => hour * HOUR_MS + minute * MINUTE_MS),
  );
}

/**
 * The slots of a schedule strictly after `after`, ascending, without end (until the search
 * limit). Consumers stop pulling when they have enough.
 */
export function* slotInstants(schedule: CompiledSchedule, after: number): Generator<number> {
  const { pattern, clock, times } = schedule;
  // Start early enough to see the second copy of a repeated hour that `after` is in.
  const fromLocal = after + clock.smallestOffsetNear(after);
  const keepsBothCopies = pattern.hourMode === 'elapsed';
  // Second copies of repeated times come after every first copy of the overlap: hold them
  // until the walk passes them.
  const secondCopies: number[] = [];
  let last = after;

  for (const day of matchingLocalDays(pattern, fromLocal)) {
    const offset = clock.steadyOffsetOn(day.index);
    if (offset !== undefined && secondCopies.length === 0) {
      // The common case: no transition near this day, one instant per time.
      const base = day.midnight - offset;
      for (const time of times) {
        const instant = base + time;
        if (instant > last) {
          last = instant;
          yield instant;
        }
      }
      continue;
    }

    for (const time of times) {
      const resolution = clock.resolve(day.midnight + time);
      let instant: number;
      if (resolution.kind === 'unique') {
        instant = resolution.instant;
      } else if (resolution.kind === 'skipped') {
        instant = resolution.transition;
      } else {
        instant = resolution.first;
        if (keepsBothCopies) {
          insertSorted(secondCopies, resolution.second);
        }
      }

      while (secondCopies.length > 0 && (secondCopies[0] ?? instant) < instant) {
        const held = secondCopies.shift() ?? instant;
        if (held > last) {
          last = held;
          yield held;
        }
      }
      // Equal instants come from gap times moved to the end of the gap: they fire once.
      if (instant > last) {
        last = instant;
        yield instant;
      }
    }
  }
  for (const held of secondCopies) {
    if (held > last) {
      last = held;
      yield held;
    }
  }
}

function insertSorted(values: number[], value: number): void {
  let index = values.length;
  while (index > 0 && (values[index - 1] ?? 0) > value) {
    index -= 1;
  }
  values.splice(index, 0, value);
}

/** Slots strictly after `after` and at or before `until` (if given), at most `limit`, ascending. */
export function slotsAfter(
  spec: ScheduleSpec,
  after: Date,
  options: { until?: Date; limit: number },
): Date[] {
  const schedule = compileSchedule(spec);
  const from = instantOf(after, 'after');
  const until =
    options.until === undefined ? Number.POSITIVE_INFINITY : instantOf(options.until, 'until');
  assertLimit(options.limit);

  const slots: Date[] = [];
  if (options.limit === 0 || until <= from) {
    return slots;
  }
  for (const slot of slotInstants(schedule, from)) {
    if (slot > until) {
      break;
    }
    slots.push(new Date(slot));
    if (slots.length >= options.limit) {
      break;
    }
  }
  return slots;
}

/** The next `count` slots strictly after `after`. */
export function nextSlots(spec: ScheduleSpec, after: Date, count: number): Date[] {
  return slotsAfter(spec, after, { limit: count });
}

export function instantOf(date: Date, name: string): number {
  const instant = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(instant)) {
    throw new RangeError(`${name} must be a valid Date`);
  }
  return instant;
}

function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 0 || limit > SLOT_LIST_LIMIT) {
    throw new RangeError(`limit must be an integer from 0 to ${SLOT_LIST_LIMIT}, got ${limit}`);
  }
}
