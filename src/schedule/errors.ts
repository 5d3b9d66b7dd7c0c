/**
 * A cron expression or time zone that Cronwarden cannot schedule with. The message is meant
 * for the maintainer who wrote the patrol table: it says what is wrong and what to write
 * instead, in plain words.
 */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}
