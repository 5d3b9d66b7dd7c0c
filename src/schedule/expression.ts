/**
 * Five-field cron expressions: parsing (by cron-parser), the checks GitHub's cron implies,
 * and the calendar questions the slot enumeration asks (which days of a month match).
 */
import { CronExpressionParser } from 'cron-parser';
import { ScheduleError } from './errors.js';

/**
 * How a schedule treats the hour a fall-back transition repeats. `wall-clock`: the hour
 * field names fixed hours (`30 1 * * *`, `0 9,17 * * *`, `0 8-18 * * *`), so each slot is a
 * time of day that must fire once, at its first occurrence. `elapsed`: the hour field is `*`
 * or a step (`*\/15 * * * *`, `0 *\/2 * * *`), an interval that follows real time, so both
 * copies of the repeated hour fire.
 */
export type HourMode = 'wall-clock' | 'elapsed';

/** A parsed five-field expression, reduced to the sets the enumeration needs. */
export interface CronPattern {
  expression: string;
  /** Ascending, 0-59. */
  minutes: readonly number[];
  /** Ascending, 0-23. */
  hours: readonly number[];
  /** Index 1-12: whether the month is allowed. */
  months: readonly boolean[];
  /** Index 1-31. */
  daysOfMonth: readonly boolean[];
  /** `L` in the day-of-month field: the last day of the month. */
  lastDayOfMonth: boolean;
  /** Index 0-6, Sunday first. */
  weekdays: readonly boolean[];
  /** `5L` and the like: the last such weekday of the month. Index 0-6. */
  lastWeekdays: readonly boolean[];
  /** `n#k`: only the k-th occurrence in the month (1-5); 0 for no such restriction. */
  weekdayOccurrence: number;
  /** See `dayMatches` for why these decide between AND and OR. */
  dayOfMonthIsStar: boolean;
  dayOfWeekIsStar: boolean;
  hourMode: HourMode;
  /** The raw fields, for messages. */
  fields: { minute: string; hour: string; dayOfMonth: string; month: string; dayOfWeek: string };
}

export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** February counts 29: a day that exists in leap years can fire. */
const MAX_DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

const MACRO_EQUIVALENTS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Parse and check a five-field expression. Throws ScheduleError saying what is wrong. */
export function parseCronPattern(expression: string): CronPattern {
  const fields = splitFields(expression);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [
    string,
    string,
    string,
    string,
    string,
  ];
  const source = fields.join(' ');
  // cron-parser refuses some never-firing combinations of day and month itself, with a terse
  // message; parsing the month apart leaves that check to this module, which says why.
  const parsed = parseWithCronParser(source, `${minute} ${hour} ${dayOfMonth} * ${dayOfWeek}`);
  const parsedMonths = parseWithCronParser(source, `0 0 * ${month} *`);

  const weekdays = new Array<boolean>(7).fill(false);
  const lastWeekdays = new Array<boolean>(7).fill(false);
  for (const value of parsed.fields.dayOfWeek.values) {
    if (typeof value === 'number') {
      weekdays[value % 7] = true;
    } else {
      lastWeekdays[Number.parseInt(value, 10) % 7] = true;
    }
  }
  const daysOfMonth = new Array<boolean>(32).fill(false);
  let lastDayOfMonth = false;
  for (const value of parsed.fields.dayOfMonth.values) {
    if (typeof value === 'number') {
      daysOfMonth[value] = true;
    } else {
      lastDayOfMonth = true;
    }
  }
  const months = new Array<boolean>(13).fill(false);
  for (const value of parsedMonths.fields.month.values) {
    months[value] = true;
  }

  const pattern: CronPattern = {
    expression: source,
    minutes: [...parsed.fields.minute.values].sort((a, b) => a - b),
    hours: [...parsed.fields.hour.values].sort((a, b) => a - b),
    months,
    daysOfMonth,
    lastDayOfMonth,
    weekdays,
    lastWeekdays,
    weekdayOccurrence: parsed.fields.dayOfWeek.nthDay,
    dayOfMonthIsStar: isStar(dayOfMonth),
    dayOfWeekIsStar: isStar(dayOfWeek) && !dayOfWeek.includes('#'),
    hourMode: /[*?/]/.test(hour) ? 'elapsed' : 'wall-clock',
    fields: { minute, hour, dayOfMonth, month, dayOfWeek },
  };
  assertCanFire(pattern);
  return pattern;
}

