import cronstrue from 'cronstrue';
import { ScheduleError } from './errors.js';
import { parseCronPattern } from './expression.js';

/**
 * A sentence for people, e.g. "At 08:00 AM, only on Sunday", from cronstrue. The expression
 * is checked first, so an expression the scheduler refuses is not described as if it worked.
 */
export function describeSchedule(expression: string): string {
  const pattern = parseCronPattern(expression);
  try {
    return cronstrue.toString(pattern.expression, { throwExceptionOnParseError: true });
  } catch (error: unknown) {
    // cronstrue throws plain strings, not Error instances.
    const reason = error instanceof Error ? error.message : String(error);
    throw new ScheduleError(`cannot describe "${pattern.expression}": ${reason}`);
  }
}
