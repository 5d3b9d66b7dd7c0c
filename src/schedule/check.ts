/** Validation of a schedule for a patrol table, with warnings a maintainer should read. */
import { canMatchConsecutiveDays } from './expression.js';
import type { CronPattern } from './expression.js';
import { MIN_TICK_INTERVAL_MINUTES } from './plan.js';
import { compileSchedule } from './slots.js';
import type { ScheduleSpec } from './slots.js';

const MINUTES_PER_DAY = 24 * 60;

/** Validate; throws ScheduleError. Returns warnings (e.g. fires more often than every 5 min). */
export function checkSchedule(spec: ScheduleSpec): { warnings: string[] } {
  const { pattern } = compileSchedule(spec);
  const warnings: string[] = [];

  const shortestGap = shortestGapMinutes(pattern);
  if (shortestGap < MIN_TICK_INTERVAL_MINUTES) {
    warnings.push(
      `"${pattern.expression}" can fire as often as every ${plural(shortestGap, 'minute')},` +
        " but GitHub's" +
        ` scheduled workflows tick at most every ${MIN_TICK_INTERVAL_MINUTES} minutes:` +
        ' Cronwarden runs each such slot at the next tick, late, or reports it missed under' +
        ' catch-up',
    );
  }
  if (!pattern.dayOfMonthIsStar && !pattern.dayOfWeekIsStar) {
    warnings.push(
      `"${pattern.expression}" restricts both the day of month ("${pattern.fields.dayOfMonth}")` +
        ` and the day of week ("${pattern.fields.dayOfWeek}"): as in classic cron it fires on` +
        ' days that match either, not only on days that match both',
    );
  }
  return { warnings };
}

/**
 * The shortest gap between two slots on the wall clock, in minutes. DST transitions can bring
 * two slots closer for one night; that is not counted.
 */
function shortestGapMinutes(pattern: CronPattern): number {
  const times = pattern.hours.flatMap((hour) =>
    pattern.minutes.map((minute) => hour * 60 + minute),
  );
  let shortest = Number.POSITIVE_INFINITY;
  for (let index = 1; index < times.length; index += 1) {
    shortest = Math.min(shortest, (times[index] ?? 0) - (times[index - 1] ?? 0));
  }

  const first = times[0] ?? 0;
  const last = times[times.length - 1] ?? 0;
  const acrossMidnight = MINUTES_PER_DAY - last + first;
  if (acrossMidnight < Math.min(shortest, MIN_TICK_INTERVAL_MINUTES)) {
    if (canMatchConsecutiveDays(pattern)) {
      shortest = acrossMidnight;
    }
  }
  return shortest;
}

function plural(count: number, unit: string): string {
  return count === 1 ? unit : `${count} ${unit}s`;
}
