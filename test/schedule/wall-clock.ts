/**
 * A reference for the schedule tests, written apart from src/schedule: local wall-clock fields
 * straight from Intl, minute by minute, with no caching and no transition search.
 */

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday. */
  weekday: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formats.set(zone, format);
  }
  return format;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The wall clock in `zone` at `instant`. */
export function wallClock(instant: number, zone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatFor(zone).formatToParts(instant)) {
    parts[part.type] = part.value;
  }
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
  };
}

/** The wall clock as milliseconds of a UTC-based calendar, to compare and subtract. */
export function wallClockMs(instant: number, zone: string): number {
  const clock = wallClock(instant, zone);
  return Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute);
}

/** The zone's offset from UTC at `instant` (whole minutes), in milliseconds. */
export function offsetMs(instant: number, zone: string): number {
  const minute = Math.floor(instant / 60_000) * 60_000;
  return wallClockMs(minute, zone) - minute;
}

/** The wall clock that a UTC-based-calendar millisecond value stands for. */
export function wallClockOf(local: number): WallClock {
  const date = new Date(local);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    weekday: date.getUTCDay(),
  };
}

/** Instants at which the zone's offset changes within [from, to), found minute by minute. */
export function transitionsBetween(zone: string, from: number, to: number): number[] {
  const found: number[] = [];
  let previous = offsetMs(from, zone);
  for (let hour = from + 3_600_000; hour <= to; hour += 3_600_000) {
    const offset = offsetMs(hour, zone);
    if (offset !== previous) {
      let minute = hour - 3_600_000;
      while (offsetMs(minute, zone) === previous) {
        minute += 60_000;
      }
      found.push(minute);
      previous = offset;
    }
  }
  return found;
}

export function iso(dates: Date[]): string[] {
  return dates.map((date) => date.toISOString());
}
