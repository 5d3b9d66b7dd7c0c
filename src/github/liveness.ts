import type { Liveness } from '../ledger/lease.js';
import type { ActionsHolder } from '../ledger/types.js';
import type { GitHubClient } from './client.js';
import { httpFailure } from './errors.js';

/**
 * Whether the workflow run attempt that holds a lease is still going. A completed attempt
 * (success, failure, cancelled, ...) cannot be running its patrol any more, so its lease
 * is dead at once. Anything uncertain is 'unknown': the lease then lives until it expires.
 */
export async function probeActionsHolder(
  octokit: GitHubClient,
  holder: ActionsHolder,
  warn: (message: string) => void,
): Promise<Liveness> {
  const [owner, repo] = holder.repository.split('/');
  try {
    const { data } = await octokit.request(
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}',
      {
        owner: owner ?? '',
        repo: repo ?? '',
        run_id: holder.runId,
        attempt_number: holder.runAttempt,
      },
    );
    return data.status === 'completed' ? 'gone' : 'alive';
  } catch (error: unknown) {
    // Not even a 404 proves the run is gone: a token that cannot see another repository
    // gets 404 for runs that exist. Only a completed status does.
    const failure = httpFailure(error);
    warn(
      `could not check run ${holder.runId} of ${holder.repository} ` +
        `(${failure?.status ?? ''} ${failure?.message ?? String(error)}); ` +
        'its lease is honoured until it expires. Grant "actions: read" to check runs.',
    );
    return 'unknown';
  }
}
