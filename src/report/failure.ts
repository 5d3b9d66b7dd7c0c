import type { Patrol } from '../config/types.js';
import { compareRuns, isFailure, type PatrolRun } from './runs.js';

/**
 * The failure issue of one patrol, as a pure decision over its runs. The issue's own marker
 * holds the state below, so a tick needs nothing but the issue and the ledger.
 */
export interface FailureState {
  v: 1;
  /** Consecutive failed runs, up to and including `seen`. */
  failures: number;
  /** When the current streak of failures began (the start of its first failed run). */
  since: string | null;
  lastFailureAt: string | null;
  /** When maintainers were last alerted: the issue opened or reopened, or a reminder. */
  lastAlertAt: string | null;
  /** The newest run counted, as [fencing token, slot]; later runs are new. */
  seen: [number, string] | null;
}

export function emptyFailureState(): FailureState {
  return { v: 1, failures: 0, since: null, lastFailureAt: null, lastAlertAt: null, seen: null };
}

/** The state from a marker, or null when it is missing or not ours to trust. */
export function readFailureState(raw: unknown): FailureState | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const s = raw as Record<string, unknown>;
  const isTime = (v: unknown) =>
    v === null || (typeof v === 'string' && !Number.isNaN(Date.parse(v)));
  const seen = s.seen;
  const seenOk =
    seen === null ||
    (Array.isArray(seen) &&
      seen.length === 2 &&
      typeof seen[0] === 'number' &&
      typeof seen[1] === 'string');
  if (
    s.v !== 1 ||
    typeof s.failures !== 'number' ||
    !Number.isInteger(s.failures) ||
    s.failures < 0 ||
    !isTime(s.since) ||
    !isTime(s.lastFailureAt) ||
    !isTime(s.lastAlertAt) ||
    !seenOk
  ) {
    return null;
  }
  return {
    v: 1,
    failures: s.failures,
    since: s.since as string | null,
    lastFailureAt: s.lastFailureAt as string | null,
    lastAlertAt: s.lastAlertAt as string | null,
    seen: seen as [number, string] | null,
  };
}

export interface Recovery {
  failures: number;
  since: string | null;
  run: PatrolRun;
  /** From the start of the first failed run to the end of the run that succeeded. */
  downMs: number | null;
}

export type FailureComment =
  | { kind: 'recovered'; recovery: Recovery }
  | { kind: 'still-failing'; state: FailureState; run: PatrolRun }
  | { kind: 'failing-again'; state: FailureState; run: PatrolRun };

export interface FailureDecision {
  /**
   * - create: open a new issue; reopen: reopen the bot's closed one;
   * - update: rewrite the open issue (new failures);
   * - close: write the state and close (recovered);
   * - none: leave everything as it is.
   */
  action: 'none' | 'create' | 'reopen' | 'update' | 'close';
  state: FailureState;
  /** Posted in order; a close comment comes before the close, a reopen one after. */
  comments: FailureComment[];
  /** The newest failed run, for the body. */
  latestFailure: PatrolRun | null;
}

export interface FailureInput {
  patrol: Pick<Patrol, 'failureThreshold' | 'realertMs'>;
  /** Every known run of the patrol, oldest first. */
  runs: PatrolRun[];
  /** The bot's issue for the patrol (the most recent), or null. */
  issue: { state: 'open' | 'closed'; stored: FailureState | null } | null;
  now: Date;
}

/** Fold runs into the streak: a failure extends it, a success ends it (a recovery). */
function fold(start: FailureState, runs: PatrolRun[]) {
  const state: FailureState = { ...start };
  const recoveries: Recovery[] = [];
  let latestFailure: PatrolRun | null = null;
  for (const run of runs) {
    state.seen = [run.fencingToken, run.slot];
    if (isFailure(run.outcome)) {
      state.failures += 1;
      state.since ??= run.startedAt;
      state.lastFailureAt = run.finishedAt;
      latestFailure = run;
      continue;
    }
    if (state.failures > 0) {
      const downMs =
        state.since === null ? null : Date.parse(run.finishedAt) - Date.parse(state.since);
      recoveries.push({ failures: state.failures, since: state.since, run, downMs });
    }
    state.failures = 0;
    state.since = null;
  }
  return { state, recoveries, latestFailure };
}

/**
 * Runs after the newest one counted. Known shortcoming: runs of an `allow` patrol can end
 * out of lease order, and a tick that reports an older lease's run after a newer one was
 * counted leaves it uncounted. Keeping the ids of recently counted runs in the state,
 * instead of one mark, would remove it.
 */
function newRuns(runs: PatrolRun[], seen: [number, string] | null): PatrolRun[] {
  if (seen === null) return runs;
  const mark = { fencingToken: seen[0], slot: seen[1] };
  return runs.filter((run) => compareRuns(run, mark) > 0);
}

/**
 * Decide what the failure issue needs after a tick:
 * - opened once `failureThreshold` runs in a row failed (failed, timed out, lost the lease,
 *   could not start); a closed issue of the bot's is reopened rather than a new one made;
 * - while open, each new failure updates it, and a "still failing" comment is added at most
 *   once per `realertMs`;
 * - the first success closes it with a comment saying how long the patrol was down.
 *
 * Runs already counted (up to `seen`) are never counted again, so a tick reported twice, or
 * two reports in the wrong order, cannot inflate the count.
 */
export function decideFailure(input: FailureInput): FailureDecision {
  const { patrol, issue, now } = input;
  const threshold = Math.max(1, patrol.failureThreshold);
  const start = issue?.stored ?? emptyFailureState();
  const runs = newRuns(input.runs, start.seen);
  const none: FailureDecision = { action: 'none', state: start, comments: [], latestFailure: null };
  if (runs.length === 0) return none;

  const { state, recoveries, latestFailure } = fold(start, runs);
  const failing = state.failures >= threshold;
  const lastRun = runs.at(-1) as PatrolRun;

  if (issue?.state !== 'open') {
    if (!failing || latestFailure === null) return none;
    state.lastAlertAt = now.toISOString();
    if (issue === null) return { action: 'create', state, comments: [], latestFailure };
    return {
      action: 'reopen',
      state,
      comments: [{ kind: 'failing-again', state, run: latestFailure }],
      latestFailure,
    };
  }

  const comments: FailureComment[] = [];
  const recovered = recoveries[0];
  if (recovered !== undefined) comments.push({ kind: 'recovered', recovery: recovered });
  if (!failing) {
    if (recovered === undefined && !isFailure(lastRun.outcome)) {
      comments.push({
        kind: 'recovered',
        recovery: { failures: 0, since: null, run: lastRun, downMs: null },
      });
    }
    return { action: 'close', state, comments, latestFailure };
  }

  if (latestFailure === null) return { action: 'update', state, comments, latestFailure };
  if (recovered !== undefined) {
    state.lastAlertAt = now.toISOString();
    comments.push({ kind: 'failing-again', state, run: latestFailure });
  } else if (dueForReminder(start.lastAlertAt, now, patrol.realertMs)) {
    state.lastAlertAt = now.toISOString();
    comments.push({ kind: 'still-failing', state, run: latestFailure });
  }
  return { action: 'update', state, comments, latestFailure };
}

function dueForReminder(lastAlertAt: string | null, now: Date, realertMs: number): boolean {
  if (lastAlertAt === null) return true;
  return now.getTime() - Date.parse(lastAlertAt) >= realertMs;
}
