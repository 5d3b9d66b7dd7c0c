/**
 * Time-zone arithmetic for slots: which instant (or instants) a local wall-clock time names.
 *
 * cron-parser does its own DST handling and gets it wrong in several zones (see slots.ts), so
 * this module asks Intl for the zone's UTC offset at chosen instants and works out the
 * transitions itself. Intl calls cost a few microseconds each, so offsets are sampled on a
 * fixed grid and cached, and each local day's transitions are worked out once.
 */

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/**
 * For each local day, the offsets at the two ends of the instants that can carry it (about
 * 60 hours apart) are compared first: equal, the day is taken to have no transition. Only
 * otherwise are offsets sampled every 12 hours and each change pinned to the second. So a zone
 * that changed its offset and changed it back within about 60 hours, or changed it twice
 * within 12 hours, would be misread; the tz database has no such pair in the years schedules
 * deal with. A new local day costs one or two Intl calls.
 */
const SAMPLE_STEP_MS = 12 * HOUR_MS;

/**
 * Real offsets lie within -12:00 and +14:00 (a few historical ones reach about 15:56), so the
 * instants that can carry a given local day lie within this margin of that day.
 */
const OFFSET_MARGIN_MS = 16 * HOUR_MS;

/** Bounds on the caches, so that a long-running process cannot grow them without end. */
const SAMPLE_CACHE_LIMIT = 50_000;
const DAY_CACHE_LIMIT = 4_096;
const ZONE_CACHE_LIMIT = 512;

/** From `from` on (until the next span starts), local time = instant + offset. */
interface OffsetSpan {
  from: number;
  offset: number;
}

/** What a local wall-clock time names in a zone. */
export type LocalTimeResolution =
  | { kind: 'unique'; instant: number }
  /** In a fall-back overlap: the same wall-clock time twice; `first` < `second`. */
  | { kind: 'repeated'; first: number; second: number }
  /** In a spring-forward gap: the time never shows on the clock; `transition` ends the gap. */
  | { kind: 'skipped'; transition: number };

const OFFSET_FORMAT_OPTIONS: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
};

/** Offsets such as "+05:30" are accepted by newer Intl builds, but they are not IANA names. */
const OFFSET_LIKE = /^[+-]\d/;

