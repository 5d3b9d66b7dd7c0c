/** Thrown by parseDuration; its message says what was wrong and shows the accepted form. */
export class DurationError extends Error {
  override readonly name = 'DurationError';
}

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;

/**
 * The accepted form: whole numbers of days, hours, minutes and seconds, largest unit first,
 * each unit at most once. Shared with the JSON Schema so editors flag the same strings.
 */
export const DURATION_PATTERN = /^(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export const DURATION_FORM = 'a positive duration such as 90s, 50m, 2h, 1h30m or 1d';

/** Milliseconds in `text`, e.g. "1h30m" is 5_400_000. Refuses zero, signs, spaces, bare numbers. */
export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  if (match === null) {
    throw new DurationError(`${JSON.stringify(text)} is not ${DURATION_FORM}`);
  }

  const [, days, hours, minutes, seconds] = match;
  const ms =
    count(days) * UNIT_MS.d +
    count(hours) * UNIT_MS.h +
    count(minutes) * UNIT_MS.m +
    count(seconds) * UNIT_MS.s;

  if (ms === 0) {
    throw new DurationError(`${JSON.stringify(text)} is zero; expected ${DURATION_FORM}`);
  }
  if (!Number.isSafeInteger(ms)) {
    throw new DurationError(`${JSON.stringify(text)} is too long to be a useful duration`);
  }
  return ms;
}

function count(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(digits);
}
