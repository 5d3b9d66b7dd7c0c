import type { ClientOptions, GitHubClient, ServerClock } from '../github/client.js';
import { probeActionsHolder } from '../github/liveness.js';
import type { Liveness } from '../ledger/lease.js';
import type { Holder } from '../ledger/types.js';
import { GitHubStore } from '../store/github.js';
import type { JobContext } from './context.js';
import { JobContextError } from './context.js';
import type { ActionEnv } from './inputs.js';
import type { ActionKit } from './kit.js';

export type ClientFactory = (options: ClientOptions) => {
  octokit: GitHubClient;
  clock: ServerClock;
};

/**
 * How long to wait out a secondary rate limit that does not say when to retry. GitHub
 * advises at least a minute (the default); tests and impatient operators shorten it.
 */
export const SECONDARY_WAIT_VARIABLE = 'CRONWARDEN_SECONDARY_WAIT_SECONDS';

export interface Connection {
  octokit: GitHubClient;
  store: GitHubStore;
  /** Whether a lease's holder still runs: a completed run attempt is gone at once. */
  probe: (holder: Holder) => Promise<Liveness>;
}

export function connect(
  env: ActionEnv,
  job: JobContext,
  access: { token: string; lockRepository: string },
  createClient: ClientFactory,
  kit: ActionKit,
): Connection {
  const wait = secondaryWaitSeconds(env);
  const { octokit, clock } = createClient({
    token: access.token,
    apiUrl: job.apiUrl,
    log: { warn: (message) => kit.warning(message), debug: (message) => kit.debug(message) },
    ...(wait === undefined ? {} : { fallbackSecondaryWaitSeconds: wait }),
  });
  const store = new GitHubStore({
    octokit,
    clock,
    repository: access.lockRepository,
    graphqlUrl: job.graphqlUrl,
  });
  const probe = (holder: Holder): Promise<Liveness> =>
    holder.kind === 'actions'
      ? probeActionsHolder(octokit, holder, (message) => kit.warning(message))
      : // A CLI process on some other machine cannot be checked from a runner.
        Promise.resolve('unknown');
  return { octokit, store, probe };
}

function secondaryWaitSeconds(env: ActionEnv): number | undefined {
  const raw = env[SECONDARY_WAIT_VARIABLE];
  if (raw === undefined || raw === '') return undefined;
  const seconds = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > 3600) {
    throw new JobContextError(
      `${SECONDARY_WAIT_VARIABLE} must be a whole number of seconds from 1 to 3600, not "${raw}".`,
    );
  }
  return seconds;
}
