import type { FaultKind, FaultSpec } from './faults.js';

/**
 * Faults written on a command line, for the CLI: comma-separated `key=value` pairs, e.g.
 * `kind=error-after,status=502,method=PATCH,path=~/git/refs/,times=2`. A path that starts
 * with `~` is a regular expression; otherwise it must equal the request path.
 */
export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

const KEYS = ['kind', 'status', 'ms', 'age', 'retry-after', 'method', 'path', 'op', 'times'];

export function parseFaultSpec(text: string): FaultSpec {
  const fields = new Map<string, string>();
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    if (eq < 0 || !KEYS.includes(key)) {
      throw new FaultSpecError(`"${pair}" is not one of ${KEYS.join(', ')} as key=value.`);
    }
    fields.set(key, pair.slice(eq + 1).trim());
  }
  const spec: FaultSpec = { match: {}, kind: kindOf(fields) };
  const method = fields.get('method');
  const path = fields.get('path');
  const op = fields.get('op');
  const times = fields.get('times');
  if (method !== undefined) {
    spec.match.method = method.toUpperCase();
  }
  if (path !== undefined) {
    spec.match.path = path.startsWith('~') ? new RegExp(path.slice(1)) : path;
  }
  if (op !== undefined) {
    spec.match.operationName = op;
  }
  if (times !== undefined) {
    spec.times = times === 'always' ? Infinity : number(fields, 'times');
  }
  return spec;
}

function number(fields: Map<string, string>, key: string): number {
  const raw = fields.get(key);
  const n = raw === undefined ? NaN : Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new FaultSpecError(`${key} must be a whole number, not ${raw ?? 'missing'}.`);
  }
  return n;
}

function kindOf(fields: Map<string, string>): FaultKind {
  const kind = fields.get('kind');
  switch (kind) {
    case 'latency':
      return { type: 'latency', ms: number(fields, 'ms') };
    case 'error-before':
    case 'error-after':
      return { type: kind, status: number(fields, 'status') };
    case 'stale':
      return { type: 'stale', ageMs: number(fields, 'age') };
    case 'secondary-limit': {
      const status = fields.has('status') ? number(fields, 'status') : 403;
      if (status !== 403 && status !== 429) {
        throw new FaultSpecError('A secondary limit answers 403 or 429.');
      }
      return {
        type: 'secondary-limit',
        status,
        ...(fields.has('retry-after') ? { retryAfterSeconds: number(fields, 'retry-after') } : {}),
      };
    }
    default:
      throw new FaultSpecError(
        'kind must be latency, error-before, error-after, secondary-limit or stale, ' +
          `not ${kind ?? 'missing'}.`,
      );
  }
}
