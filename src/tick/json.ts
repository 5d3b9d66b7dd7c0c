import type { TickReport } from './types.js';

/** How much of a patrol's output the JSON report carries: its end, where errors are. */
export const JSON_OUTPUT_TAIL_CHARS = 4_000;

/**
 * The tick report as documented JSON (`cronwarden tick --json`, the Action's `report`
 * output): the tick, and per patrol its id, slot, outcome, reason, exit code, duration
 * and fencing token, plus (unless `withOutput` is false) the end of its output when it ran.
 */
export function tickReportJson(report: TickReport, { withOutput = true } = {}) {
  return {
    tick: report.tick,
    patrols: report.patrols.map((p) => ({
      id: p.id,
      slot: p.slot,
      outcome: p.outcome,
      reason: p.reason,
      exitCode: p.exitCode,
      durationMs: p.durationMs,
      fencingToken: p.fencingToken,
      ...(p.missedCount === undefined ? {} : { missedCount: p.missedCount }),
      ...(p.takeover === undefined ? {} : { takeover: p.takeover }),
      ...(!withOutput || p.output === undefined || p.output === ''
        ? {}
        : { outputTail: p.output.slice(-JSON_OUTPUT_TAIL_CHARS) }),
    })),
  };
}
