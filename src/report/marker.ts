/**
 * The hidden marker that names a bot issue: the first line of its body,
 * `<!-- cronwarden:KEY {json} -->`, where the JSON is the issue's own state (failure counts,
 * last alert time, ...), so the issue itself is the only store the reporter needs.
 *
 * Only the first line is read. Everything the bot quotes comes later in the body and is
 * defanged besides (markdown.ts), so text in a patrol's output can never be taken for a
 * marker, and a marker typed by a person is ignored because the author must be the bot.
 */

export const MARKER_PREFIX = 'cronwarden:';

export type IncidentKind = 'overlap' | 'stuck' | 'starved' | 'takeover';

/** A key component: slugs pass as they are; anything else is percent-encoded. */
function part(value: string | number): string {
  return String(value).replace(/[^A-Za-z0-9._-]/g, (c) => {
    const bytes = Buffer.from(c, 'utf8');
    return [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  });
}

export function dashboardKey(table: string): string {
  return `dashboard:${part(table)}`;
}

export function failureKey(table: string, patrol: string): string {
  return `failure:${part(table)}:${part(patrol)}`;
}

/** Overlap, stuck and stale takeover incidents name the lease; a starved schedule does not. */
export function incidentKey(
  table: string,
  kind: IncidentKind,
  patrol: string,
  fencingToken?: number,
): string {
  const base = `incident:${part(table)}:${kind}:${part(patrol)}`;
  return fencingToken === undefined ? base : `${base}:${fencingToken}`;
}

/** Keys of every issue that belongs to one table, for listing its open issues. */
export function belongsToTable(key: string, table: string): boolean {
  const [kind, owner] = key.split(':');
  return owner === part(table) && (kind === 'failure' || kind === 'incident');
}

const KEY_FORM = /^[A-Za-z0-9._%:-]+$/;
const MARKER_LINE = /^<!-- cronwarden:([^\s]+)(?: (\{.*\}))? -->$/;

/**
 * The marker line. The state is JSON with `<`, `>` and `&` escaped, so it can never end the
 * HTML comment early, and it stays on one line.
 */
export function markerLine(key: string, state?: unknown): string {
  if (!KEY_FORM.test(key)) throw new Error(`not a marker key: ${JSON.stringify(key)}`);
  if (state === undefined) return `<!-- ${MARKER_PREFIX}${key} -->`;
  const json = JSON.stringify(state).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `<!-- ${MARKER_PREFIX}${key} ${json} -->`;
}

export interface Marker {
  key: string;
  /** The parsed JSON state; undefined when there is none or it does not parse. */
  state: unknown;
}

/** The marker on the first line of `body`, or null: a marker anywhere else does not count. */
export function readMarker(body: string | null | undefined): Marker | null {
  if (body === null || body === undefined) return null;
  const firstLine = body.split('\n', 1)[0]?.replace(/\r$/, '') ?? '';
  const match = MARKER_LINE.exec(firstLine);
  if (match === null) return null;
  const key = match[1] as string;
  if (!KEY_FORM.test(key)) return null;
  return { key, state: parseState(match[2]) };
}

function parseState(json: string | undefined): unknown {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}
