import { ScheduleError, checkSchedule, isValidTimeZone } from '../schedule/index.js';
import { parseDuration } from './duration.js';
import { lowerFirst } from './problems.js';
import { LONGEST_DURATION_MS } from './schema.js';
import type { DataPath, TableSource } from './source.js';
import { suggestValue, tolerance } from './suggest.js';
import type { SourceProblem } from './types.js';

/** Jobs on GitHub-hosted runners are stopped after 6 hours. */
const HOSTED_JOB_LIMIT_MS = 6 * 3_600_000;

export interface Findings {
  errors: SourceProblem[];
  warnings: SourceProblem[];
}

/**
 * The checks the schema cannot express: unique patrol ids, zone names, cron expressions, and
 * the warnings. They read the raw data, so that they run, and report, even when the schema
 * has found other problems in the same table.
 */
export function checkTable(data: unknown, source: TableSource): Findings {
  const findings: Findings = { errors: [], warnings: [] };
  if (!isRecord(data)) return findings;

  const tableZone = checkZone(data.timezone, ['timezone'], source, findings) ?? 'UTC';
  const patrols = Array.isArray(data.patrols) ? data.patrols : [];
  const firstIndexOfId = new Map<string, number>();

  patrols.forEach((patrol: unknown, index) => {
    if (!isRecord(patrol)) return;
    const at = (key: string): DataPath => ['patrols', index, key];

    checkUniqueId(patrol.id, index, firstIndexOfId, source, findings);
    const zone = checkZone(patrol.timezone, at('timezone'), source, findings) ?? tableZone;
    checkCron(patrol.schedule, zone, at('schedule'), source, findings);
    warnAboutTimeout(patrol.timeout, at('timeout'), source, findings);
    if (patrol['max-catch-up'] !== undefined && patrol['catch-up'] !== 'all') {
      findings.warnings.push(
        source.problemAtPath(
          at('max-catch-up'),
          '`max-catch-up` has no effect unless `catch-up` is `all`',
        ),
      );
    }
  });

  return findings;
}

function checkUniqueId(
  id: unknown,
  index: number,
  firstIndexOfId: Map<string, number>,
  source: TableSource,
  findings: Findings,
): void {
  if (typeof id !== 'string') return;

  const first = firstIndexOfId.get(id);
  if (first === undefined) {
    firstIndexOfId.set(id, index);
    return;
  }

  const firstNode = source.nodeAt(['patrols', first, 'id']);
  const line = firstNode === null ? '' : `; first used on line ${source.lineOf(firstNode)}`;
  findings.errors.push(
    source.problemAtPath(['patrols', index, 'id'], `duplicate patrol id \`${id}\`${line}`),
  );
}

/** The zone if it is a valid one; undefined when absent, of the wrong type, or unknown. */
function checkZone(
  zone: unknown,
  path: DataPath,
  source: TableSource,
  findings: Findings,
): string | undefined {
  if (typeof zone !== 'string') return undefined;
  if (isValidTimeZone(zone)) return zone;

  findings.errors.push(source.problemAtPath(path, unknownZoneMessage(zone)));
  return undefined;
}

function unknownZoneMessage(zone: string): string {
  const guess = suggestZone(zone);
  const hint =
    guess === undefined
      ? 'use an IANA name such as Europe/Berlin, America/Chicago or UTC'
      : `did you mean ${guess}?`;
  return `unknown time zone ${JSON.stringify(zone)}; ${hint}`;
}

function suggestZone(typed: string): string | undefined {
  const zones = [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  // The region is usually right; only slips in the city count, so that "Europe/Atlantis"
  // finds nothing rather than Europe/Athens.
  const slips = (zone: string) => tolerance(cityOf(zone));
  if (typed.includes('/')) return suggestValue(typed, zones, slips);

  // "Berlin" or "New York": people name the city and leave out the region.
  const byCity = new Map(zones.map((zone) => [cityOf(zone), zone]));
  const city = suggestValue(typed.replaceAll(' ', '_'), byCity.keys());
  return city === undefined ? suggestValue(typed, zones, slips) : byCity.get(city);
}

function cityOf(zone: string): string {
  return zone.slice(zone.lastIndexOf('/') + 1);
}

function checkCron(
  expression: unknown,
  timezone: string,
  path: DataPath,
  source: TableSource,
  findings: Findings,
): void {
  // The schema reports a missing, blank or non-string schedule.
  if (typeof expression !== 'string' || expression.trim() === '') return;

  try {
    const { warnings } = checkSchedule({ expression, timezone });
    for (const warning of warnings) {
      findings.warnings.push(source.problemAtPath(path, lowerFirst(warning)));
    }
  } catch (error: unknown) {
    if (!(error instanceof ScheduleError)) throw error;
    findings.errors.push(source.problemAtPath(path, lowerFirst(error.message)));
  }
}

function warnAboutTimeout(
  timeout: unknown,
  path: DataPath,
  source: TableSource,
  findings: Findings,
): void {
  // The schema reports a timeout that is not a valid duration, or one beyond 35 days.
  if (typeof timeout !== 'string') return;
  const ms = durationOrZero(timeout);
  if (ms <= HOSTED_JOB_LIMIT_MS || ms > LONGEST_DURATION_MS) return;

  findings.warnings.push(
    source.problemAtPath(
      path,
      `\`timeout\` ${timeout} is longer than 6h, when GitHub stops a job on a GitHub-hosted ` +
        'runner; only a self-hosted runner lets a patrol run that long',
    ),
  );
}

function durationOrZero(text: string): number {
  try {
    return parseDuration(text);
  } catch {
    return 0;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