function splitFields(expression: string): string[] {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new ScheduleError('the cron expression is empty: write five fields, e.g. "0 6 * * 1"');
  }
  const trimmed = expression.trim();
  if (trimmed.startsWith('@')) {
    const equivalent = MACRO_EQUIVALENTS[trimmed.toLowerCase()];
    const instead = equivalent === undefined ? '' : `; write "${equivalent}" instead`;
    throw new ScheduleError(
      `"${trimmed}": macros are not supported, because GitHub's cron has five fields` +
        ` (minute hour day-of-month month day-of-week)${instead}` +
        (equivalent === undefined ? '; e.g. write "0 0 * * *" instead of @daily' : ''),
    );
  }
  const fields = trimmed.split(/\s+/);
  assertNoSpaceInsideAField(trimmed, fields);
  if (fields.length === 6 && looksLikeYear(fields[5] ?? '')) {
    throw new ScheduleError(
      `"${trimmed}" has six fields, and the sixth, "${fields[5]}", looks like a year, which` +
        " cron does not have: GitHub's cron has five fields (minute hour day-of-month month" +
        ` day-of-week); write "${fields.slice(0, 5).join(' ')}" and let the patrol's run` +
        ' check the year if it must',
    );
  }
  if (fields.length === 6) {
    throw new ScheduleError(
      `"${trimmed}" has six fields: seconds are not supported, because GitHub's cron has five` +
        ' (minute hour day-of-month month day-of-week) and cannot run more often than every' +
        ' 5 minutes',
    );
  }
  if (fields.length !== 5) {
    throw new ScheduleError(
      `"${trimmed}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; a cron` +
        ' expression has five: minute hour day-of-month month day-of-week (e.g. "0 6 * * 1")',
    );
  }
  // cron-parser reads H as a hashed (pseudo-random) value; THU is the only name with an H.
  if (fields.some((field) => /h/i.test(field.replace(/thu/gi, '')))) {
    throw new ScheduleError(
      `"${trimmed}": H (hashed values) is not supported by GitHub's cron; write the minute or` +
        ' hour you want',
    );
  }
  return fields;
}

/**
 * A list, range or step cut by a space ("0, 5", "1 -5") splits into more fields than it
 * has, and the count alone would blame seconds or a year. A field that ends in, or (after
 * the first) starts with, a separator is such a cut.
 */
function assertNoSpaceInsideAField(expression: string, fields: string[]): void {
  const cut = fields.some(
    (field, index) => /[,/-]$/.test(field) || (index > 0 && /^[,/-]/.test(field)),
  );
  if (!cut) return;
  const joined = expression.replace(/\s*([,/-])\s*/g, '$1');
  throw new ScheduleError(
    `"${expression}" has a space inside a list, range or step, which splits it into two` +
      ` fields: write it without spaces, as in "${joined}"`,
  );
}

/** A four-digit year, or a list or range of them: "2030", "2030-2032", "2030,2031". */
function looksLikeYear(field: string): boolean {
  return /^(19|20)\d\d(?:[-,](19|20)\d\d)*$/.test(field);
}

type ParsedFields = ReturnType<typeof CronExpressionParser.parse>;

function parseWithCronParser(source: string, expression: string): ParsedFields {
  try {
    // Fixed date and zone: the parse must not depend on the machine's clock or zone.
    return CronExpressionParser.parse(expression, { currentDate: 0, tz: 'UTC', strict: false });
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint = duplicateHint(reason, expression.split(' ')[4] ?? '');
    throw new ScheduleError(`"${source}" is not a valid cron expression: ${reason}${hint}`);
  }
}

/** Why cron-parser found a value twice: Sunday written as both 0 and 7, or a plain repeat. */
function duplicateHint(reason: string, dayOfWeek: string): string {
  if (!/duplicate/i.test(reason)) return '';
  const sundayTwice =
    /dayofweek/i.test(reason) &&
    /:\s*0\s*$/.test(reason) &&
    /(?:^|[,-])7(?:$|[,/-])/.test(dayOfWeek) &&
    /(?:^|[,-])(?:0|sun)(?:$|[,/-])/i.test(dayOfWeek);
  return sundayTwice
    ? ' (0 and 7 both mean Sunday: write one of them)'
    : ' (a repeated value: write each value once)';
}

/**
 * Classic (Vixie) cron decides between AND and OR by the fields' first character: when either
 * day field starts with `*`, a day must match both (a star matches every day); when neither
 * does, matching either is enough. So `0 0 13 * 5` fires on every 13th and every Friday,
 * while `0 0 *\/2 * 1` fires on Mondays that fall on odd days. cron-parser only treats a bare
 * `*` as a star and ORs `*\/2` with the weekday; this module follows classic cron.
 */
function isStar(field: string): boolean {
  return field.startsWith('*') || field.startsWith('?');
}

/** Days in `month` (1-12) of `year`, Gregorian. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return MAX_DAYS_IN_MONTH[month - 1] ?? 31;
}

/** Day of the week (0 = Sunday) of the first of `month` (1-12) in `year`. */
export function weekdayOfFirst(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, 1);
  return date.getUTCDay();
}

/**
 * Whether day `day` of a month with `monthLength` days, whose first day is weekday
 * `firstWeekday`, matches the day-of-month and day-of-week fields.
 */