/** True when `zone` is an IANA time-zone name this Node's Intl knows (e.g. "Europe/Berlin"). */
export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.trim() === '' || OFFSET_LIKE.test(zone)) {
    return false;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** One zone's offsets and transitions, memoised. Obtain through `zoneClock`. */
export class ZoneClock {
  readonly zone: string;
  readonly #format: Intl.DateTimeFormat;
  readonly #samples = new Map<number, number>();
  readonly #days = new Map<number, OffsetSpan[]>();

  constructor(zone: string) {
    this.zone = zone;
    this.#format = new Intl.DateTimeFormat('en-US', { ...OFFSET_FORMAT_OPTIONS, timeZone: zone });
  }

  /** The zone's offset at `instant`, in milliseconds (local = instant + offset). */
  offsetAt(instant: number): number {
    const whole = Math.floor(instant / SECOND_MS) * SECOND_MS;
    const fields: Record<string, number> = {};
    for (const part of this.#format.formatToParts(whole)) {
      if (part.type !== 'literal') {
        fields[part.type] = Number(part.value);
      }
    }
    // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
    const local = new Date(0);
    local.setUTCFullYear(fields.year ?? 1970, (fields.month ?? 1) - 1, fields.day ?? 1);
    local.setUTCHours(fields.hour ?? 0, fields.minute ?? 0, fields.second ?? 0, 0);
    return local.getTime() - whole;
  }

  /**
   * The smallest offset in force within a day of `instant`. Starting a search for local times
   * from `instant + smallestOffsetNear(instant)` finds the second copy of a repeated hour that
   * `instant` is in, or just before.
   */
  smallestOffsetNear(instant: number): number {
    return Math.min(
      this.offsetAt(instant - DAY_MS),
      this.offsetAt(instant),
      this.offsetAt(instant + DAY_MS),
    );
  }

  /** The offset of local day `day` (days since 1970-01-01) if it has no transition. */
  steadyOffsetOn(day: number): number | undefined {
    const spans = this.#daySpans(day);
    return spans.length === 1 ? spans[0]?.offset : undefined;
  }

  /** Which instant(s) carry the local wall-clock time `local` (UTC-based calendar ms). */
  resolve(local: number): LocalTimeResolution {
    const spans = this.#daySpans(Math.floor(local / DAY_MS));
    const first = spans[0];
    if (spans.length === 1 && first !== undefined) {
      return { kind: 'unique', instant: local - first.offset };
    }

    const matches: number[] = [];
    spans.forEach((span, index) => {
      const instant = local - span.offset;
      const end = spans[index + 1]?.from ?? Number.POSITIVE_INFINITY;
      if (instant >= span.from && instant < end) {
        matches.push(instant);
      }
    });
    matches.sort((a, b) => a - b);

    const [earlier, later] = matches;
    if (earlier === undefined) {
      return { kind: 'skipped', transition: gapEnd(spans, local) };
    }
    if (later === undefined) {
      return { kind: 'unique', instant: earlier };
    }
    return { kind: 'repeated', first: earlier, second: later };
  }

  /**
   * The offsets in force across the instants that can carry local day `day` (days since
   * 1970-01-01 on the UTC-based calendar), with each transition found to the second.
   */
  #daySpans(day: number): OffsetSpan[] {
    const cached = this.#days.get(day);
    if (cached !== undefined) {
      return cached;
    }

    const start = day * DAY_MS - OFFSET_MARGIN_MS;
    const end = (day + 1) * DAY_MS + OFFSET_MARGIN_MS;
    const firstPoint = Math.floor(start / SAMPLE_STEP_MS) * SAMPLE_STEP_MS;
    const lastPoint = Math.ceil(end / SAMPLE_STEP_MS) * SAMPLE_STEP_MS;
    const spans =
      this.#sample(firstPoint) === this.#sample(lastPoint)
        ? [{ from: Number.NEGATIVE_INFINITY, offset: this.#sample(firstPoint) }]
        : this.#spansBetween(firstPoint, lastPoint);

    if (this.#days.size >= DAY_CACHE_LIMIT) {
      this.#days.clear();
    }
    this.#days.set(day, spans);
    return spans;
  }

  /** Sample every grid point in [firstPoint, lastPoint] and pin each change to the second. */
  #spansBetween(firstPoint: number, lastPoint: number): OffsetSpan[] {
    let offset = this.#sample(firstPoint);
    const spans: OffsetSpan[] = [{ from: Number.NEGATIVE_INFINITY, offset }];
    for (let point = firstPoint; point < lastPoint; point += SAMPLE_STEP_MS) {
      const nextOffset = this.#sample(point + SAMPLE_STEP_MS);
      if (nextOffset !== offset) {
        const from = this.#transitionBetween(point, point + SAMPLE_STEP_MS, nextOffset);
        spans.push({ from, offset: nextOffset });
        offset = nextOffset;
      }
    }
    return spans;
  }

  #sample(gridPoint: number): number {
    const cached = this.#samples.get(gridPoint);
    if (cached !== undefined) {
      return cached;
    }
    const offset = this.offsetAt(gridPoint);
    if (this.#samples.size >= SAMPLE_CACHE_LIMIT) {
      this.#samples.clear();
    }
    this.#samples.set(gridPoint, offset);
    return offset;
  }

  /** The first whole second in (low, high] at which `laterOffset` is in force. */
  #transitionBetween(low: number, high: number, laterOffset: number): number {
    let before = low / SECOND_MS;
    let after = high / SECOND_MS;
    // Halves a 12-hour interval down to one second: 16 rounds; the bound only guards the loop.
    for (let round = 0; round < 64 && after - before > 1; round += 1) {
      const middle = Math.floor((before + after) / 2);
      if (this.offsetAt(middle * SECOND_MS) === laterOffset) {
        after = middle;
      } else {
        before = middle;
      }
    }
    return after * SECOND_MS;
  }
}

/** The transition that ends the gap `local` falls in: its instant shows the first valid time. */
function gapEnd(spans: OffsetSpan[], local: number): number {
  for (let index = 1; index < spans.length; index += 1) {
    const span = spans[index];
    if (span !== undefined && local < span.from + span.offset) {
      return span.from;
    }
  }
  // Unreachable for a local time with no instant; a safe answer all the same.
  const last = spans[spans.length - 1];
  return last === undefined ? local : local - last.offset;
}

const clocks = new Map<string, ZoneClock>();

/** The shared clock for `zone`, which must be valid (see `isValidTimeZone`). */
export function zoneClock(zone: string): ZoneClock {
  const cached = clocks.get(zone);
  if (cached !== undefined) {
    return cached;
  }
  if (clocks.size >= ZONE_CACHE_LIMIT) {
    clocks.clear();
  }
  const clock = new ZoneClock(zone);
  clocks.set(zone, clock);
  return clock;
}
