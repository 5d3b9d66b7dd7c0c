/**
 * Times and durations for people. Nothing here reads the machine's clock or zone: instants
 * are printed in UTC, or in a zone that is named explicitly.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "2025-03-01 08:00 UTC", with seconds only when the instant has them. */
export function formatInstant(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return String(iso);
  const text = date.toISOString();
  const day = text.slice(0, 10);
  const seconds = text.slice(17, 19);
  const time = seconds === '00' ? text.slice(11, 16) : text.slice(11, 19);
  return `${day} ${time} UTC`;
}

/** "2025-03-01 09:00 Europe/Berlin", the wall-clock time in `zone`. */
export function formatInZone(iso: string | Date, zone: string): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return String(iso);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${zone}`;
}

/** A slot as the patrol's owner thinks of it: in its zone, with UTC when they differ. */
export function formatSlot(iso: string, zone: string): string {
  const utc = formatInstant(iso);
  if (zone === 'UTC' || zone === 'Etc/UTC') return utc;
  return `${formatInZone(iso, zone)} (${utc})`;
}

/** "2h 15m", "3m 20s", "12s", "0.4s": two units at most, the larger first. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  if (ms < SECOND) return ms === 0 ? '0s' : `${(ms / SECOND).toFixed(1)}s`;
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)}s`;
  const units: [number, string][] = [
    [DAY, 'd'],
    [HOUR, 'h'],
    [MINUTE, 'm'],
    [SECOND, 's'],
  ];
  const first = units.findIndex(([size]) => ms >= size);
  const [bigSize, bigName] = units[first] as [number, string];
  const big = Math.floor(ms / bigSize);
  const next = units[first + 1];
  if (next === undefined) return `${big}${bigName}`;
  const small = Math.floor((ms - big * bigSize) / next[0]);
  return small === 0 ? `${big}${bigName}` : `${big}${bigName} ${small}${next[1]}`;
}

export const DURATIONS = { SECOND, MINUTE, HOUR, DAY } as const;

/** "every day", "every 6 hours", "every 1 hour 30 minutes". */
export function formatEvery(ms: number): string {
  return `every ${formatSpan(ms).replace(/^1 (day|hour|minute|second)$/, '$1')}`;
}

/** A configured period in words for sentences: "1 day", "15 minutes", "1 hour 30 minutes". */
export function formatSpan(ms: number): string {
  const units: [number, string][] = [
    [DAY, 'day'],
    [HOUR, 'hour'],
    [MINUTE, 'minute'],
    [SECOND, 'second'],
  ];
  const words: string[] = [];
  let rest = Math.max(0, Math.round(ms));
  for (const [size, name] of units) {
    const count = Math.floor(rest / size);
    if (count === 0 || words.length === 2) continue;
    words.push(`${count} ${name}${count === 1 ? '' : 's'}`);
    rest -= count * size;
  }
  return words.length === 0 ? '0 seconds' : words.join(' ');
}
