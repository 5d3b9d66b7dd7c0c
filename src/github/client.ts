import { randomBytes } from 'node:crypto';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { VERSION } from '../version.js';

const CronwardenOctokit = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof CronwardenOctokit>;

export interface ClientLogger {
  warn(message: string): void;
  debug(message: string): void;
}

export interface ClientOptions {
  token: string;
  /** REST base, e.g. GITHUB_API_URL (GitHub Enterprise Server: https://HOST/api/v3). */
  apiUrl?: string;
  log: ClientLogger;
  /** Wait this long for a secondary limit that says nothing of when to retry (default 60 s). */
  fallbackSecondaryWaitSeconds?: number;
  /** Give up on a secondary limit after this many waits (default 4). */
  secondaryRetries?: number;
}

/** The clock of the GitHub server, read from the `Date` header of every answer. */
export class ServerClock {
  private offsetMs: number | null = null;

  observe(dateHeader: string | undefined, localNow = Date.now()): void {
    const server = dateHeader === undefined ? Number.NaN : Date.parse(dateHeader);
    if (!Number.isNaN(server)) this.offsetMs = server - localNow;
  }

  /** Null until an answer has been seen. */
  now(localNow = Date.now()): Date | null {
    return this.offsetMs === null ? null : new Date(localNow + this.offsetMs);
  }
}

/**
 * The one client of a run: retries 5xx answers (a write may then have been applied: the
 * store checks what happened), waits out secondary limits, serialises writes, and records
 * the server's clock. Built once per process.
 */
export function createClient(options: ClientOptions): {
  octokit: GitHubClient;
  clock: ServerClock;
} {
  const clock = new ServerClock();
  const octokit = new CronwardenOctokit({
    auth: options.token,
    baseUrl: (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: `cronwarden/${VERSION}`,
    log: {
      debug: options.log.debug,
      info: options.log.debug,
      warn: options.log.warn,
      // Octokit logs every failed request as an error, including the ones the store
      // expects and handles (a 422 for a lost race); what matters reaches the caller.
      error: options.log.debug,
    },
    // 403 and 429 belong to the throttling plugin, which honours retry-after; the retry
    // plugin would come back after one second whatever GitHub asked for.
    retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
    throttle: {
      // Writes are queued per client, not across every client in the process.
      id: `cronwarden-${randomBytes(4).toString('hex')}`,
      fallbackSecondaryRateRetryAfter: options.fallbackSecondaryWaitSeconds ?? 60,
      onSecondaryRateLimit: (retryAfter, request, _octokit, retryCount) => {
        const retries = options.secondaryRetries ?? 4;
        options.log.warn(
          `GitHub secondary rate limit on ${request.method} ${request.url}; ` +
            (retryCount < retries
              ? `waiting ${retryAfter} s (wait ${retryCount + 1} of ${retries})`
              : 'giving up'),
        );
        return retryCount < retries;
      },
      onRateLimit: (retryAfter, request) => {
        // A primary limit resets on the hour: waiting that long would stall the tick past
        // its slots. Fail now; the error names the reset time.
        options.log.warn(
          `GitHub rate limit exhausted on ${request.method} ${request.url}; it resets in ${retryAfter} s`,
        );
        return false;
      },
    },
  });
  octokit.hook.after('request', (response) => clock.observe(response.headers.date));
  octokit.hook.error('request', (error) => {
    const headers = (error as { response?: { headers?: Record<string, string | undefined> } })
      .response?.headers;
    clock.observe(headers?.date);
    throw error;
  });
  return { octokit, clock };
}

/** The GraphQL endpoint next to a REST base (GitHub Enterprise Server keeps it at /api/graphql). */
export function graphqlUrlFor(apiUrl: string, explicit?: string): string {
  if (explicit !== undefined && explicit !== '') return explicit;
  const base = apiUrl.replace(/\/+$/, '');
  return base.endsWith('/api/v3') ? `${base.slice(0, -3)}graphql` : `${base}/graphql`;
}
