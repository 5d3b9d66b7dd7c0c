/**
 * Planning one tick for one patrol: which of the slots since the cursor run now, which are
 * missed, and where the cursor moves.
 *
 * The work is bounded whatever the backlog (a `*\/5` schedule whose cursor is a year old has
 * about 105,000 slots behind it):
 * - at most MISSED_COUNT_CAP slots, over at most MISSED_COUNT_SPAN_DAYS days, are counted from
 *   the cursor; past that the count is a lower bound (`missedCountIsLowerBound`);
 * - the slots that matter (those that run and the most recent MISSED_LIST_LIMIT missed ones)
 *   are then found by searching backwards from `now` in windows, each walked forward and cut
 *   off after RECENT_PROBE_FACTOR times as many slots as are kept, so no walk covers the
 *   whole backlog;
 * - `maxCatchUp` is clamped to MAX_CATCH_UP_LIMIT.
 */
import { compileSchedule, instantOf, slotInstants } from './slots.js';
import type { CompiledSchedule, ScheduleSpec } from './slots.js';

export interface SlotPlanInput {
  spec: ScheduleSpec;
  catchUp: 'latest' | 'all' | 'none';
  /** Cap for 'all'. */
  maxCatchUp: number;
  /** Slots older than now - deadline are dropped (missed). */
  startingDeadlineMs?: number;
  /** Last instant already considered (exclusive). */
  cursor: Date;
  /** The tick's time (inclusive). */
  now: Date;
}

export interface SlotPlan {
  /** Slots to run now, ascending. */
  due: Date[];
  /** Slots in (cursor, now] that will not run, ascending: the most recent MISSED_LIST_LIMIT. */
  missed: Date[];
  /** How many slots were missed in all; a lower bound when `missedCountIsLowerBound`. */
  missedCount: number;
  /**
   * True when the backlog was too long to count (more than MISSED_COUNT_CAP slots or more than
   * MISSED_COUNT_SPAN_DAYS days): `missedCount` then counts the slots known to be missed.
   */
  missedCountIsLowerBound: boolean;
  /** First slot strictly after the new cursor (null only if none within the search limit). */
  next: Date | null;
  /** The new cursor: max(cursor, now). Cursors never move backwards. */
  cursor: Date;
}

/** GitHub's scheduled workflows run at most every 5 minutes; so does the ticker. */
export const MIN_TICK_INTERVAL_MINUTES = 5;

/**
 * With catch-up `none` and no starting deadline, a slot runs only if it is at most this old:
 * two ticker intervals, so a tick that GitHub starts a little late still runs it.
 */
export const DEFAULT_ON_TIME_WINDOW_MS = 2 * MIN_TICK_INTERVAL_MINUTES * 60_000;

/** `missed` keeps the most recent this many slots; older ones are only counted. */
export const MISSED_LIST_LIMIT = 100;

/**
 * Slots are counted from the cursor for at most this many slots and at most
 * MISSED_COUNT_SPAN_DAYS days (each new local day costs Intl calls); past either, the count is
 * a lower bound.
 */
export const MISSED_COUNT_CAP = 10_000;
export const MISSED_COUNT_SPAN_DAYS = 366;
const MISSED_COUNT_SPAN_MS = MISSED_COUNT_SPAN_DAYS * 24 * 60 * 60_000;

/** `maxCatchUp` above this is read as this: no tick runs more slots of one patrol. */
export const MAX_CATCH_UP_LIMIT = 1_000;

/**
 * One backward-search window is walked for at most this many times the slots kept. Above 1,
 * so that some window start always yields between one and this many times what is kept.
 */
const RECENT_PROBE_FACTOR = 2;

/**
 * Bound on backward-search windows: enough to double a one-minute window past 400 years and
 * then halve the difference down to a millisecond.
 */
const RECENT_PROBE_ROUNDS = 96;

/** Plan one tick for one patrol. Throws ScheduleError for an unusable spec. */
export function planSlots(input: SlotPlanInput): SlotPlan {
  const schedule = compileSchedule(input.spec);
  const cursor = instantOf(input.cursor, 'cursor');
  const now = instantOf(input.now, 'now');
  const runCap = runCapOf(input);
  const newCursor = Math.max(cursor, now);

  const window = recentSlots(schedule, cursor, now, runCap + MISSED_LIST_LIMIT);
  const due = dueSuffix(window.recent, input, now, runCap);
  const missed = window.recent.slice(0, window.recent.length - due.length);

  return {
    due: due.map((slot) => new Date(slot)),
    missed: missed.slice(-MISSED_LIST_LIMIT).map((slot) => new Date(slot)),
    missedCount: window.total - due.length,
    missedCountIsLowerBound: window.totalIsLowerBound,
    next: firstSlotAfter(schedule, newCursor),
    cursor: new Date(newCursor),
  };
}

function runCapOf(input: SlotPlanInput): number {
  if (input.catchUp !== 'all') {
    return 1;
  }
  if (!Number.isInteger(input.maxCatchUp) || input.maxCatchUp < 1) {
    throw new RangeError(`maxCatchUp must be a positive integer, got ${input.maxCatchUp}`);
  }
  return Math.min(input.maxCatchUp, MAX_CATCH_UP_LIMIT);
}

