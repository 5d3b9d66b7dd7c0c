import type { Patrol } from '../../config/types.js';
import { describeHolder } from '../../ledger/lease.js';
import type { Holder, RunOutcome } from '../../ledger/types.js';
import { describeSchedule } from '../../schedule/index.js';
import { cellCode, cellText } from '../markdown.js';
import { formatDuration } from '../time.js';
import type { PatrolRun } from '../runs.js';
import type { GanttBar } from './gantt.js';

/** The schedule in words, from cronstrue; the expression alone when it cannot be described. */
export function scheduleWords(expression: string): string {
  try {
    return describeSchedule(expression);
  } catch {
    return `cron ${expression}`;
  }
}

/** "At 02:00 AM (`0 2 * * *`, Europe/Berlin)" */
export function scheduleLine(patrol: Pick<Patrol, 'schedule' | 'timezone'>): string {
  const words = cellText(scheduleWords(patrol.schedule));
  return `${words} (${cellCode(patrol.schedule)}, ${cellText(patrol.timezone)})`;
}

export function holderText(holder: Holder): string {
  return cellText(describeHolder(holder));
}

export function barStatus(outcome: RunOutcome): GanttBar['status'] {
  return outcome === 'ran' ? 'done' : 'crit';
}

/** A gantt bar for a run: "#12 ran 3m" (the token names the lease). */
export function runBar(run: PatrolRun): GanttBar {
  return {
    label: `lease ${run.fencingToken} ${run.outcome} ${formatDuration(run.durationMs)}`,
    start: run.startedAt,
    end: run.finishedAt,
    status: barStatus(run.outcome),
  };
}
