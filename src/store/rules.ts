import { StoreError } from './types.js';

/**
 * What every store accepts, so that a ledger that works against the in-memory store in
 * tests behaves the same against git or GitHub.
 */

/**
 * Why `ref` cannot name a ledger, or null when it can.
 *
 * A ledger ref must be a full name under `refs/` (GitHub refuses anything else, and a short
 * name would let git guess among branches and tags) and obey git's ref-name rules. The git
 * store also asks git itself, in case a later git is stricter than these rules.
 */
export function refNameProblem(ref: string): string | null {
  if (!ref.startsWith('refs/')) return 'a ledger ref must start with "refs/"';
  if (ref.split('/').length < 3) return 'a ledger ref needs a name below its namespace';
  if (ref.endsWith('/')) return 'it ends with "/"';
  if (ref.endsWith('.')) return 'it ends with "."';
  if (ref.includes('//')) return 'it contains an empty component ("//")';
  if (ref.includes('..')) return 'it contains ".."';
  if (ref.includes('@{')) return 'it contains "@{"';

  const bad = [...ref].find(isForbiddenInRef);
  if (bad !== undefined) return `it contains the character ${JSON.stringify(bad)}`;

  for (const component of ref.split('/')) {
    if (component.startsWith('.')) return `the component "${component}" starts with "."`;
    if (component.endsWith('.lock')) return `the component "${component}" ends with ".lock"`;
  }
  return null;
}

/** Throws a StoreError naming `ref` when it cannot name a ledger. */
export function assertLedgerRef(ref: string): void {
  const problem = refNameProblem(ref);
  if (problem !== null) {
    throw new StoreError(`Invalid ledger ref ${JSON.stringify(ref)}: ${problem}`);
  }
}

/**
 * Throws a StoreError when `message` could not come back unchanged: git refuses a NUL byte
 * in a commit message, and a lone surrogate has no UTF-8 encoding.
 */
export function assertLedgerMessage(message: string): void {
  if (message.includes('\0')) {
    throw new StoreError('A ledger commit message cannot contain a NUL character');
  }
  if (LONE_SURROGATE.test(message)) {
    throw new StoreError('A ledger commit message must be well-formed Unicode (lone surrogate)');
  }
}

/** A well-formed commit id: SHA-1 or SHA-256, lowercase hex. */
export function isCommitId(value: string): boolean {
  return /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(value);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isForbiddenInRef(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f || ' ~^:?*[\\'.includes(character);
}

/** The number of commits `history` may yield: a non-negative integer, or no bound. */
export function historyLimit(limit: number | undefined): number {
  if (limit === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`A history limit must be a non-negative integer, got ${limit}`);
  }
  return limit;
}