export function dayMatches(
  pattern: CronPattern,
  day: number,
  monthLength: number,
  firstWeekday: number,
): boolean {
  const weekday = (firstWeekday + day - 1) % 7;
  const byDayOfMonth =
    pattern.daysOfMonth[day] === true || (pattern.lastDayOfMonth && day === monthLength);
  const byWeekday =
    (pattern.weekdays[weekday] === true &&
      (pattern.weekdayOccurrence === 0 || Math.ceil(day / 7) === pattern.weekdayOccurrence)) ||
    (pattern.lastWeekdays[weekday] === true && day + 7 > monthLength);

  if (pattern.dayOfMonthIsStar || pattern.dayOfWeekIsStar) {
    return byDayOfMonth && byWeekday;
  }
  return byDayOfMonth || byWeekday;
}

/** The days of `month` in `year` that match, ascending. */
export function matchingDays(pattern: CronPattern, year: number, month: number): number[] {
  if (pattern.months[month] !== true) {
    return [];
  }
  const length = daysInMonth(year, month);
  const firstWeekday = weekdayOfFirst(year, month);
  const days: number[] = [];
  for (let day = 1; day <= length; day += 1) {
    if (dayMatches(pattern, day, length, firstWeekday)) {
      days.push(day);
    }
  }
  return days;
}

/**
 * The Gregorian calendar repeats every 400 years (146,097 days, a whole number of weeks), so
 * a day rule that matches no day in one full cycle matches no day ever.
 */
export const CALENDAR_CYCLE_YEARS = 400;
const CYCLE_START_YEAR = 2000;

function assertCanFire(pattern: CronPattern): void {
  const dayOfMonthOnly = pattern.fields.dayOfWeek === '*' || pattern.fields.dayOfWeek === '?';
  if (dayOfMonthOnly && !pattern.lastDayOfMonth) {
    assertSomeMonthHasTheDays(pattern);
  }
  if (!anyDayInCycle(pattern)) {
    throw new ScheduleError(
      `"${pattern.expression}" never fires: no date matches day-of-month` +
        ` "${pattern.fields.dayOfMonth}" and day-of-week "${pattern.fields.dayOfWeek}" in` +
        ` month "${pattern.fields.month}"`,
    );
  }
}

/** The clear message for the common case: 31 April, 30 February. */
function assertSomeMonthHasTheDays(pattern: CronPattern): void {
  const days = pattern.daysOfMonth.flatMap((allowed, day) => (allowed ? [day] : []));
  const smallest = days[0];
  if (smallest === undefined) {
    return;
  }
  const months = pattern.months.flatMap((allowed, month) => (allowed ? [month] : []));
  if (months.some((month) => (MAX_DAYS_IN_MONTH[month - 1] ?? 31) >= smallest)) {
    return;
  }
  const names = months.map((month) => MONTH_NAMES[month - 1] ?? String(month));
  const verb = names.length === 1 ? 'has' : 'have';
  throw new ScheduleError(
    `"${pattern.expression}" never fires: ${joinWords(names)} ${verb} no day` +
      ` ${joinWords(days.map(String), 'or')}`,
  );
}

function anyDayInCycle(pattern: CronPattern): boolean {
  for (let year = CYCLE_START_YEAR; year < CYCLE_START_YEAR + CALENDAR_CYCLE_YEARS; year += 1) {
    for (let month = 1; month <= 12; month += 1) {
      if (pattern.months[month] === true && firstMatchingDay(pattern, year, month) !== 0) {
        return true;
      }
    }
  }
  return false;
}

function firstMatchingDay(pattern: CronPattern, year: number, month: number): number {
  const length = daysInMonth(year, month);
  const firstWeekday = weekdayOfFirst(year, month);
  for (let day = 1; day <= length; day += 1) {
    if (dayMatches(pattern, day, length, firstWeekday)) {
      return day;
    }
  }
  return 0;
}

/**
 * Whether two consecutive calendar days can both match, scanning one calendar cycle. Only
 * asked when a schedule's last slot of a day is close to its first slot of the next day.
 */
export function canMatchConsecutiveDays(pattern: CronPattern): boolean {
  let previousMatched = false;
  for (let year = CYCLE_START_YEAR; year <= CYCLE_START_YEAR + CALENDAR_CYCLE_YEARS; year += 1) {
    for (let month = 1; month <= 12; month += 1) {
      if (pattern.months[month] !== true) {
        previousMatched = false;
        continue;
      }
      const length = daysInMonth(year, month);
      const firstWeekday = weekdayOfFirst(year, month);
      for (let day = 1; day <= length; day += 1) {
        const matched = dayMatches(pattern, day, length, firstWeekday);
        if (matched && previousMatched) {
          return true;
        }
        previousMatched = matched;
      }
    }
  }
  return false;
}

function joinWords(words: string[], last = 'and'): string {
  if (words.length <= 1) {
    return words.join('');
  }
  return `${words.slice(0, -1).join(', ')} ${last} ${words[words.length - 1]}`;
}