/** The oldest slot that may still run, per the starting deadline (or the on-time window). */
function oldestRunnable(input: SlotPlanInput, now: number): number {
  const deadline = input.startingDeadlineMs;
  if (deadline !== undefined && (!Number.isFinite(deadline) || deadline < 0)) {
    throw new RangeError(`startingDeadlineMs must be a non-negative number, got ${deadline}`);
  }
  if (input.catchUp === 'none') {
    return now - (deadline ?? DEFAULT_ON_TIME_WINDOW_MS);
  }
  return deadline === undefined ? Number.NEGATIVE_INFINITY : now - deadline;
}

/**
 * The slots that run: always a suffix of the ascending window, since they are the most
 * recent ones that are not too old.
 */
function dueSuffix(recent: number[], input: SlotPlanInput, now: number, runCap: number): number[] {
  const oldest = oldestRunnable(input, now);
  let first = recent.length;
  while (first > 0 && recent.length - first < runCap && (recent[first - 1] ?? oldest) >= oldest) {
    first -= 1;
  }
  return recent.slice(first);
}

function firstSlotAfter(schedule: CompiledSchedule, after: number): Date | null {
  for (const slot of slotInstants(schedule, after)) {
    return new Date(slot);
  }
  return null;
}

interface SlotWindow {
  /** The most recent `keep` slots in (cursor, now], ascending. */
  recent: number[];
  /** How many slots lie in (cursor, now]. */
  total: number;
  totalIsLowerBound: boolean;
}

/** The most recent `keep` slots in (cursor, now] and how many there are, with bounded work. */
function recentSlots(
  schedule: CompiledSchedule,
  cursor: number,
  now: number,
  keep: number,
): SlotWindow {
  if (now <= cursor) {
    return { recent: [], total: 0, totalIsLowerBound: false };
  }
  const countedUntil = Math.min(now, cursor + MISSED_COUNT_SPAN_MS);
  const counted = walk(schedule, cursor, now, keep, MISSED_COUNT_CAP, countedUntil);
  if (counted.reachedEnd) {
    return { recent: counted.recent, total: counted.count, totalIsLowerBound: false };
  }

  const lastCounted = counted.recent[counted.recent.length - 1] ?? cursor;
  const averageGap =
    counted.count >= MISSED_COUNT_CAP
      ? (lastCounted - cursor) / counted.count
      : (countedUntil - cursor) / Math.max(counted.count, 1);
  const tail = searchBackwards(schedule, lastCounted, now, keep, averageGap);
  if (tail.start === lastCounted) {
    // The search reached back to where counting stopped: together they cover every slot.
    return {
      recent: [...counted.recent, ...tail.recent].slice(-keep),
      total: counted.count + tail.count,
      totalIsLowerBound: false,
    };
  }
  return { recent: tail.recent, total: counted.count + tail.count, totalIsLowerBound: true };
}

interface Walk {
  /** The last `keep` slots seen, ascending. */
  recent: number[];
  count: number;
  /** False when the walk stopped at `cap` slots before reaching `until`. */
  reachedEnd: boolean;
}

/**
 * Walk the slots in (after, until], keeping the last `keep`; stop early after `cap` slots or at
 * the first slot past `stopAfter`.
 */
function walk(
  schedule: CompiledSchedule,
  after: number,
  until: number,
  keep: number,
  cap: number,
  stopAfter = until,
): Walk {
  const recent: number[] = [];
  let count = 0;
  for (const slot of slotInstants(schedule, after)) {
    if (slot > until) {
      return { recent: recent.slice(-keep), count, reachedEnd: true };
    }
    if (count >= cap || slot > stopAfter) {
      return { recent: recent.slice(-keep), count, reachedEnd: false };
    }
    count += 1;
    recent.push(slot);
    if (recent.length > keep * 2) {
      recent.splice(0, recent.length - keep);
    }
  }
  return { recent: recent.slice(-keep), count, reachedEnd: true };
}

interface Tail {
  /** Exclusive start of the window the slots were taken from. */
  start: number;
  recent: number[];
  count: number;
}

/**
 * Find a start in [floor, now) such that (start, now] holds between `keep` and
 * RECENT_PROBE_FACTOR * `keep` slots (or start = floor if fewer lie there at all): widen the
 * window by doubling while it holds too few, then halve the difference while too many.
 */
function searchBackwards(
  schedule: CompiledSchedule,
  floor: number,
  now: number,
  keep: number,
  averageGap: number,
): Tail {
  const cap = keep * RECENT_PROBE_FACTOR;
  let tooFewFrom = now;
  let tooManyFrom = floor;
  let widening = true;
  let span = Math.max(averageGap * keep * 2, 60_000);
  let start = Math.max(floor, now - span);

  for (let round = 0; round < RECENT_PROBE_ROUNDS; round += 1) {
    const probe = walk(schedule, start, now, keep, cap);
    if (probe.reachedEnd && (probe.count >= keep || start === floor)) {
      return { start, recent: probe.recent, count: probe.count };
    }
    if (probe.reachedEnd) {
      tooFewFrom = start;
    } else {
      tooManyFrom = start;
      widening = false;
    }
    if (widening) {
      span *= 2;
      start = Math.max(floor, now - span);
    } else {
      start = Math.floor((tooManyFrom + tooFewFrom) / 2);
    }
  }

  // Not reached for a valid schedule (see RECENT_PROBE_ROUNDS); keep what the last window has.
  const last = walk(schedule, tooFewFrom, now, keep, cap);
  return { start: tooFewFrom, recent: last.recent, count: last.count };
}
