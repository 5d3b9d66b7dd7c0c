/**
 * GitHub's answers that callers must tell apart, named once. Messages are matched
 * loosely (lower case, substring): GitHub's wording varies a little between endpoints.
 */
export const GITHUB_MESSAGES = {
  refExists: 'reference already exists',
  notFastForward: 'not a fast forward',
  noIntegrationAccess: 'resource not accessible by integration',
  treeMissing: 'tree sha does not exist',
  rateLimited: 'rate limit',
} as const;

export interface HttpFailure {
  status: number;
  message: string;
  headers: Record<string, string | number | undefined>;
}

/** The parts of an Octokit RequestError we rely on; null for anything else. */
export function httpFailure(error: unknown): HttpFailure | null {
  if (typeof error !== 'object' || error === null || !('status' in error)) return null;
  const status = Number((error as { status: unknown }).status);
  if (!Number.isInteger(status)) return null;
  const response = (error as { response?: { data?: unknown; headers?: HttpFailure['headers'] } })
    .response;
  const data = response?.data as { message?: unknown } | undefined;
  const message =
    typeof data?.message === 'string'
      ? data.message
      : error instanceof Error
        ? error.message
        : String(error);
  return { status, message, headers: response?.headers ?? {} };
}

export function hasMessage(failure: HttpFailure | null, text: string): boolean {
  return failure !== null && failure.message.toLowerCase().includes(text);
}

/** A write GitHub may or may not have applied: the caller must look before deciding. */
export function isUncertain(failure: HttpFailure | null): boolean {
  return failure === null || failure.status >= 500;
}

/** The token lacks a permission; the message says which to add to the workflow. */
export class PermissionError extends Error {
  override name = 'PermissionError';
  constructor(
    readonly permission: string,
    what: string,
  ) {
    super(
      `The token may not ${what} (GitHub answered "Resource not accessible by integration"). ` +
        `Add "permissions: ${permission}" to the workflow job that runs Cronwarden.`,
    );
  }
}

/** GitHub did not accept the token at all. */
export class TokenRefusedError extends Error {
  override name = 'TokenRefusedError';
}

/** The primary rate limit is spent; says when it resets. */
export class RateLimitError extends Error {
  override name = 'RateLimitError';
}

/** Turn a failed request into the error a maintainer can act on, or rethrow it as is. */
export function explain(error: unknown, permission: string, what: string): never {
  const failure = httpFailure(error);
  if (failure?.status === 403 && hasMessage(failure, GITHUB_MESSAGES.noIntegrationAccess)) {
    const accepted = failure.headers['x-accepted-github-permissions'];
    const named =
      typeof accepted === 'string' && accepted !== '' ? accepted.replace('=', ': ') : permission;
    throw new PermissionError(named, what);
  }
  if (
    (failure?.status === 403 || failure?.status === 429) &&
    String(failure.headers['x-ratelimit-remaining']) === '0'
  ) {
    const reset = Number(failure.headers['x-ratelimit-reset']);
    const when = Number.isFinite(reset) ? new Date(reset * 1000).toISOString() : 'later';
    throw new RateLimitError(`GitHub's API rate limit is used up; it resets at ${when}.`);
  }
  if (failure?.status === 401) {
    throw new TokenRefusedError(
      `GitHub refused the token (401 Bad credentials) when trying to ${what}: check the ` +
        '`token` input (an expired or revoked token, or a secret that is not set).',
    );
  }
  throw error;
}
