import type { LedgerDocument, RunOutcome, RunRecord } from '../ledger/types.js';
import type { PatrolReport, TickReport } from '../tick/types.js';

/** Builds a link to the run that did a patrol's run (an Actions run), when there is one. */
export type RunUrlBuilder = (run: {
  patrol: string;
  tick: string;
  slot: string;
  fencingToken: number;
}) => string | undefined;

/** One run of a patrol as the reporter sees it: the ledger's record, plus the tick's detail. */
export interface PatrolRun {
  patrol: string;
  slot: string;
  fencingToken: number;
  nonce: string | null;
  tick: string;
  startedAt: string;
  finishedAt: string;
  outcome: RunOutcome;
  exitCode: number | null;
  durationMs: number;
  url: string | undefined;
  /** Only for runs of the tick being reported. */
  output?: string;
  outputTruncated?: boolean;
  reason?: string;
}

const RUN_OUTCOMES: ReadonlySet<string> = new Set([
  'ran',
  'failed',
  'timed-out',
  'lost-lease',
  'cancelled',
  'error',
]);
const FAILED_OUTCOMES: ReadonlySet<string> = new Set([
  'failed',
  'timed-out',
  'lost-lease',
  'error',
]);

export function isFailure(outcome: string): boolean {
  return FAILED_OUTCOMES.has(outcome);
}

/** Runs are ordered by fencing token (it grows with every grant), then by slot. */
export function compareRuns(
  a: { fencingToken: number; slot: string },
  b: { fencingToken: number; slot: string },
): number {
  return a.fencingToken - b.fencingToken || (a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0);
}

export function runId(run: { fencingToken: number; slot: string }): string {
  return `${run.fencingToken}@${run.slot}`;
}

/**
 * Every run of one patrol the reporter knows of, oldest first: the ledger's recent runs,
 * merged with the runs of this tick (which add the output, and the final outcome: a run whose
 * release found its lease gone is reported as lost-lease although its record says it ran).
 */
export function runsOf(
  patrol: string,
  ledger: LedgerDocument | null,
  tick: TickReport,
  runUrl: RunUrlBuilder | undefined,
): PatrolRun[] {
  const byId = new Map<string, PatrolRun>();
  for (const record of ledger?.state.patrols[patrol]?.recentRuns ?? []) {
    byId.set(runId(record), fromRecord(patrol, record, runUrl));
  }
  for (const report of tick.patrols) {
    if (report.id !== patrol || !isRunReport(report)) continue;
    const id = runId(report);
    byId.set(id, withReport(byId.get(id) ?? fromReport(report, tick, runUrl), report));
  }
  return [...byId.values()].sort(compareRuns);
}

type RunReport = PatrolReport & { slot: string; fencingToken: number; outcome: RunOutcome };

function isRunReport(report: PatrolReport): report is RunReport {
  return report.slot !== null && report.fencingToken !== null && RUN_OUTCOMES.has(report.outcome);
}

/** A ledger run record as a run of a patrol, linked when a link is known or can be built. */
export function fromRecord(
  patrol: string,
  record: RunRecord,
  runUrl: RunUrlBuilder | undefined,
): PatrolRun {
  return {
    patrol,
    slot: record.slot,
    fencingToken: record.fencingToken,
    nonce: record.nonce,
    tick: record.tick,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    outcome: record.outcome,
    exitCode: record.exitCode,
    durationMs: record.durationMs,
    url:
      record.url ??
      runUrl?.({ patrol, tick: record.tick, slot: record.slot, fencingToken: record.fencingToken }),
  };
}

/** A run the ledger does not show (its release was not written): timed from the tick. */
function fromReport(
  report: RunReport,
  tick: TickReport,
  runUrl: RunUrlBuilder | undefined,
): PatrolRun {
  const durationMs = report.durationMs ?? 0;
  const finishedAt = new Date(Date.parse(tick.tick.now) + durationMs).toISOString();
  return {
    patrol: report.id,
    slot: report.slot,
    fencingToken: report.fencingToken,
    nonce: null,
    tick: tick.tick.id,
    startedAt: tick.tick.now,
    finishedAt,
    outcome: report.outcome,
    exitCode: report.exitCode,
    durationMs,
    url: runUrl?.({
      patrol: report.id,
      tick: tick.tick.id,
      slot: report.slot,
      fencingToken: report.fencingToken,
    }),
  };
}

function withReport(run: PatrolRun, report: RunReport): PatrolRun {
  return {
    ...run,
    outcome: report.outcome,
    exitCode: report.exitCode,
    reason: report.reason,
    ...(report.output === undefined ? {} : { output: report.output }),
    ...(report.outputTruncated === undefined ? {} : { outputTruncated: report.outputTruncated }),
  };
}

/** "ran", "failed (exit 2)", "timed out", "lost its lease", "could not start". */
export function describeOutcome(run: { outcome: RunOutcome; exitCode: number | null }): string {
  switch (run.outcome) {
    case 'ran':
      return 'ran';
    case 'failed':
      return run.exitCode === null
        ? 'failed (killed by a signal)'
        : `failed (exit ${run.exitCode})`;
    case 'timed-out':
      return 'timed out';
    case 'lost-lease':
      return 'lost its lease';
    case 'cancelled':
      return 'cancelled';
    case 'error':
      return 'could not start';
  }
}

export function outcomeIcon(outcome: RunOutcome): string {
  return outcome === 'ran' ? '✅' : outcome === 'lost-lease' ? '⚠️' : '❌';
}
